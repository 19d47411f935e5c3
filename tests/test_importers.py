"""Public-data importers: Maven CRM and UK employers, read from ../shared/data."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from planner.importers.common import ACCOUNT_HEADER, PEOPLE_HEADER, segment_of, stable_hash
from planner.importers.maven import import_maven_crm
from planner.importers.uk import band_employees, generate_uk_scenario, region_of
from planner.scenario import load_scenario

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAVEN = DATA / "maven-crm-sales-opportunities"
UK = DATA / "uk-gender-pay-gap-employers" / "employers_2021_22.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def maven(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("maven")
    summary = import_maven_crm(MAVEN, out)
    return summary, _rows(out / "accounts.csv"), _rows(out / "people.csv")


@pytest.fixture(scope="module")
def uk(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("uk")
    summary = generate_uk_scenario(UK, out)
    return summary, _rows(out / "accounts.csv"), _rows(out / "people.csv")


# --- Maven ----------------------------------------------------------------------------


def test_maven_counts(maven) -> None:
    summary, accounts, people = maven
    assert tuple(accounts[0]) == ACCOUNT_HEADER and tuple(people[0]) == PEOPLE_HEADER
    assert len(accounts) == 85 == summary.accounts
    roles = Counter(p["Role"] for p in people)
    assert roles == {"CSM": 23, "PM": 6, "SA": 6, "Manager": 6}
    assert summary.segments == {"Mercury": 1, "Mars": 7, "Venus": 36, "Jupiter": 40, "": 1}
    assert "largest total Won value" in summary.rules
    load_scenario(summary.scenario)


def test_maven_every_account_has_a_csm_in_the_roster(maven) -> None:
    _, accounts, people = maven
    emails = {p["Email"] for p in people}
    assert all(a["CSM"] in emails for a in accounts)
    for a in accounts:
        for role in ("PM", "SA"):
            assert not a[role] or a["Onboarding"] == "Y"


def test_maven_known_accounts(maven) -> None:
    _, accounts, _ = maven
    by_id = {a["Account ID"]: a for a in accounts}
    assert by_id["Condax"]["Employees"] == "9"
    assert by_id["Scottech"]["Employees"] == "100"
    assert segment_of(100) == "Mars"


def test_maven_csm_is_the_agent_with_most_won_value(maven) -> None:
    _, accounts, people = maven
    email = {p["Name"]: p["Email"] for p in people}
    totals: dict[str, Counter] = {}
    with (MAVEN / "sales_pipeline.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["deal_stage"] == "Won":
                totals.setdefault(row["account"], Counter())[row["sales_agent"]] += float(
                    row["close_value"])
    for a in accounts:
        won = totals[a["Account ID"]]
        best = min(won, key=lambda agent: (-won[agent], agent))
        assert a["CSM"] == email[best]
        assert float(a["ARR"]) == sum(won.values())


def test_maven_parent_links(maven) -> None:
    _, accounts, _ = maven
    ids = {a["Account ID"] for a in accounts}
    children = [a for a in accounts if a["Parent Account"]]
    assert len(children) == 15
    assert len({a["Parent Account"] for a in children}) == 7
    assert all(a["Parent Account"] in ids for a in children)
    assert sum(a["Parent Account"] == "Acme Corporation" for a in children) == 4


def test_maven_people(maven) -> None:
    _, accounts, people = maven
    managers = {p["Email"] for p in people if p["Role"] == "Manager"}
    agents = [p for p in people if p["Role"] != "Manager"]
    assert len(agents) == 35 and all(p["Manager"] in managers for p in agents)
    owners = {a[r] for a in accounts for r in ("CSM", "PM", "SA") if a[r]}
    idle = {p["Name"] for p in agents if p["Email"] not in owners}
    assert {"Carl Lin", "Carol Thompson", "Elizabeth Anderson", "Mei-Mei Johns",
            "Natalya Ivanova"} <= idle
    blank = [p for p in agents if not p["New Team"]]
    assert {p["Name"] for p in blank} == {"Carl Lin", "Carol Thompson", "Elizabeth Anderson",
                                          "Mei-Mei Johns", "Natalya Ivanova"}
    teams = Counter((p["Role"], p["New Team"]) for p in agents if p["New Team"])
    for segment in ("Mercury", "Mars", "Venus", "Jupiter"):
        assert teams[("CSM", segment)] >= 1


def test_maven_is_deterministic(tmp_path: Path, maven) -> None:
    summary, _, _ = maven
    import_maven_crm(MAVEN, tmp_path)
    for name in ("accounts.csv", "people.csv", "maven-crm.toml"):
        assert (tmp_path / name).read_bytes() == (summary.out_dir / name).read_bytes()


# --- UK -------------------------------------------------------------------------------


def test_uk_accounts(uk) -> None:
    summary, accounts, people = uk
    assert len(accounts) == 10491 == summary.accounts
    assert len({a["Account ID"] for a in accounts}) == 10491
    load_scenario(summary.scenario)
    emails = {p["Email"] for p in people}
    assert all(a["CSM"] in emails for a in accounts)
    assert sum(a["Onboarding"] == "Y" for a in accounts) == summary.onboarding
    assert sum(p["Role"] == "CSM" for p in people) == 175  # ceil(10491 / 60)


def test_uk_bands_are_mapped_as_stated(uk) -> None:
    _, accounts, _ = uk
    with UK.open(encoding="utf-8", newline="") as handle:
        source = {r["EmployerId"]: r["EmployerSize"] for r in csv.DictReader(handle)}
    ranges = {"Less than 250": (1, 249), "250 to 499": (250, 499), "500 to 999": (500, 999),
              "1000 to 4999": (1000, 4999), "5000 to 19,999": (5000, 19999),
              "20,000 or more": (20000, 100000)}
    blank = 0
    for a in accounts:
        band = source[a["Account ID"]]
        if band == "Not Provided":
            assert a["Employees"] == "" and a["ARR"] == ""
            blank += 1
            continue
        low, high = ranges[band]
        assert int(a["Employees"]) == low + stable_hash(a["Account ID"]) % (high - low + 1)
    assert blank == 215
    below = sum(1 for a in accounts if a["Employees"] and int(a["Employees"]) < 10)
    assert 10 <= below <= 40  # about 4% of "Less than 250"


def test_uk_helpers() -> None:
    assert band_employees("Not Provided", "4") is None
    assert 20000 <= band_employees("20,000 or more", "4") <= 100000
    assert region_of(" EH6 8NU") == "Scotland"
    assert region_of("BT1 1AA") == "Northern Ireland"
    assert region_of("HP 21 8AL") == "South England"
    assert region_of("8001") == "" and region_of("HMJX") == ""


# --- the rules, printed and repeated in the scenario file -----------------------------------


@pytest.mark.parametrize("which", ["maven", "uk"])
def test_the_scenario_file_repeats_the_rules_in_comments(which: str, request) -> None:
    """The rules the CLI prints open the generated scenario, one comment line each (after a
    short provenance header), with the terms they use defined: h(key) and the plan start
    (REF in the docstrings, once: the abbreviation is gone)."""
    summary, _, _ = request.getfixturevalue(which)
    text = summary.scenario.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    rules = summary.rules.splitlines()
    assert rules[:2] == ["Rules used for what the source lacks. h(key) is the first 12 hex "
                         "digits of sha256(key)",
                         "as an integer; the plan start is Monday 2027-01-04."]
    assert "Accounts" in rules and any(r.startswith("Current owners") for r in rules)
    assert "REF" not in summary.rules and "``" not in summary.rules
    start = comments.index("# " + rules[0])
    assert comments[start:start + len(rules)] == [f"# {line}".rstrip() for line in rules]
    assert text.index(f"# {rules[-1]}") < text.index("name = ")
    assert load_scenario(summary.scenario).start.isoformat() == "2027-01-04"


def test_maven_rules_name_the_renewal_and_go_live_in_words(maven) -> None:
    summary, _, _ = maven
    assert ("  * Renewal Date: the first anniversary on or after the plan start of the "
            "close_date of") in summary.rules
    assert ("Go-Live Date is the plan start + (1 + h(\"go-live:\" + account) mod 10) weeks + "
            "2 days.") in summary.rules
    assert "  * Employees: 'employees'. Region: 'office_location'" in summary.rules
