"""The main job through the CLI on input nobody here wrote: Maven CRM and AdventureWorks.

These read ../shared/data beside the checkout and must not skip in CI.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sheets import sheet_rows

from planner.check.assignment import check_assignment
from planner.check.schedule import check_schedule
from planner.cli import main
from planner.pipeline import plan
from planner.reporting import NO_SEGMENT_ROW
from planner.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
MAVEN_IDLE_AGENTS = {
    "Carl Lin", "Carol Thompson", "Elizabeth Anderson", "Mei-Mei Johns", "Natalya Ivanova",
}


@pytest.fixture(scope="module")
def maven(tmp_path_factory) -> Path:
    """The Maven CRM sample imported, then planned through the CLI."""
    out = tmp_path_factory.mktemp("maven")
    assert main(["import", "maven-crm", str(DATA / "maven-crm-sales-opportunities"),
                 "--out", str(out)]) == 0
    assert main(["plan", str(out / "maven-crm.toml"), "--out", str(out / "plan.xlsx"),
                 "--quiet"]) == 0
    return out


def test_maven_plan_is_written_with_every_account_covered(maven: Path) -> None:
    workbook = maven / "plan.xlsx"
    assert workbook.is_file() and (maven / "plan-crm-update.csv").is_file()
    accounts = sheet_rows(workbook, "Accounts")
    assert len(accounts) == 85
    # Condax (9 employees) follows below_smallest = "lowest": Mercury, and keeps a CSM.
    condax = next(a for a in accounts if a["Account"] == "Condax")
    assert condax["Segment after"] == "Mercury"
    assert all(a["CSM after"] for a in accounts), "every account has a CSM after the plan"
    segments = {r["Segment"]: r["Accounts after"] for r in sheet_rows(workbook, "Segments")}
    assert segments == {"Mercury": 2, "Mars": 7, "Venus": 36, "Jupiter": 40}


def test_maven_idle_agents_carry_only_what_the_plan_gives_them(maven: Path) -> None:
    workbook = maven / "plan.xlsx"
    load = {r["Name"]: r for r in sheet_rows(workbook, "Load")}
    handoffs = sheet_rows(workbook, "Handoffs")
    for name in MAVEN_IDLE_AGENTS:
        assert load[name]["Load before"] == 0
        received = [h for h in handoffs if h["To"] == name]
        assert (load[name]["Load after"] > 0) == bool(received)


def test_maven_plan_passes_the_checker(maven: Path) -> None:
    scenario = load_scenario(maven / "maven-crm.toml")
    result = plan(scenario)
    assert check_assignment(result.inputs, result.placements, result.assignment, scenario) == []
    assert check_schedule(result.handoffs, result.context, scenario, result.schedule) == []


def test_maven_crm_csv_says_new_owner_or_released(maven: Path) -> None:
    """Every CRM row is one scheduled handoff of the Handoffs sheet: those without a To
    (the role is released) have a blank New owner ID and Change "released", the others
    the new owner and "new owner". Change is the fifth column, after the loader's four.
    (The Maven plan releases no role; test_report_figures has one that does.)"""
    with open(maven / "plan-crm-update.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["Account ID", "Owner field", "New owner ID", "Effective date",
                                 "Change"]
    handoffs = [h for h in sheet_rows(maven / "plan.xlsx", "Handoffs") if h["Start"]]
    released = sum(not h["To"] for h in handoffs)
    assert len(rows) == len(handoffs)
    assert sum(r["Change"] == "released" for r in rows) == released
    assert all((r["Change"] == "released") == (r["New owner ID"] == "") for r in rows)
    assert {r["Change"] for r in rows} <= {"released", "new owner"}


def test_adventureworks_plan(tmp_path: Path) -> None:
    out = tmp_path / "aw.xlsx"
    assert main(["plan", str(REPO / "scenarios" / "adventureworks.toml"), "--out", str(out),
                 "--quiet"]) == 0
    accounts = sheet_rows(out, "Accounts")
    assert len(accounts) == 701
    below = [a for a in accounts if a["Segment after"] is None]
    assert len(below) == 87  # stores below 10 employees wait for a segment decision
    assert all(a["CSM after"] == a["CSM before"] for a in below)
    exceptions = sheet_rows(out, "Exceptions")
    assert sum("below Mercury" in (e["Reason"] or "") for e in exceptions) == 87
    # counted with pandas from accounts.csv (number_employees): 87 below 10, 608 from 10 to
    # 99, 6 from 100 to 399, none larger
    segments = {r["Segment"]: r["Accounts after"] for r in sheet_rows(out, "Segments")}
    assert segments == {"Mercury": 608, "Mars": 6, "Venus": 0, "Jupiter": 0,
                        NO_SEGMENT_ROW: 87}
    # capacity is the sales quota read as points ([workload] capacity_unit = "points"):
    # 250,000 or 300,000 for each of the 14 sales representatives
    with open(DATA / "adventureworks-resellers" / "people.csv", encoding="utf-8") as handle:
        quota = {r["login"]: float(r["sales_quota_usd"]) for r in csv.DictReader(handle)
                 if r["job_title"] == "Sales Representative"}
    load = {r["Person ID"]: r for r in sheet_rows(out, "Load")}
    assert len(quota) == 14 and set(quota.values()) == {250_000.0, 300_000.0}
    assert {login: load[login]["Capacity"] for login in quota} == quota


def test_bad_output_folder_fails_before_solving(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["plan", str(REPO / "scenarios" / "adventureworks.toml"),
                 "--out", str(blocker / "plan.xlsx"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Output error" in err and str(blocker) in err


def test_locked_rows_keep_owner_and_week_on_the_next_run(maven: Path) -> None:
    first = maven / "plan.xlsx"
    edited = maven / "edited.xlsx"
    book = openpyxl.load_workbook(first)
    sheet = book["Handoffs"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in ("Handoff ID", "Start", "Locked", "To")}
    # Lock the first two rows with a new owner; move the second a week later.
    locked = {}
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, col["To"]).value][:2]
    for n, r in enumerate(rows):
        sheet.cell(r, col["Locked"]).value = "Y"
        start = sheet.cell(r, col["Start"]).value
        if n == 1:
            start = start + timedelta(weeks=1)
            sheet.cell(r, col["Start"]).value = start
        locked[sheet.cell(r, col["Handoff ID"]).value] = (sheet.cell(r, col["To"]).value,
                                                          start.date() if hasattr(start, "date")
                                                          else start)
    book.save(edited)
    second = maven / "second.xlsx"
    assert main(["plan", str(maven / "maven-crm.toml"), "--previous", str(edited),
                 "--out", str(second), "--quiet"]) == 0
    again = {r["Handoff ID"]: r for r in sheet_rows(second, "Handoffs")}
    for handoff_id, (owner, start) in locked.items():
        row = again[handoff_id]
        assert row["To"] == owner
        assert row["Start"].date() == start
        assert row["Locked"] == "Y"


def test_locked_row_that_breaks_a_rule_stops_the_run(maven: Path, capsys) -> None:
    book = openpyxl.load_workbook(maven / "plan.xlsx")
    sheet = book["Handoffs"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("Locked") + 1).value = "Y"
    sheet.cell(2, header.index("Start") + 1).value = datetime(2031, 1, 6)  # after the plan
    book.save(maven / "bad-lock.xlsx")
    out = maven / "never.xlsx"
    code = main(["plan", str(maven / "maven-crm.toml"), "--previous",
                 str(maven / "bad-lock.xlsx"), "--out", str(out), "--quiet"])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert ("bad-lock.xlsx, Handoffs row 2: Start 2031-01-06 is outside the plan (26 weeks "
            "from 2027-01-04)") in err


def test_plan_needs_a_roster(tmp_path: Path, capsys) -> None:
    text = (REPO / "scenarios" / "maven-accounts.toml").read_text(encoding="utf-8")
    scenario = tmp_path / "no-roster.toml"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("people ="))
    scenario.write_text(body.replace("../../shared", str(REPO.parent / "shared")),
                        encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(scenario), "--out", str(out), "--quiet"]) == 2
    assert "people is required to plan" in capsys.readouterr().err
    assert not out.exists()


def test_plan_output_must_be_a_workbook(tmp_path: Path, capsys) -> None:
    out = tmp_path / "plan.csv"
    assert main(["plan", str(REPO / "scenarios" / "adventureworks.toml"), "--out", str(out),
                 "--quiet"]) == 2
    assert ".xlsx" in capsys.readouterr().err and not out.exists()


def test_locked_owner_outside_the_accounts_team_stops_the_run(maven: Path, capsys) -> None:
    book = openpyxl.load_workbook(maven / "plan.xlsx")
    sheet = book["Handoffs"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in ("Segment", "Role", "To", "Locked")}
    load = {r["Name"]: r["Team"] for r in sheet_rows(maven / "plan.xlsx", "Load")}
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(r, col["Segment"]).value == "Jupiter"
               and sheet.cell(r, col["Role"]).value == "CSM")
    outsider = next(name for name, team in load.items() if team == "Venus CSM")
    sheet.cell(row, col["To"]).value = outsider
    sheet.cell(row, col["Locked"]).value = "Y"
    book.save(maven / "wrong-team.xlsx")
    out = maven / "never-2.xlsx"
    code = main(["plan", str(maven / "maven-crm.toml"), "--previous",
                 str(maven / "wrong-team.xlsx"), "--out", str(out), "--quiet"])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert f"Handoffs row {row}: new owner {outsider!r} (Venus CSM) cannot take the CSM role " \
           "of" in err
    assert "in segment Jupiter" in err


def test_replan_with_the_unchanged_previous_plan_changes_nothing(maven: Path) -> None:
    again = maven / "again.xlsx"
    assert main(["plan", str(maven / "maven-crm.toml"), "--previous", str(maven / "plan.xlsx"),
                 "--out", str(again), "--quiet"]) == 0

    def rows(path: Path) -> set[tuple]:
        return {(r["Handoff ID"], r["Account ID"], r["Role"], r["To"], r["Start"])
                for r in sheet_rows(path, "Handoffs")}

    assert rows(again) == rows(maven / "plan.xlsx")


def test_forced_locks_are_listed_as_not_kept(maven: Path) -> None:
    book = openpyxl.load_workbook(maven / "plan.xlsx")
    sheet = book["Handoffs"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("Locked") + 1).value = "Y"
    sheet.cell(2, header.index("Start") + 1).value = datetime(2031, 1, 6)  # after the plan
    book.save(maven / "forced.xlsx")
    out = maven / "forced-plan.xlsx"
    assert main(["plan", str(maven / "maven-crm.toml"), "--previous", str(maven / "forced.xlsx"),
                 "--force-locks", "--out", str(out), "--quiet"]) == 0
    exceptions = sheet_rows(out, "Exceptions")
    assert any("Handoffs row 2" in (e["What"] or "") and "not kept" in (e["Suggested fix"] or "")
               for e in exceptions)


def test_uk_employers_plan_at_scale(tmp_path: Path) -> None:
    """10,491 real employers: generated owners, planned end to end through the CLI."""
    source = DATA / "uk-gender-pay-gap-employers" / "employers_2021_22.csv"
    assert main(["import", "uk-employers", str(source), "--out", str(tmp_path)]) == 0
    out = tmp_path / "plan.xlsx"
    # exit 0 means the solver-free checker accepted the plan (a broken rule exits 1)
    assert main(["plan", str(tmp_path / "uk-employers.toml"), "--out", str(out),
                 "--quiet"]) == 0
    segments = {r["Segment"]: r["Accounts after"] for r in sheet_rows(out, "Segments")}
    assert segments == {"Mercury": 196, "Mars": 3011, "Venus": 5461, "Jupiter": 1584,
                        NO_SEGMENT_ROW: 239}
    exceptions = sheet_rows(out, "Exceptions")
    assert sum("needs a segment decision" in (e["Reason"] or "") for e in exceptions) == 239
