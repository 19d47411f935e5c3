"""Maven CRM sample -> planner inputs (accounts.csv, people.csv) and a scenario.

Source: the Maven Analytics "CRM Sales Opportunities" data set (public domain), files
``accounts.csv``, ``sales_teams.csv`` and ``sales_pipeline.csv`` (see
``../shared/data/SOURCES.md``). Nothing in the source says who owns an account, what
it pays or when it renews, so the importer derives those with the fixed rules below
(:data:`RULES`, also returned in :class:`ImportSummary` for the CLI to print). They
follow the "Synthesis rules" of SOURCES.md; h(key) is the first 12 hex digits of
sha256(key) as an integer, and "the plan start" is the scenario's first Monday (default
2027-01-04). The CLI prints the rules, and the scenario file repeats them in comments.

Accounts
  * Account ID and Account Name: the account name (names are unique in the source).
  * Employees: ``employees``. Region: ``office_location`` (the customer's country).
  * Parent Account: ``subsidiary_of`` (blank = no parent).
  * ARR: the sum of ``close_value`` over the account's Won opportunities.
  * Customer Since: the earliest close_date of the account's Won opportunities.
  * Renewal Date: the first anniversary on or after the plan start of the close_date of
    the account's largest Won deal (ties: earlier close_date, then opportunity_id);
    29 February becomes 28 February.
  * Health: 100 x Won / (Won + Lost) opportunities on the account, rounded.
  * Onboarding: Y when h("onboarding:" + account) mod 100 < 15 (about 15%); its
    Go-Live Date is the plan start + (1 + h("go-live:" + account) mod 10) weeks + 2 days.
    Other accounts have no go-live date. Strategic, Locked, Current Segment and Last
    Owner Change are blank.

People
  * The 35 sales agents and the 6 managers (role Manager, no manager of their own,
    region = their agents' regional office). E-mail = first.last@maven.example from
    the name. Manager column = the manager's e-mail. Current Team = regional office.
  * Role, per manager team with the agents sorted by name, 0-based index i:
    i mod 4 = 2 -> PM, i mod 4 = 3 -> SA, otherwise CSM (23 CSM, 6 PM, 6 SA).
  * Capacity 1.0 (full time) for every agent.
  * New Team: CSMs take the segment where their Won value is largest; each segment
    that needs CSMs and got none then takes the CSM with the most Won value in that
    segment (ties by name) whose own team keeps at least two CSMs. PMs and SAs take
    Venus or Jupiter (the segments that need them), whichever holds more of their Won
    value. Agents without any Won deal (5) are left blank for the planner to propose.

Current owners
  * CSM: the agent with the largest total Won value on the account, whatever the
    agent's role (ties broken by name). In the generalist organization before the
    change some PM- and SA-designated agents hold CSM relationships; those move.
  * PM and SA (onboarding accounts only): the agent in that role with the most recent
    Won deal on the account (ties: higher close_value, then opportunity_id); blank if
    no agent of that role won a deal there.

Scenario ``maven-crm.toml``: the plan start, 26 weeks, default segments and coverage,
``below_smallest = "lowest"`` (Condax, 9 employees, is placed in Mercury and keeps a
CSM), a quarter-end blackout week, solver limit 10 s on 2 workers, seed 0.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from planner.importers.common import (
    ACCOUNT_HEADER,
    PEOPLE_HEADER,
    ImportSummary,
    anniversary_on_or_after,
    comment_block,
    email_of,
    flag,
    iso,
    rules_text,
    segment_of,
    stable_hash,
    write_csv,
    write_text,
)
from planner.io.atomic import atomic_batch
from planner.scenario import DEFAULT_SEGMENTS

DOMAIN = "maven.example"
DEFAULT_REF = date(2027, 1, 4)
ONBOARDING_PERCENT = 15
#: The scenario file written beside accounts.csv and people.csv.
SCENARIO_FILE = "maven-crm.toml"
#: The rules of the docstring, from "Accounts" to the scenario (see ``rules_text``).
RULES = "Accounts\n" + __doc__.split("\nAccounts\n", 1)[1].split("\nScenario ", 1)[0]


@dataclass(frozen=True, slots=True)
class _Deal:
    """One Won or Lost opportunity with an account."""

    id: str
    agent: str
    account: str
    won: bool
    close_date: date
    value: float


def import_maven_crm(
    source_dir: str | Path, out_dir: str | Path, plan_start: date = DEFAULT_REF
) -> ImportSummary:
    """Read the Maven CRM files in ``source_dir`` and write planner inputs to ``out_dir``."""
    source, out = Path(source_dir), Path(out_dir)
    accounts = _read_rows(source / "accounts.csv")
    teams = _read_rows(source / "sales_teams.csv")
    deals = _read_deals(source / "sales_pipeline.csv")
    roles = assign_roles(teams)
    won = [d for d in deals if d.won]
    account_rows = [_account_row(a, deals, roles, plan_start) for a in accounts]
    people_rows = _people_rows(teams, roles, won, {a["account"]: a for a in accounts})
    rules = rules_text(RULES, plan_start)
    scenario = out / SCENARIO_FILE
    with atomic_batch():  # the three files are replaced together, or none is
        write_csv(out / "accounts.csv", ACCOUNT_HEADER, account_rows)
        write_csv(out / "people.csv", PEOPLE_HEADER, people_rows)
        write_text(scenario, _scenario_text(plan_start, rules))
    return _summary(out, scenario, account_rows, people_rows, rules)


# --- reading --------------------------------------------------------------------------


def _read_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a comma-separated file with a header, values stripped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _read_deals(path: Path) -> list[_Deal]:
    """Closed opportunities (Won and Lost) that name an account."""
    deals = []
    for row in _read_rows(path):
        if row["deal_stage"] not in ("Won", "Lost") or not row["account"]:
            continue
        deals.append(_Deal(
            row["opportunity_id"], row["sales_agent"], row["account"], row["deal_stage"] == "Won",
            date.fromisoformat(row["close_date"]), float(row["close_value"] or 0),
        ))
    return deals


# --- rules ----------------------------------------------------------------------------


def assign_roles(teams: list[dict[str, str]]) -> dict[str, str]:
    """Agent -> role by the index rule: per manager, sorted by name, i mod 4 = 2 PM, 3 SA."""
    by_manager: dict[str, list[str]] = defaultdict(list)
    for row in teams:
        by_manager[row["manager"]].append(row["sales_agent"])
    roles = {}
    for members in by_manager.values():
        for i, agent in enumerate(sorted(members)):
            roles[agent] = {2: "PM", 3: "SA"}.get(i % 4, "CSM")
    return roles


def current_csm(won: list[_Deal]) -> str:
    """The agent with the largest total Won value (ties broken by name); "" if none."""
    totals: dict[str, float] = defaultdict(float)
    for deal in won:
        totals[deal.agent] += deal.value
    if not totals:
        return ""
    return min(totals, key=lambda agent: (-totals[agent], agent))


def role_owner(won: list[_Deal], roles: dict[str, str], role: str) -> str:
    """Agent in ``role`` with the most recent Won deal (ties: higher value, then id)."""
    deals = [d for d in won if roles.get(d.agent) == role]
    if not deals:
        return ""
    best = min(deals, key=lambda d: (-d.close_date.toordinal(), -d.value, d.id))
    return best.agent


def renewal_date(won: list[_Deal], ref: date) -> date | None:
    """First anniversary on or after ``ref`` of the largest Won deal's close date."""
    if not won:
        return None
    largest = min(won, key=lambda d: (-d.value, d.close_date, d.id))
    return anniversary_on_or_after(largest.close_date, ref)


