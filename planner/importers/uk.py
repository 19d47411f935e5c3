"""UK gender-pay-gap employers -> a large planner scenario (accounts, roster, TOML).

The source (``uk-gender-pay-gap-employers/employers_2021_22.csv``, Open Government
Licence v3.0) gives 10,491 real employer names with an id, a postcode, a size band
and a submission date, and nothing else. ``generate_uk_scenario`` turns it into
``accounts.csv``, ``people.csv`` and ``uk-employers.toml`` by these rules (h(key) is
the first 12 hex digits of sha256(key) as an integer; "the plan start" is the scenario's
first Monday, default 2027-01-04; every rule is in :data:`RULES`, which the CLI prints
and the scenario file repeats in comments):

Accounts
  * Account ID = EmployerId, Account Name = EmployerName.
  * Employees (SOURCES.md option B): lo + h(EmployerId) mod (hi - lo + 1) within the
    band: "Less than 250" 1-249, "250 to 499", "500 to 999", "1000 to 4999",
    "5000 to 19,999", "20,000 or more" 20000-100000. "Not Provided" stays blank.
  * ARR (synthetic): employees x a price per employee by segment (below 10 and
    Mercury 400, Mars 250, Venus 150, Jupiter 80), rounded to 100; blank without size.
  * Renewal Date: the first anniversary on or after the plan start of DateSubmitted's
    date.
  * Onboarding: Y when h("onboarding:" + id) mod 100 < 15; customer since
    30 + h("since:" + id) mod 120 days before the plan start; go-live the plan start +
    (1 + h("go-live:" + id) mod 12) weeks. Others: Customer Since = the last anniversary
    of DateSubmitted before the plan start, minus h("since:" + id) mod 6 years (one in
    six in its first year).
  * Region from the PostCode area (the leading letters): Scotland, Northern Ireland,
    Wales, London (E, EC, N, NW, SE, SW, W, WC), North England, Midlands (incl. SY),
    South England (every other area); blank when the postcode has no valid area
    (spaces are ignored, so "HP 21 8AL" is HP).
  * Health: 40 + h("health:" + id) mod 61.

Roster (deterministic, sized to the file)
  * CSMs: roster_size, default ceil(accounts / 60), spread over regions in proportion
    to their accounts (largest remainder, at least one per region).
  * Workload points are the default points times one scale factor chosen so the
    CSMs are loaded at about 90%; the scaled points are written in the scenario.
    PMs, SAs and HYBRIDs: ceil(their scaled workload / 90) each, over regions alike.
  * One manager per region and role group. Names are synthetic (first x last name
    lists, ordered by hash), e-mails first.last@uk-demo.example.
  * New Team: per role, people sorted by e-mail fill the segments in order with as
    many people as each segment's workload needs at 90%; every tenth person is
    left blank for the planner to propose.

Current owners (generalist organization)
  * CSM: csms_in_region[h(EmployerId) mod n] (accounts without a region: all CSMs).
  * PM and SA on onboarding accounts: pms_in_region[h("PM:" + id) mod n], likewise SA.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from planner.importers.common import (
    ACCOUNT_HEADER,
    PEOPLE_HEADER,
    ImportSummary,
    anniversary_on_or_after,
    comment_block,
    flag,
    iso,
    rules_text,
    segment_of,
    stable_hash,
    write_csv,
    write_text,
)
from planner.io.atomic import atomic_batch
from planner.scenario import DEFAULT_POINTS, DEFAULT_SEGMENTS

DEFAULT_REF = date(2027, 1, 4)
DOMAIN = "uk-demo.example"
ACCOUNTS_PER_CSM = 60
TARGET_LOAD = 0.9
#: The scenario file written beside accounts.csv and people.csv.
SCENARIO_FILE = "uk-employers.toml"
#: The rules of the docstring, from "Accounts" on (see ``rules_text``).
RULES = "Accounts\n" + __doc__.split("\nAccounts\n", 1)[1].rstrip()

#: Size band -> (lowest, highest) employee count; None = no usable size.
BANDS: dict[str, tuple[int, int] | None] = {
    "Less than 250": (1, 249),
    "250 to 499": (250, 499),
    "500 to 999": (500, 999),
    "1000 to 4999": (1000, 4999),
    "5000 to 19,999": (5000, 19999),
    "20,000 or more": (20000, 100000),
    "Not Provided": None,
}
PRICE_PER_EMPLOYEE = {"": 400, "Mercury": 400, "Mars": 250, "Venus": 150, "Jupiter": 80}

_SCOTLAND = "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split()
_WALES = "CF LD LL NP SA".split()
_LONDON = "E EC N NW SE SW W WC".split()
_NORTH = ("BB BD BL CA CH CW DH DL DN FY HD HG HU HX L LA LS M NE OL PR S SK SR TS WA WF WN "
          "YO").split()
_MIDLANDS = "B CV DE DY HR LE LN NG NN ST SY TF WR WS WV".split()
_SOUTH = ("AL BA BH BN BR BS CB CM CO CR CT DA DT EN EX GL GU HA HP IG IP KT LU ME MK NR OX "
          "PE PL PO RG RH RM SG SL SM SN SO SP SS TA TN TQ TR TW UB WD GY JE IM").split()
REGION_OF_AREA: dict[str, str] = {
    **{a: "Scotland" for a in _SCOTLAND}, "BT": "Northern Ireland",
    **{a: "Wales" for a in _WALES}, **{a: "London" for a in _LONDON},
    **{a: "North England" for a in _NORTH}, **{a: "Midlands" for a in _MIDLANDS},
    **{a: "South England" for a in _SOUTH},
}
_FIRST = (
    "Aisha", "Alfie", "Amelia", "Arthur", "Ava", "Callum", "Chloe", "Daniel", "Eilidh",
    "Ella", "Emily", "Ethan", "Evie", "Finlay", "Freya", "George", "Grace", "Harry", "Isla",
    "Jack", "Jacob", "Kian", "Layla", "Leo", "Lily", "Logan", "Lucy", "Megan", "Mia",
    "Niamh", "Noah", "Oliver", "Olivia", "Oscar", "Poppy", "Priya", "Rhys", "Rory", "Ruby",
    "Sophie", "Theo", "Zara",
)
_LAST = (
    "Ahmed", "Baker", "Bell", "Campbell", "Clarke", "Davies", "Doyle", "Evans", "Fraser",
    "Green", "Hall", "Hughes", "Jones", "Kaur", "Khan", "Kelly", "Lewis", "MacDonald",
    "Morgan", "Murphy", "Murray", "Owen", "Patel", "Price", "Reid", "Roberts", "Robertson",
    "Scott", "Shah", "Smith", "Stewart", "Taylor", "Thomas", "Thomson", "Walker", "Watson",
    "White", "Williams", "Wilson", "Wright",
)


def generate_uk_scenario(
    source_csv: str | Path,
    out_dir: str | Path,
    roster_size: int | None = None,
    plan_start: date = DEFAULT_REF,
) -> ImportSummary:
    """Write accounts.csv, people.csv and uk-employers.toml for the UK employers file.

    roster_size: number of CSMs (default one per 60 accounts).
    """
    out = Path(out_dir)
    accounts = [_account(row, plan_start) for row in read_employers(source_csv)]
    n_csm = roster_size or math.ceil(len(accounts) / ACCOUNTS_PER_CSM)
    demand = _demand(accounts, plan_start)
    csm_points = sum(v for (_, r), v in demand.items() if r == "CSM")
    scale = n_csm * 100 * TARGET_LOAD / max(1.0, csm_points)
    people = _roster(accounts, demand, scale, n_csm)
    _assign_owners(accounts, people)
    account_rows = [_account_row(a) for a in accounts]
    rules = rules_text(RULES, plan_start)
    scenario = out / SCENARIO_FILE
    with atomic_batch():  # the three files are replaced together, or none is
        write_csv(out / "accounts.csv", ACCOUNT_HEADER, account_rows)
        write_csv(out / "people.csv", PEOPLE_HEADER, people)
        write_text(scenario, _scenario_text(plan_start, scale, rules))
    return _summary(out, scenario, accounts, people, rules)


def read_employers(source_csv: str | Path) -> list[dict[str, str]]:
    """Rows of the employers file (quoted fields span lines and hold CRs: newline="")."""
    with Path(source_csv).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- accounts -------------------------------------------------------------------------


def band_employees(band: str, employer_id: str) -> int | None:
    """Employee count for a size band by option B; None for "Not Provided" or unknown."""
    bounds = BANDS.get(band.strip())
    if bounds is None:
        return None
    low, high = bounds
    return low + stable_hash(employer_id) % (high - low + 1)


def region_of(postcode: str) -> str:
    """Region from the postcode area; "" when the postcode has no valid area."""
    match = re.match(r"([A-Z]{1,2})[0-9]", re.sub(r"\s+", "", postcode.upper()))
    return REGION_OF_AREA.get(match.group(1), "") if match else ""


def synthetic_arr(employees: int | None) -> int | None:
    """Employees x the segment's price per employee, rounded to 100."""
    if employees is None:
        return None
    return int(round(employees * PRICE_PER_EMPLOYEE[segment_of(employees)], -2))


