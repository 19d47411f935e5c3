"""Key figures, load peaks and the console summary of a small plan worked out by hand.

Olga Old leaves on Friday 2027-01-15 and may hand over one account a week; Ben Okafor
(0.2 FTE = 20 points) is the only Venus CSM who stays; Carl Moss moves to Mercury. Venus
CSM accounts weigh 5 points, Mercury CSM 1.

- Venus needs 6 accounts x 5 = 30 points, Ben holds 20: the two with the lowest ARR
  (V3 2,000 and V4 1,000) are unassigned and stay with Olga.
- Olga's handoffs must end their 2-week overlap by her last full week (week 2, Jan 11):
  only week 1 (Jan 4) is open, and her cap is 1 a week, so V1 (Alder, higher ARR) goes in
  week 1 and V2 (Birch) is not scheduled.
- C1 renews on 2027-01-25 (week 4): the 4-week freeze rules out weeks 1-4, so it starts in
  week 5 (Feb 1): moved clear of a renewal freeze. V2 renews on 2027-02-22 too, but its
  freeze weeks were closed anyway by Olga's last day: the freeze moved nothing there.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from planner.cli import main
from planner.io.crm_csv import write_crm_csv
from planner.pipeline import PlanResult, plan
from planner.report import PlanReport
from planner.reporting import RENEWAL_FIGURE, build_report, kept_clear_of_renewals
from planner.run import crm_owner_fields, summary_text
from planner.scenario import load_scenario

ACCOUNTS = """Account ID,Account Name,Employees,ARR,Renewal Date,Current Segment,CSM
V1,Alder Venus,500,50000,,Venus,olga@x.example
V2,Birch Venus,500,40000,2027-02-22,Venus,olga@x.example
V3,Cedar Venus,500,2000,,Venus,olga@x.example
V4,Dogwood Venus,500,1000,,Venus,olga@x.example
B1,Ben Venus,500,30000,,Venus,ben@x.example
C1,Carl Venus,500,20000,2027-01-25,Venus,carl@x.example
M1,Carl Mercury,50,1000,,Mercury,carl@x.example
"""
PEOPLE = """Email,Name,Role,New Team,Capacity,Last Day,Max Out Per Week
olga@x.example,Olga Old,CSM,Venus,1,2027-01-15,1
ben@x.example,Ben Okafor,CSM,Venus,0.2,,
carl@x.example,Carl Moss,CSM,Mercury,1,,
"""


def write_scenario(folder: Path, accounts: str = ACCOUNTS, name: str = "Figures test",
                   people: str = PEOPLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    (folder / "people.csv").write_text(people, encoding="utf-8")
    path = folder / "fig.toml"
    path.write_text(f'name = "{name}"\n[plan]\nstart = 2027-01-04\nweeks = 8\n'
                    '[inputs]\naccounts = "accounts.csv"\npeople = "people.csv"\n'
                    "[solver]\ntime_limit_s = 5.0\nworkers = 1\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def result(scenario_path: Path) -> PlanResult:
    return plan(load_scenario(scenario_path))


@pytest.fixture(scope="module")
def report(result: PlanResult) -> PlanReport:
    return build_report(result)


def _rows(frame) -> dict[str, dict]:
    return {row[frame.columns[0]]: row for row in frame.to_dict("records")}


def test_keeping_every_owner_is_one_figure_everywhere(report: PlanReport) -> None:
    # B1 stays with Ben, M1 with Carl; V1, V2 and C1 change owner, V3 and V4 are unassigned.
    figures = report.meta.key_figures
    assert figures["Accounts keeping every owner"] == 2
    assert figures["ARR keeping every owner"] == 31_000  # 30,000 + 1,000
    accounts = _rows(report.accounts)
    keeping = sorted(a for a, row in accounts.items() if row["Keeps every owner"])
    assert keeping == ["B1", "M1"]
    assert accounts["V3"]["Unassigned"] and not accounts["V3"]["Keeps every owner"]
    assert accounts["V2"]["Not scheduled"] and not accounts["V2"]["Keeps every owner"]
    assert figures["Unassigned (needs a decision)"] == 2
    assert figures["Handoffs not scheduled (see Exceptions)"] == 1


def test_renewal_figure_counts_handoffs_the_freeze_moved(result: PlanResult,
                                                         report: PlanReport) -> None:
    assert [h.account_id for h in kept_clear_of_renewals(result)] == ["C1"]
    assert report.meta.key_figures[RENEWAL_FIGURE] == 1
    handoffs = {row["Account ID"]: row for row in report.handoffs.to_dict("records")}
    assert str(handoffs["C1"]["Start"]) == "2027-02-01"


def test_peak_load_follows_the_plan_week_by_week(report: PlanReport) -> None:
    load = {row["Name"]: row for row in report.load.to_dict("records")}
    # Olga carries all four accounts (20) in week 1: V1 until its overlap ends, V2 (not
    # scheduled) and V3, V4 (unassigned) all along.
    olga = load["Olga Old"]
    assert (olga["Load before"], olga["Load after"], olga["Peak during transition"]) == (
        20, 0, 20)
    assert str(olga["Peak week"]) == "2027-01-04"
    # Ben: 5 before; 10 from week 1 (V1), 15 from week 5 (C1); 20 once V2 comes, after
    # the plan: the peak is the load after it.
    ben = load["Ben Okafor"]
    assert (ben["Load before"], ben["Load after"], ben["Peak during transition"]) == (5, 20, 20)
    assert ben["Peak week"] == "after the plan"
    # Carl: C1 (5) and M1 (1) until C1's overlap ends in week 6.
    carl = load["Carl Moss"]
    assert (carl["Peak during transition"], str(carl["Peak week"])) == (6, "2027-01-04")
    for row in load.values():
        assert row["Peak during transition"] >= max(row["Load before"], row["Load after"])


def test_summary_text(result: PlanResult, report: PlanReport) -> None:
    text = summary_text(result, report, Path("out/plan.xlsx"), Path("out/plan-crm-update.csv"),
                        seconds=3.25, planned_seconds=2.0)
    lines = text.splitlines()
    assert lines[0] == ("Plan for Figures test: owners optimal; schedule optimal; 1 handoff "
                        "cannot fit the rules (see Exceptions); 2 roles unassigned "
                        "(see Exceptions)")
    assert "  Handoffs per wave: 1 (Jan 4): 1, 2 (Feb 1): 1" in lines
    assert "  Peak week: week 1 (Jan 4, 2027), 1 handoff starts" in lines  # tie: the earlier
    # the Summary sheet's label, aligned with the other key figures
    assert f"  {RENEWAL_FIGURE:<55} 1" in lines
    assert f"  {'ARR keeping every owner':<55} 31,000" in lines
    assert "  Forced moves" in text and "  Optional moves" in text
    spread = lines.index("  Load spread per team (max minus min utilization, pts; "
                         "before -> after):")
    assert lines[spread + 1:spread + 3] == ["    Mercury CSM     0.0 ->    0.0",
                                            "    Venus CSM       0.0 ->    0.0"]
    exceptions = lines.index("  Exceptions (6):")
    # a team's own line says its name once, and comes before the account lines
    assert lines[exceptions + 1] == "    - Venus CSM is 10 points short, about 0.1 people"
    assert lines[exceptions + 2].startswith("    - schedule: Olga Old: 2 outgoing handoffs")
    assert any(line.startswith("    - Cedar Venus (V3) CSM: unassigned")
               for line in lines[exceptions + 3:])
    assert "... and" not in text  # 6 exceptions: all listed
    assert "  Run time: 3.2 s (read, plan and check 2.0 s, write 1.2 s)" in lines
    assert lines[-2:] == ["Workbook: out/plan.xlsx", "CRM update CSV: out/plan-crm-update.csv"]


def test_summary_lists_ten_exceptions_then_counts(result: PlanResult,
                                                  report: PlanReport) -> None:
    many = report.exceptions.loc[report.exceptions.index.repeat(4)].reset_index(drop=True)
    text = summary_text(result, type(report)(**{**{f: getattr(report, f) for f in
                                                   report.__slots__}, "exceptions": many}),
                        Path("p.xlsx"), Path("p.csv"))
    assert "  Exceptions (24):" in text
    assert "    ... and 14 more, see Exceptions" in text
    lines = text.splitlines()
    first = lines.index("  Exceptions (24):") + 1
    listed = lines[first:lines.index("    ... and 14 more, see Exceptions")]
    assert sum(line.startswith("    - ") for line in listed) == 10  # (long ones wrap)


def test_a_team_without_people_says_so_instead_of_a_spread(result: PlanResult,
                                                          report: PlanReport) -> None:
    # 0.0 -> 0.0 read as perfectly balanced for a team nobody is in
    from dataclasses import replace

    stages = tuple(replace(p, people=0) if p.team == "Venus CSM" else p
                   for p in result.assignment.stages)
    emptied = replace(result, assignment=replace(result.assignment, stages=stages))
    lines = summary_text(emptied, report, Path("p.xlsx"), Path("p.csv")).splitlines()
    assert "    Venus CSM    nobody in the team" in lines
    assert "    Mercury CSM     0.0 ->    0.0" in lines


def test_summary_lists_the_input_notes(result: PlanResult, report: PlanReport) -> None:
    # a warning kept only on the Input notes sheet (a reporting-line loop) reaches the console
    from planner.domain import InputProblem
    from planner.report import notes_frame

    loop = InputProblem("warning", "people.csv", 7, "Manager", "ana@x.com",
                        "expected a manager outside the person's own line")
    # the same note on 7 rows of one column is one line naming the first 5 rows; a long
    # note wraps (it was cut mid-word) under its bullet
    past = [InputProblem("warning", "accounts.csv", row, "Renewal Date", "2020-01-15",
                         "expected a renewal on or after the plan start (2027-01-04); a past "
                         "renewal puts no freeze on the plan: check that the export is current")
            for row in range(2, 9)]
    noted = type(report)(**{**{f: getattr(report, f) for f in report.__slots__},
                            "notes": notes_frame([loop, *past])})
    lines = summary_text(result, noted, Path("p.xlsx"), Path("p.csv")).splitlines()
    at = lines.index("  Input notes (8 rows, 2 kinds):")
    assert lines[at + 1:at + 5] == [
        "    - people.csv, row 7, column 'Manager': expected a manager outside the person's own "
        "line",
        "    - accounts.csv, rows 2, 3, 4, 5, 6 and 2 more, column 'Renewal Date': expected a "
        "renewal on or",
        "      after the plan start (2027-01-04); a past renewal puts no freeze on the plan: "
        "check that the",
        "      export is current"]


def test_quiet_silences_progress_not_the_summary(scenario_path: Path, tmp_path: Path,
                                                 capsys) -> None:
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(scenario_path), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("Plan for Figures test:")
    assert f"Workbook: {out}" in captured.out
    assert f"CRM update CSV: {tmp_path / 'plan-crm-update.csv'}" in captured.out
    assert main(["plan", str(scenario_path), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "reading accounts.csv and people.csv" in captured.err
    assert f"writing {out}" in captured.err
    assert f"Workbook: {out}" in captured.out


def _summary_cells(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Summary"]
    return {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True) if row[0]}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fingerprints_and_previous_plan_on_the_summary(scenario_path: Path,
                                                       tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert main(["plan", str(scenario_path), "--out", str(first), "--quiet"]) == 0
    assert main(["plan", str(scenario_path), "--previous", str(first), "--out", str(second),
                 "--quiet"]) == 0
    cells = _summary_cells(second)
    folder = scenario_path.parent
    assert cells["accounts.csv"] == _sha256(folder / "accounts.csv")
    assert cells["people.csv"] == _sha256(folder / "people.csv")
    assert cells["fig.toml"] == _sha256(scenario_path)
    assert cells["first.xlsx (previous plan)"] == _sha256(first)
    assert cells["Previous plan"] == ("first.xlsx: 0 locked row(s), 0 kept exactly (owner and "
                                      "start week)")
    assert "Previous plan" not in _summary_cells(first)


def test_previous_plan_of_another_scenario(scenario_path: Path, tmp_path: Path,
                                           capsys) -> None:
    """Another scenario's plan whose accounts are all different stops the run (the wrong
    file, most likely); with --force-locks it is used anyway, with a warning. A plan of a
    renamed scenario over the same accounts is used with a warning."""
    other = write_scenario(tmp_path / "other", ACCOUNTS.replace("\nV", "\nX").replace(
        "\nB1", "\nY1").replace("\nC1", "\nZ1").replace("\nM1", "\nW1"), name="Other org")
    foreign = tmp_path / "foreign.xlsx"
    assert main(["plan", str(other), "--out", str(foreign), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(scenario_path), "--previous", str(foreign), "--out", str(out),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert not out.exists()
    assert "foreign.xlsx [Handoffs], column 'Account ID'" in err
    assert "none of its 3 handoff rows names an account of accounts.csv" in err
    assert "made for scenario 'Other org'" in err and "--force-locks" in err
    assert main(["plan", str(scenario_path), "--previous", str(foreign), "--out", str(out),
                 "--quiet", "--force-locks"]) == 0
    err = capsys.readouterr().err
    assert "Warning: foreign.xlsx was made for scenario 'Other org', not 'Figures test'" in err
    renamed = write_scenario(tmp_path / "renamed", name="Figures test v2")
    assert main(["plan", str(renamed), "--previous", str(out), "--out",
                 str(tmp_path / "v2.xlsx"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("Warning: plan.xlsx was made for scenario 'Figures test', not 'Figures test v2'; "
            "3 of its 3 rows name accounts of this plan") in err
    notes = [row for row in openpyxl.load_workbook(tmp_path / "v2.xlsx", read_only=True)[
        "Input notes"].iter_rows(values_only=True)]
    assert any("was made for scenario 'Figures test'" in (row[5] or "") for row in notes)


def test_crm_owner_field_is_the_inputs_owner_header(tmp_path: Path) -> None:
    """The owner column of the export is named "Customer Success Manager" (recognised as
    the CSM owner): that header is the CRM field; a [crm] fields entry overrides it."""
    folder = tmp_path / "crm"
    path = write_scenario(folder, ACCOUNTS.replace(",CSM\n", ",Customer Success Manager\n", 1))
    scenario = load_scenario(path)
    result = plan(scenario)
    fields = crm_owner_fields(scenario, result.inputs)
    assert fields == {"CSM": "Customer Success Manager"}
    csv_path = write_crm_csv(build_report(result, facts=_facts(fields)), tmp_path / "c.csv")
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # V1 (week 1) and C1 (week 5) are exported; V2 has no week and is not.
    assert [(r["Account ID"], r["Owner field"], r["New owner ID"], r["Effective date"])
            for r in rows] == [("C1", "Customer Success Manager", "ben@x.example", "2027-02-01"),
                               ("V1", "Customer Success Manager", "ben@x.example", "2027-01-04")]
    configured = SimpleNamespace(inputs=scenario.inputs,
                                 crm=SimpleNamespace(fields={"CSM": "CSM__c"}))
    assert crm_owner_fields(configured, result.inputs) == {"CSM": "CSM__c"}


def test_crm_ids_are_written_exactly_and_flagged(tmp_path: Path) -> None:
    """An account id a spreadsheet would read as a formula: the bulk update must match the
    record, so the CSV keeps it exact and the Input notes sheet warns (file, row, column)."""
    folder = tmp_path / "ids"
    path = write_scenario(folder, ACCOUNTS.replace("\nV1,", "\n=1+2,"))
    scenario = load_scenario(path)
    result = plan(scenario)
    report = build_report(result, facts=_facts(crm_owner_fields(scenario, result.inputs)))
    with open(write_crm_csv(report, tmp_path / "c.csv"), encoding="utf-8",
              newline="") as handle:
        ids = [r["Account ID"] for r in csv.DictReader(handle)]
    assert "=1+2" in ids
    (note,) = [n for n in report.notes.to_dict("records") if n["Value"] == "=1+2"]
    assert (note["File"], note["Row"], note["Column"]) == ("accounts.csv", 2, "Account ID")
    assert "keeps it exact" in note["Expected"]


def _facts(fields: dict[str, str]):
    from planner.reporting import RunFacts

    return RunFacts(owner_fields=fields)


def test_without_arr_the_arr_figures_are_not_zero_but_unknown(tmp_path: Path) -> None:
    """No ARR column in the export: the key figure says n/a (not 0), on the console too,
    and the Segments sheet leaves ARR before and after blank (it showed blank and 0)."""
    no_arr = "\n".join(",".join(c for n, c in enumerate(line.split(",")) if n != 3)
                       for line in ACCOUNTS.splitlines()) + "\n"
    assert no_arr.startswith("Account ID,Account Name,Employees,Renewal Date,")
    result = plan(load_scenario(write_scenario(tmp_path, no_arr)))
    report = build_report(result)
    assert report.meta.key_figures["ARR keeping every owner"] == "n/a (no ARR in the export)"
    assert report.meta.key_figures["Accounts keeping every owner"] == 2  # B1, M1 as before
    text = summary_text(result, report, Path("p.xlsx"), Path("p.csv"))
    assert f"  {'ARR keeping every owner':<55} n/a (no ARR in the export)" in text.splitlines()
    segments = report.segments.to_dict("records")
    assert [(r["Segment"], r["ARR before"], r["ARR after"]) for r in segments] == [
        ("Mercury", None, None), ("Mars", None, None), ("Venus", None, None),
        ("Jupiter", None, None)]
    out = tmp_path / "plan.xlsx"
    from planner.io.workbook import write_workbook
    write_workbook(report, out)
    assert _summary_cells(out)["ARR keeping every owner"] == "n/a (no ARR in the export)"
    sheet = openpyxl.load_workbook(out, read_only=True)["Segments"]
    rows = list(sheet.iter_rows(values_only=True))
    arr = [rows[0].index("ARR before"), rows[0].index("ARR after")]
    assert [(row[arr[0]], row[arr[1]]) for row in rows[1:]] == [(None, None)] * 4


def test_crm_csv_says_which_rows_release_a_role(tmp_path: Path) -> None:
    """Pat Park (PM) is on M1, a Mercury account: Mercury's coverage has no PM, so the PM
    role is released. Its CRM row has a blank New owner ID (clear the field) and Change
    "released"; it starts in week 1 (Jan 4): no rule holds it back. V1 and C1 get Ben as
    before: "new owner". Change comes after the loader's four columns."""
    lines = ACCOUNTS.splitlines()
    accounts = "\n".join([lines[0] + ",PM", *(line + "," for line in lines[1:])]) + "\n"
    accounts = accounts.replace("M1,Carl Mercury,50,1000,,Mercury,carl@x.example,",
                                "M1,Carl Mercury,50,1000,,Mercury,carl@x.example,pat@x.example")
    people = PEOPLE + "pat@x.example,Pat Park,PM,Venus,1,,\n"
    path = write_scenario(tmp_path / "in", accounts, people=people)
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(path), "--out", str(out), "--quiet"]) == 0
    with open(tmp_path / "plan-crm-update.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["Account ID", "Owner field", "New owner ID", "Effective date", "Change"],
        ["C1", "CSM", "ben@x.example", "2027-02-01", "new owner"],
        ["M1", "PM", "", "2027-01-04", "released"],
        ["V1", "CSM", "ben@x.example", "2027-01-04", "new owner"],
    ]