def is_onboarding(account: str) -> bool:
    """About 15% of accounts, chosen by hash."""
    return stable_hash(f"onboarding:{account}") % 100 < ONBOARDING_PERCENT


def go_live_date(account: str, ref: date) -> date:
    """Go-live of an onboarding account: 1 to 10 weeks after the plan start, a Wednesday."""
    return ref + timedelta(weeks=1 + stable_hash(f"go-live:{account}") % 10, days=2)


# --- rows -----------------------------------------------------------------------------


def _email(name: str) -> str:
    return email_of(name, DOMAIN)


def _account_row(
    account: dict[str, str], deals: list[_Deal], roles: dict[str, str], ref: date
) -> dict[str, object]:
    """One accounts.csv row from the source row and the account's closed deals."""
    name = account["account"]
    mine = [d for d in deals if d.account == name]
    won = [d for d in mine if d.won]
    onboarding = is_onboarding(name)
    health = round(100 * len(won) / len(mine)) if mine else ""
    csm = current_csm(won)
    row: dict[str, object] = {
        "Account ID": name, "Account Name": name, "Employees": account["employees"],
        "ARR": _money(sum(d.value for d in won)), "Renewal Date": iso(renewal_date(won, ref)),
        "Customer Since": iso(min((d.close_date for d in won), default=None)),
        "Go-Live Date": iso(go_live_date(name, ref)) if onboarding else "",
        "Onboarding": flag(onboarding), "Health": health,
        "Region": account["office_location"], "Parent Account": account["subsidiary_of"],
        "CSM": _email(csm) if csm else "",
    }
    if onboarding:
        for role in ("PM", "SA"):
            owner = role_owner(won, roles, role)
            row[role] = _email(owner) if owner else ""
    return row