def _account(row: dict[str, str], ref: date) -> dict[str, object]:
    """Planner fields of one employer (owners are added later)."""
    key = row["EmployerId"].strip()
    employees = band_employees(row["EmployerSize"], key)
    submitted = datetime.strptime(row["DateSubmitted"].strip()[:10], "%Y/%m/%d").date()
    onboarding = stable_hash(f"onboarding:{key}") % 100 < 15
    since_hash = stable_hash(f"since:{key}")
    if onboarding:
        since = ref - timedelta(days=30 + since_hash % 120)
        go_live: date | None = ref + timedelta(weeks=1 + stable_hash(f"go-live:{key}") % 12)
    else:
        last = anniversary_on_or_after(submitted, ref)
        last = _years_before(last, 1 + since_hash % 6) if last >= ref else last
        since, go_live = last, None
    return {
        "Account ID": key, "Account Name": row["EmployerName"].strip(),
        "Employees": employees, "segment": segment_of(employees) if employees else None,
        "ARR": synthetic_arr(employees), "Renewal Date": anniversary_on_or_after(submitted, ref),
        "Customer Since": since, "Go-Live Date": go_live, "Onboarding": onboarding,
        "Health": 40 + stable_hash(f"health:{key}") % 61, "Region": region_of(row["PostCode"]),
    }


