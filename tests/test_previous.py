"""Reading an edited previous plan: the locked-row round trip and unreadable rows."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_samples import PEOPLE, sample_report

from planner.domain import InputError, Person
from planner.io.previous import read_previous_plan
from planner.io.workbook import write_workbook


@pytest.fixture()
def plan(tmp_path: Path) -> Path:
    return write_workbook(sample_report(), tmp_path / "plan.xlsx")


def _edit(path: Path, edits: dict[tuple[int, str], object]) -> None:
    """Set cells of the Handoffs sheet by (row, header), as a manager would, and save."""
    book = load_workbook(path)
    sheet = book["Handoffs"]
    headers = {c.value: c.column for c in sheet[1]}
    for (row, header), value in edits.items():
        sheet.cell(row=row, column=headers[header]).value = value
    book.save(path)


def _people() -> list[Person]:
    return [Person(id=pid, name=name) for pid, (name, _team) in PEOPLE.items()]


def test_unedited_plan_reads_back_every_row(plan: Path) -> None:
    previous = read_previous_plan(plan)
    report = sample_report()
    assert len(previous.rows) == len(report.handoffs)
    first = previous.by_id()["H-0001"]
    assert first.account_id == report.handoffs.loc[0, "Account ID"]
    assert first.role == "CSM"
    assert first.to == "Ben Okafor" and first.to_id == "ben.okafor@example.com"
    assert first.start == date(2027, 1, 4) and first.end == date(2027, 1, 17)
    assert first.row == 2 and first.wave == 1 and not first.locked
    assert [r.handoff_id for r in previous.locked] == ["H-0003"]


def test_locked_row_keeps_the_managers_edits(plan: Path) -> None:
    _edit(plan, {(5, "Locked"): "Y", (5, "Start"): datetime(2027, 2, 15),
                 (5, "To"): "Dev Patel"})
    previous = read_previous_plan(plan, people=_people())
    row = previous.by_id()["H-0004"]
    assert row.locked is True
    assert row.start == date(2027, 2, 15)
    assert row.to == "Dev Patel" and row.to_id == "dev.patel@example.com"
    assert row.row == 5


def test_lowercase_yes_and_iso_text_dates_are_read(plan: Path) -> None:
    _edit(plan, {(6, "Locked"): "y", (6, "Start"): "2027-03-01", (7, "Locked"): "No"})
    previous = read_previous_plan(plan).by_id()
    assert previous["H-0005"].locked and previous["H-0005"].start == date(2027, 3, 1)
    assert not previous["H-0006"].locked


def test_unreadable_rows_are_reported_with_sheet_row_column_value(plan: Path) -> None:
    _edit(plan, {(2, "Start"): "11/01/2027", (3, "Locked"): "maybe", (4, "Start"): None,
                 (4, "Locked"): "Y"})
    with pytest.raises(InputError) as caught:
        read_previous_plan(plan)
    problems = {(p.row, p.column): p for p in caught.value.problems}
    # A locked row without a Start is readable: it is a lock problem, listed by
    # planner.locks with every other problem of every locked row (it used to be reported
    # here, and the lock problems only on the next run).
    assert set(problems) == {(2, "Start"), (3, "Locked")}
    assert problems[(2, "Start")].value == "11/01/2027"
    assert problems[(2, "Start")].file == "plan.xlsx [Handoffs]"
    assert problems[(3, "Locked")].value == "maybe"
    assert "Y" in problems[(3, "Locked")].expected


def test_unknown_owner_on_a_locked_row_is_left_to_the_lock_checks(plan: Path) -> None:
    # The row is read with no owner id; planner.locks reports "new owner 'Nobody Known' is
    # not in the roster" together with the other lock problems (test_locks), instead of
    # this reader stopping the run first (problems came one kind per run).
    _edit(plan, {(2, "Locked"): "Y", (2, "To"): "Nobody Known"})
    row = read_previous_plan(plan, people=_people()).by_id()["H-0001"]
    assert (row.locked, row.to, row.to_id) == (True, "Nobody Known", None)
    assert row.to_id_cell == "ben.okafor@example.com"  # as the planner wrote it


def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(
        plan: Path) -> None:
    book = load_workbook(plan)
    sheet = book["Handoffs"]
    sheet.insert_rows(1, amount=2)
    sheet["A1"] = "Transition plan, reviewed by Jane"
    sheet.cell(row=7, column=12).value = "Y"  # H-0004 is now on row 7; L = Locked
    book.save(plan)
    previous = read_previous_plan(plan)
    # before: "the header row to hold Handoff ID, ..." (row 1 was taken as the header)
    assert len(previous.rows) == len(sample_report().handoffs)
    assert previous.by_id()["H-0001"].row == 4  # the header is row 3
    assert [(r.handoff_id, r.row) for r in previous.locked] == [("H-0003", 6), ("H-0004", 7)]


def test_locked_start_not_on_a_monday_is_kept_in_its_week_with_a_warning(plan: Path) -> None:
    _edit(plan, {(5, "Locked"): "Y", (5, "Start"): datetime(2027, 2, 17),
                 (6, "Start"): datetime(2027, 2, 18)})  # row 6 is not locked: no note
    previous = read_previous_plan(plan)
    assert previous.by_id()["H-0004"].start == date(2027, 2, 17)  # week_of() keeps its week
    (note,) = previous.notes
    # 2027-02-17 is a Wednesday; the Monday of its week is 2027-02-15
    assert (note.severity, note.file, note.row, note.column, note.value) == (
        "warning", "plan.xlsx [Handoffs]", 5, "Start", "2027-02-17")
    assert note.expected == ("expected a Monday: 2027-02-17 is a Wednesday; the handoff "
                             "starts in that week, on Monday 2027-02-15 (its date in the plan "
                             "and the CRM update)")


def test_to_wins_over_to_id_and_a_locked_difference_is_a_warning(plan: Path) -> None:
    # Row 2 (H-0001): To Ben Okafor, To ID ben.okafor@... as written. The manager edits
    # To ID alone on row 2 and To alone on row 5; both rows are locked.
    _edit(plan, {(2, "Locked"): "Y", (2, "To ID"): "dev.patel@example.com",
                 (5, "Locked"): "Y", (5, "To"): "Ana Ruiz"})
    previous = read_previous_plan(plan, people=_people())
    rows = previous.by_id()
    assert rows["H-0001"].to_id == "ben.okafor@example.com"
    assert rows["H-0004"].to_id == "ana.ruiz@example.com"
    notes = {(n.row, n.column, n.value): n.expected for n in previous.notes}
    assert notes == {
        (2, "To ID", "dev.patel@example.com"):
            "To 'Ben Okafor' (ben.okafor@example.com) and To ID name different people: the "
            "row is locked to 'Ben Okafor', as To says (if you meant the To ID's person, put "
            "their name in To)",
        (5, "To ID", "chloe.martin@example.com"):  # H-0004 went to Chloé Martin
            "To 'Ana Ruiz' (ana.ruiz@example.com) and To ID name different people: the row "
            "is locked to 'Ana Ruiz', as To says (if you meant the To ID's person, put their "
            "name in To)",
    }


def test_to_id_settles_a_name_two_people_share(plan: Path) -> None:
    people = [*_people(), Person(id="ben.okafor2@example.com", name="Ben Okafor")]
    _edit(plan, {(2, "Locked"): "Y"})
    row = read_previous_plan(plan, people=people).by_id()["H-0001"]
    assert row.to_id == "ben.okafor@example.com"
    _edit(plan, {(2, "To ID"): None})
    assert read_previous_plan(plan, people=people).by_id()["H-0001"].to_id is None


def test_duplicate_ids_and_missing_headers(plan: Path, tmp_path: Path) -> None:
    _edit(plan, {(3, "Handoff ID"): "H-0001"})
    with pytest.raises(InputError, match="unique id"):
        read_previous_plan(plan)
    book = load_workbook(plan)
    book["Handoffs"]["L1"].value = "Lock?"
    book.save(plan)
    with pytest.raises(InputError, match="Locked"):
        read_previous_plan(plan)


def test_not_a_plan_workbook(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.xlsx"
    bogus.write_text("not a workbook")
    with pytest.raises(InputError, match="readable .xlsx"):
        read_previous_plan(bogus)


def test_missing_or_non_workbook_previous_plan_says_so(tmp_path: Path) -> None:
    # a typo and the scenario given by mistake: plain words, no library message
    with pytest.raises(InputError) as caught:
        read_previous_plan(tmp_path / "edited.xlsx")
    assert str(caught.value.problems[0]).startswith(
        "edited.xlsx: the .xlsx plan workbook to re-plan from (--previous); this is no such "
        "file")
    scenario = tmp_path / "reference.toml"
    scenario.write_text("name = 'x'\n")
    with pytest.raises(InputError, match="this is a .toml file"):
        read_previous_plan(scenario)


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice (soffice) is not installed")
def test_plan_saved_again_by_libreoffice_reads_the_same(plan: Path, tmp_path: Path) -> None:
    _edit(plan, {(5, "Locked"): "Y", (5, "Start"): datetime(2027, 2, 15)})
    soffice = shutil.which("soffice")
    assert soffice, "soffice is required in CI (Debian package libreoffice-calc)"
    out = tmp_path / "lo"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(plan)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stderr
    again = read_previous_plan(out / "plan.xlsx")
    original = read_previous_plan(plan)
    assert [(r.handoff_id, r.to, r.start, r.locked) for r in again.rows] == [
        (r.handoff_id, r.to, r.start, r.locked) for r in original.rows
    ]
    assert again.by_id()["H-0004"].locked and again.by_id()["H-0004"].start == date(2027, 2, 15)


def test_summary_scenario_and_fingerprints_are_read(plan: Path) -> None:
    """The next run compares them with its own (a plan of another scenario is noticed)."""
    import hashlib

    previous = read_previous_plan(plan)
    report = sample_report()
    assert previous.scenario == report.meta.scenario
    assert previous.fingerprints == report.meta.fingerprints  # accounts.csv, people.csv
    assert previous.sha256 == hashlib.sha256(plan.read_bytes()).hexdigest()