def _money(value: float) -> str:
    """Whole amounts without a decimal part."""
    return str(int(value)) if value == int(value) else f"{value:.2f}"


def _people_rows(
    teams: list[dict[str, str]],
    roles: dict[str, str],
    won: list[_Deal],
    accounts: dict[str, dict[str, str]],
) -> list[dict[str, object]]:
    """Managers first (sorted by name), then agents sorted by name."""
    new_teams = _new_teams(teams, roles, won, accounts)
    regions: dict[str, str] = {}
    for row in teams:
        regions.setdefault(row["manager"], row["regional_office"])
    rows: list[dict[str, object]] = [
        {"Email": _email(m), "Name": m, "Role": "Manager", "Current Team": regions[m],
         "Region": regions[m]}
        for m in sorted(regions)
    ]
    for row in sorted(teams, key=lambda r: r["sales_agent"]):
        agent = row["sales_agent"]
        rows.append({
            "Email": _email(agent), "Name": agent, "Role": roles[agent],
            "Manager": _email(row["manager"]), "Current Team": row["regional_office"],
            "New Team": new_teams.get(agent, ""), "Capacity": "1.0",
            "Region": row["regional_office"],
        })
    return rows


def _new_teams(
    teams: list[dict[str, str]],
    roles: dict[str, str],
    won: list[_Deal],
    accounts: dict[str, dict[str, str]],
) -> dict[str, str]:
    """Agent -> New Team segment by the documented rule (agents without Won deals: none)."""
    value: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for deal in won:
        employees = accounts[deal.account]["employees"]
        segment = segment_of(int(employees)) if employees else ""
        if segment:
            value[deal.agent][segment] += deal.value
    order = [s.name for s in DEFAULT_SEGMENTS]
    result: dict[str, str] = {}
    for row in teams:
        agent = row["sales_agent"]
        if agent not in value:
            continue
        allowed = order if roles[agent] == "CSM" else ["Venus", "Jupiter"]
        result[agent] = max(allowed, key=lambda s: (value[agent].get(s, 0.0), -order.index(s)))
    csms = sorted(a for a in result if roles[a] == "CSM")
    for segment in order:
        if any(result[a] == segment for a in csms):
            continue
        size = defaultdict(int)
        for a in csms:
            size[result[a]] += 1
        donors = [a for a in csms if size[result[a]] >= 3 and value[a].get(segment, 0) > 0]
        if donors:
            pick = min(donors, key=lambda a: (-value[a][segment], a))
            result[pick] = segment
    return result


def _summary(
    out: Path, scenario: Path, accounts: list[dict[str, object]],
    people: list[dict[str, object]], rules: str,
) -> ImportSummary:
    """Counts for the summary."""
    roles: dict[str, int] = defaultdict(int)
    for p in people:
        roles[str(p["Role"])] += 1
    segments: dict[str, int] = {s.name: 0 for s in DEFAULT_SEGMENTS}
    segments[""] = 0
    for a in accounts:
        employees = str(a["Employees"])
        segments[segment_of(int(employees)) if employees else ""] += 1
    return ImportSummary(
        out_dir=out, accounts_csv=out / "accounts.csv", people_csv=out / "people.csv",
        scenario=scenario, accounts=len(accounts), people=len(people), roles=dict(roles),
        segments=segments, onboarding=sum(a["Onboarding"] == "Y" for a in accounts),
        children=sum(bool(a["Parent Account"]) for a in accounts), rules=rules,
    )


def _scenario_text(ref: date, rules: str) -> str:
    """The scenario file written beside the imported CSVs, the rules in comments on top."""
    blackout = _quarter_end_week(ref)
    head = comment_block(
        "Maven CRM sample imported by `planner import maven-crm` (planner/importers/maven.py);"
        "\nsee SOURCES.md in the public data folder (shared/data beside the planner checkout)\n"
        "for the source and its licence (public domain).\n\n"
        + rules)
    return head + f"""
name = "Maven CRM"

[plan]
start = {ref.isoformat()}
weeks = 26

[inputs]
accounts = "accounts.csv"
people = "people.csv"

[segmentation]
below_smallest = "lowest"   # Condax (9 employees) is placed in Mercury and keeps a CSM

[rules]
blackout_weeks = [{blackout.isoformat()}]   # quarter-end week

[solver]
time_limit_s = 10.0
workers = 2
seed = 0
"""


def _quarter_end_week(ref: date) -> date:
    """The Monday of the week holding the last day of the first quarter after ``ref``."""
    month = ((ref.month - 1) // 3 + 1) * 3
    last = date(ref.year, month, 28)
    while (last + timedelta(days=1)).month == month:
        last += timedelta(days=1)
    return last - timedelta(days=last.weekday())