def _years_before(value: date, years: int) -> date:
    """``value`` moved back by whole years (29 February becomes 28 February)."""
    day = 28 if (value.month, value.day) == (2, 29) else value.day
    return date(value.year - years, value.month, day)


def _needs(account: dict[str, object], ref: date) -> dict[str, float]:
    """Role -> default points the account needs under the default coverage."""
    segment = account["segment"]
    if not segment:
        return {}
    points = DEFAULT_POINTS[str(segment)]
    since = account["Customer Since"]
    assert isinstance(since, date)
    first_year = _years_before(ref, 1) < since
    if segment == "Mars":
        role = "HYBRID" if first_year else "CSM"
        return {role: points[role]}
    needs = {"CSM": points["CSM"]}
    if segment in ("Venus", "Jupiter") and account["Onboarding"]:
        needs.update(PM=points["PM"], SA=points["SA"])
    return needs


def _demand(accounts: list[dict[str, object]], ref: date) -> dict[tuple[str, str], float]:
    """(segment, role) -> default points needed."""
    demand: dict[tuple[str, str], float] = defaultdict(float)
    for account in accounts:
        for role, points in _needs(account, ref).items():
            demand[(str(account["segment"]), role)] += points
    return demand


# --- roster ---------------------------------------------------------------------------


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` people over regions by weight: largest remainder, at least one each."""
    keys = sorted(weights)
    total = max(total, len(keys))
    whole = sum(weights.values()) or 1
    raw = {k: (total - len(keys)) * weights[k] / whole for k in keys}
    counts = {k: 1 + int(raw[k]) for k in keys}
    rest = total - sum(counts.values())
    for k in sorted(keys, key=lambda k: (-(raw[k] - int(raw[k])), k))[:rest]:
        counts[k] += 1
    return counts


def _names() -> list[str]:
    """All synthetic names, in a fixed order given by the hash."""
    return sorted((f"{f} {last}" for f in _FIRST for last in _LAST), key=stable_hash)


def _roster(
    accounts: list[dict[str, object]], demand: dict[tuple[str, str], float], scale: float,
    n_csm: int,
) -> list[dict[str, object]]:
    """Managers and owners by role and region, with New Teams."""
    regions: dict[str, int] = defaultdict(int)
    for account in accounts:
        if account["Region"]:
            regions[str(account["Region"])] += 1
    sizes = {"CSM": n_csm}
    for role in ("HYBRID", "PM", "SA"):
        need = sum(v for (_, r), v in demand.items() if r == role) * scale
        sizes[role] = math.ceil(need / (100 * TARGET_LOAD))
    names = iter(_names())
    people: list[dict[str, object]] = []
    for role in ("CSM", "HYBRID", "PM", "SA"):
        for region, count in _split(sizes[role], dict(regions)).items():
            manager = _person(next(names), "Manager", "", region)
            people.append(manager)
            people.extend(
                _person(next(names), role, str(manager["Email"]), region, "1.0")
                for _ in range(count)
            )
    for role in ("CSM", "HYBRID", "PM", "SA"):
        _new_teams([p for p in people if p["Role"] == role], demand, scale, role)
    return people


def _person(
    name: str, role: str, manager: str, region: str, capacity: str = ""
) -> dict[str, object]:
    """One people.csv row."""
    first, last = name.split(" ", 1)
    email = f"{first.lower()}.{last.lower()}@{DOMAIN}"
    return {"Email": email, "Name": name, "Role": role, "Manager": manager,
            "Current Team": f"{region} {'CS' if role != 'Manager' else 'Leads'}",
            "Capacity": capacity, "Region": region}


def _new_teams(
    members: list[dict[str, object]], demand: dict[tuple[str, str], float], scale: float,
    role: str,
) -> None:
    """Fill segments in order with as many people as their workload needs; 1 in 10 blank."""
    quotas = [
        (s.name, math.ceil(demand[(s.name, role)] * scale / (100 * TARGET_LOAD)))
        for s in DEFAULT_SEGMENTS if demand.get((s.name, role), 0) > 0
    ]
    slots = [segment for segment, n in quotas for _ in range(n)]
    for i, person in enumerate(sorted(members, key=lambda p: str(p["Email"]))):
        blank = i % 10 == 9 or i >= len(slots)
        person["New Team"] = "" if blank else slots[i]


def _assign_owners(accounts: list[dict[str, object]], people: list[dict[str, object]]) -> None:
    """Current CSM by h(EmployerId) in region; PM/SA on onboarding accounts by role hash."""
    pools: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person in sorted(people, key=lambda p: str(p["Email"])):
        pools[(str(person["Role"]), str(person["Region"]))].append(str(person["Email"]))
        pools[(str(person["Role"]), "")].append(str(person["Email"]))
    for account in accounts:
        key, region = str(account["Account ID"]), str(account["Region"])
        csms = pools[("CSM", region)] or pools[("CSM", "")]
        account["CSM"] = csms[stable_hash(key) % len(csms)]
        if account["Onboarding"]:
            for role in ("PM", "SA"):
                pool = pools[(role, region)] or pools[(role, "")]
                if pool:
                    account[role] = pool[stable_hash(f"{role}:{key}") % len(pool)]


def _account_row(a: dict[str, object]) -> dict[str, object]:
    """One accounts.csv row."""
    row = {k: v for k, v in a.items() if k in ACCOUNT_HEADER}
    for key in ("Renewal Date", "Customer Since", "Go-Live Date"):
        value = a[key]
        row[key] = iso(value) if isinstance(value, date) else ""
    row["Onboarding"] = flag(bool(a["Onboarding"]))
    return row


def _summary(
    out: Path, scenario: Path, accounts: list[dict[str, object]],
    people: list[dict[str, object]], rules: str,
) -> ImportSummary:
    """Counts for the summary."""
    roles: dict[str, int] = defaultdict(int)
    for person in people:
        roles[str(person["Role"])] += 1
    segments: dict[str, int] = {s.name: 0 for s in DEFAULT_SEGMENTS}
    segments[""] = 0
    for account in accounts:
        segments[str(account["segment"] or "")] += 1
    return ImportSummary(
        out_dir=out, accounts_csv=out / "accounts.csv", people_csv=out / "people.csv",
        scenario=scenario, accounts=len(accounts), people=len(people), roles=dict(roles),
        segments=segments, onboarding=sum(bool(a["Onboarding"]) for a in accounts),
        children=0, rules=rules,
    )


def _scenario_text(ref: date, scale: float, rules: str) -> str:
    """The scenario written beside the generated CSVs, with the scaled points and the
    rules in comments on top."""
    points = "\n".join(
        f"{segment} = {{ " + ", ".join(f"{r} = {p * scale:.3f}" for r, p in roles.items()) + " }"
        for segment, roles in DEFAULT_POINTS.items()
    )
    head = comment_block(
        "UK employers 2021-22 (Open Government Licence v3.0; see SOURCES.md and NOTICE.txt in\n"
        "the public data folder, shared/data beside the planner checkout), generated by\n"
        "`planner import uk-employers`\n"
        "(planner/importers/uk.py): real employer names and size bands; sizes, ARR,\n"
        "renewals, owners and the roster are synthetic, by the rules below.\n\n" + rules)
    return head + f"""
name = "UK employers (generated)"

[plan]
start = {ref.isoformat()}
weeks = 26

[inputs]
accounts = "accounts.csv"
people = "people.csv"

[segmentation]
below_smallest = "exception"   # below 10 employees or "Not Provided": listed for a decision

[workload.points]
# The default points times {scale:.4f}, so that one full-time CSM carries about
# {ACCOUNTS_PER_CSM} accounts at {TARGET_LOAD:.0%} load.
{points}

[rules]
blackout_weeks = [{_quarter_end_monday(ref).isoformat()}]

[solver]
time_limit_s = 30.0
workers = 2
seed = 0
"""


def _quarter_end_monday(ref: date) -> date:
    """Monday of the week holding the last day of the quarter that ``ref`` falls in."""
    month = ((ref.month - 1) // 3 + 1) * 3
    nxt = date(ref.year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=last.weekday())
