"""The review round trip on a small hand-made organization, through the CLI.

Olga Old moves to the Mercury team, so her eight Venus accounts (Venus CSM: 5 points each)
go to Ben Okafor and Cat Rivera (1 FTE = 100 points each); Dan Small (0.1 FTE = 10 points)
holds two Venus accounts. Every locked row must end with its owner and its start week, or
the run stops (exit 2) naming the row and the rule; --force-locks drops such locks, plans
them freely and lists them on the Exceptions sheet.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sheets import sheet_rows

from planner.cli import main

ACCOUNTS = """Account ID,Account Name,Employees,ARR,Current Segment,CSM
V1,Alder Venus,500,10000,Venus,olga@x.example
V2,Birch Venus,500,10000,Venus,olga@x.example
V3,Cedar Venus,500,10000,Venus,olga@x.example
V4,Dogwood Venus,500,10000,Venus,olga@x.example
V5,Elm Venus,500,10000,Venus,olga@x.example
V6,Fir Venus,500,10000,Venus,olga@x.example
V7,Gum Venus,500,10000,Venus,olga@x.example
V8,Hazel Venus,500,10000,Venus,olga@x.example
D1,Dan One,500,10000,Venus,dan@x.example
D2,Dan Two,500,10000,Venus,dan@x.example
M1,Mercury One,50,1000,Mercury,olga@x.example
"""
PEOPLE = """Email,Name,Role,New Team,Capacity
olga@x.example,Olga Old,CSM,Mercury,1
ben@x.example,Ben Okafor,CSM,Venus,1
cat@x.example,Cat Rivera,CSM,Venus,1
dan@x.example,Dan Small,CSM,Venus,0.1
"""
START = date(2027, 1, 4)


def write_scenario(folder: Path, rules: str, weeks: int = 8) -> Path:
    """The organization above as a scenario in ``folder`` with these [rules]."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    path = folder / "locks.toml"
    path.write_text(
        f'name = "Lock test"\n[plan]\nstart = {START}\nweeks = {weeks}\n'
        '[inputs]\naccounts = "accounts.csv"\npeople = "people.csv"\n'
        f"[rules]\n{rules}\n[solver]\ntime_limit_s = 5.0\nworkers = 1\n",
        encoding="utf-8")
    return path


def edit(source: Path, target: Path, edits: dict[str, dict[str, object]]) -> dict[str, int]:
    """Set Handoffs cells by account id and header, as a manager would; save to ``target``.
    Returns account id -> sheet row."""
    book = openpyxl.load_workbook(source)
    sheet = book["Handoffs"]
    col = {c.value: c.column for c in sheet[1]}
    where = {sheet.cell(r, col["Account ID"]).value: r for r in range(2, sheet.max_row + 1)}
    for account, cells in edits.items():
        for header, value in cells.items():
            sheet.cell(where[account], col[header]).value = value
    book.save(target)
    return where


def monday(week: int) -> datetime:
    return datetime.combine(START + timedelta(weeks=week), datetime.min.time())


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The scenario with one incoming handoff a week per person, planned once."""
    folder = tmp_path_factory.mktemp("locks")
    scenario = write_scenario(folder, "max_handoffs_in_per_week = 1")
    assert main(["plan", str(scenario), "--out", str(folder / "plan.xlsx"), "--quiet"]) == 0
    return scenario, folder / "plan.xlsx"


def test_four_locks_into_one_week_over_the_cap_stop_the_run(first, tmp_path, capsys) -> None:
    scenario, plan = first
    olga = [r["Account ID"] for r in sheet_rows(plan, "Handoffs") if r["From"] == "Olga Old"]
    locked = olga[:4]
    rows = edit(plan, tmp_path / "a.xlsx", {
        a: {"To": "Ben Okafor", "Start": monday(2), "Locked": "Y"} for a in locked})
    out = tmp_path / "never.xlsx"
    code = main(["plan", str(scenario), "--previous", str(tmp_path / "a.xlsx"),
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    # Ben's cap is one incoming handoff a week: the first locked row (in sheet order) fits,
    # each of the other three breaks the cap together with the rows before it.
    ordered = sorted(rows[a] for a in locked)
    for n, row in enumerate(ordered[1:], start=1):
        line = next(x for x in err.splitlines() if f"Handoffs row {row}:" in x)
        handoffs = "handoff" if n == 1 else "handoffs"
        assert f"locked in week 3 (Jan 18, 2027) with {n} other locked incoming " \
               f"{handoffs} for Ben Okafor that week" in line
        assert "the caps together allow 1 a week" in line and "Max In Per Week" in line
    assert f"Handoffs row {ordered[0]}:" not in err


def test_forced_locks_keep_what_fits_and_list_the_rest(first, tmp_path, capsys) -> None:
    scenario, plan = first
    olga = [r["Account ID"] for r in sheet_rows(plan, "Handoffs") if r["From"] == "Olga Old"]
    locked = olga[:4]
    rows = edit(plan, tmp_path / "a.xlsx", {
        a: {"To": "Ben Okafor", "Start": monday(2), "Locked": "Y"} for a in locked})
    out = tmp_path / "forced.xlsx"
    assert main(["plan", str(scenario), "--previous", str(tmp_path / "a.xlsx"),
                 "--force-locks", "--out", str(out), "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert "a.xlsx: 4 locked row(s), 1 kept exactly (owner and start week), 3 not kept" \
        in summary
    handoffs = {r["Account ID"]: r for r in sheet_rows(out, "Handoffs")}
    kept = min(locked, key=lambda a: rows[a])
    assert handoffs[kept]["To"] == "Ben Okafor" and handoffs[kept]["Locked"] == "Y"
    assert handoffs[kept]["Start"].date() == date(2027, 1, 18)
    dropped = [a for a in locked if a != kept]
    # dropped locks are planned again freely: each still gets a week, none is lost
    assert all(handoffs[a]["Start"] is not None and handoffs[a]["Locked"] is None
               for a in dropped)
    listed = [e for e in sheet_rows(out, "Exceptions") if "not kept" in (e["Suggested fix"] or "")]
    assert sorted(e["What"] for e in listed) == sorted(
        f"a.xlsx, Handoffs row {rows[a]}" for a in dropped)


def test_locked_owner_over_the_load_limit_stops_the_run(first, tmp_path, capsys) -> None:
    """Dan Small: capacity 0.1 FTE = 10 points, limit 10 x 1.15 = 11.5. He keeps one of
    his accounts (5) and hands the other over (5, carried during its 2-week overlap from
    week 1): taking Alder Venus (5) from week 1 would make 5 + 5 + 5 = 15 points."""
    scenario, plan = first
    edit(plan, tmp_path / "b.xlsx", {"V1": {"To": "Dan Small", "Start": monday(0),
                                            "Locked": "Y"}})
    out = tmp_path / "never.xlsx"
    code = main(["plan", str(scenario), "--previous", str(tmp_path / "b.xlsx"),
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and not (tmp_path / "never-crm-update.csv").exists()
    line = next(x for x in err.splitlines() if "b.xlsx, Handoffs row" in x)
    assert "locked to start in week 1 (Jan 4, 2027)" in line
    assert "Dan Small's load would reach 15 points, above the limit of 11.5 " \
           "(capacity × [rules] load_tolerance 1.15)" in line


def test_lock_after_changing_owner_and_week(first, tmp_path) -> None:
    """A manager gives an account of Cat's to Ben, two weeks later than planned, and locks
    it: the next plan has exactly that owner and week, and so has the CRM CSV."""
    scenario, plan = first
    handoffs = sheet_rows(plan, "Handoffs")
    ben_weeks = {r["Start"].date() for r in handoffs if r["To"] == "Ben Okafor"}
    row = next(r for r in handoffs if r["To"] == "Cat Rivera")
    new_start = next(d for w in range(2, 8)
                     if (d := (row["Start"] + timedelta(weeks=w)).date()) not in ben_weeks)
    edit(plan, tmp_path / "c.xlsx", {row["Account ID"]: {
        "To": "Ben Okafor", "Start": datetime.combine(new_start, datetime.min.time()),
        "Locked": "Y"}})
    out = tmp_path / "second.xlsx"
    assert main(["plan", str(scenario), "--previous", str(tmp_path / "c.xlsx"),
                 "--out", str(out), "--quiet"]) == 0
    again = {r["Account ID"]: r for r in sheet_rows(out, "Handoffs")}[row["Account ID"]]
    assert (again["To"], again["Start"].date(), again["Locked"]) == (
        "Ben Okafor", new_start, "Y")
    assert again["Handoff ID"] == row["Handoff ID"]
    with open(out.with_name("second-crm-update.csv"), encoding="utf-8", newline="") as handle:
        updates = [r for r in csv.DictReader(handle) if r["Account ID"] == row["Account ID"]]
    assert [(u["Owner field"], u["New owner ID"], u["Effective date"]) for u in updates] == [
        ("CSM", "ben@x.example", new_start.isoformat())]


def test_a_handoff_without_a_week_is_shown_and_can_be_locked(tmp_path) -> None:
    """Olga may hand over one account a week and the plan has 4 weeks, so a CSM handoff
    (2 overlap weeks, ending within the plan) starts in weeks 1-3: 3 of her 8 Venus
    accounts get a week, 5 stay with her. They are on the Handoffs sheet without dates, in
    the Gantt's "Not scheduled" group, and not in the CRM CSV; one given a Start and
    locked is kept there on the next run (and another of hers waits instead)."""
    scenario = write_scenario(tmp_path, "max_handoffs_out_per_week = 1", weeks=4)
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(scenario), "--out", str(out), "--quiet"]) == 0
    olga = [r for r in sheet_rows(out, "Handoffs") if r["From"] == "Olga Old"]
    waiting = [r for r in olga if r["Start"] is None]
    assert len(olga) == 8 and len(waiting) == 5
    for r in waiting:
        assert r["End"] is None and r["Wave"] is None
        assert r["Reason"].startswith("not scheduled: ") and "Olga Old" in r["Reason"]
        assert r["Reason"].endswith("(moves because: owner changed team (now Mercury CSM))")
    gantt = [row for row in openpyxl.load_workbook(out, read_only=True)["Gantt"].iter_rows(
        values_only=True)]
    group = next(i for i, row in enumerate(gantt) if row[0] == "Not scheduled")
    assert gantt[group][2].startswith("5 handoffs: no week found")
    assert sorted(row[0] for row in gantt[group + 1:group + 6]) == sorted(
        r["Account"] for r in waiting)
    assert all(row[4] is None and row[5] is None for row in gantt[group + 1:group + 6])
    with open(tmp_path / "plan-crm-update.csv", encoding="utf-8", newline="") as handle:
        exported = {r["Account ID"] for r in csv.DictReader(handle)}
    assert not exported & {r["Account ID"] for r in waiting}
    assert {r["Account ID"] for r in olga if r["Start"] is not None} <= exported
    chosen = waiting[0]["Account ID"]
    edit(out, tmp_path / "edited.xlsx", {chosen: {"Start": monday(2), "Locked": "Y"}})
    again = tmp_path / "again.xlsx"
    assert main(["plan", str(scenario), "--previous", str(tmp_path / "edited.xlsx"),
                 "--out", str(again), "--quiet"]) == 0
    row = {r["Account ID"]: r for r in sheet_rows(again, "Handoffs")}[chosen]
    assert row["Start"].date() == date(2027, 1, 18) and row["Locked"] == "Y"
    assert sum(r["Start"] is None for r in sheet_rows(again, "Handoffs")
               if r["From"] == "Olga Old") == 5


def test_every_problem_of_every_locked_row_in_one_run(first, tmp_path, capsys) -> None:
    """Five locked rows, each broken another way. Before: the sheet reader stopped on the
    unknown owner and the missing Start; the next run named the missing account; the
    wrong-team owner only showed after planning; the cleared To silently kept the plan's
    owner."""
    scenario, plan = first
    handoffs = {r["Account ID"]: r for r in sheet_rows(plan, "Handoffs")}
    cleared_id = handoffs["V4"]["To ID"]
    rows = edit(plan, tmp_path / "e.xlsx", {
        "V1": {"Account ID": "V99", "Locked": "Y"},
        "V2": {"To": "Olga Old", "Locked": "Y"},  # the roster puts her in Mercury
        "V3": {"To": "Nobody Known", "Locked": "Y"},
        "V4": {"To": None, "Locked": "Y"},  # To ID is left as the planner wrote it
        "V5": {"Start": None, "Locked": "Y"},
    })
    out = tmp_path / "never.xlsx"
    code = main(["plan", str(scenario), "--previous", str(tmp_path / "e.xlsx"),
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    listed = [line.removeprefix("  - ") for line in err.splitlines() if "Handoffs row" in line]
    assert listed == [f"e.xlsx, Handoffs row {rows[a]}: {text}" for a, text in sorted([
        ("V1", "account 'V99' is not in the accounts file"),
        ("V2", "new owner 'Olga Old' (Mercury CSM) cannot take the CSM role of V2 in segment "
               "Venus: that is their New Team in the roster; choose an owner of the right "
               "team"),
        ("V3", "new owner 'Nobody Known' is not in the roster"),
        ("V4", f"a locked row needs a To owner (To ID still names {cleared_id!r}); to release "
               "the role, the scenario's coverage must stop needing it, but V4 in segment "
               "Venus needs CSM: put the new owner in To, or clear Locked to let the plan "
               "choose"),
        ("V5", "locked row has no Start date (a locked row keeps its owner and its week)"),
    ], key=lambda item: rows[item[0]])]


def test_wednesday_start_is_kept_in_its_week_and_noted(first, tmp_path, capsys) -> None:
    """A locked Start typed as Wednesday 2027-01-20 is week 3 (Mon Jan 18): the plan and the
    CRM update say 2027-01-18, and the Input notes sheet says why."""
    scenario, plan = first
    row = next(r for r in sheet_rows(plan, "Handoffs") if r["To"] == "Ben Okafor")
    rows = edit(plan, tmp_path / "w.xlsx", {row["Account ID"]: {
        "Start": datetime(2027, 1, 20), "Locked": "Y"}})
    out = tmp_path / "w-plan.xlsx"
    code = main(["plan", str(scenario), "--previous", str(tmp_path / "w.xlsx"),
                 "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 0
    again = {r["Account ID"]: r for r in sheet_rows(out, "Handoffs")}[row["Account ID"]]
    assert again["Start"].date() == date(2027, 1, 18)
    expected = ("expected a Monday: 2027-01-20 is a Wednesday; the handoff starts in that week, "
                "on Monday 2027-01-18 (its date in the plan and the CRM update)")
    assert (f"Warning: w.xlsx [Handoffs], row {rows[row['Account ID']]}, column 'Start': "
            f"{expected} (found '2027-01-20')") in err
    notes = [n for n in sheet_rows(out, "Input notes") if n["Column"] == "Start"]
    assert [(n["File"], n["Row"], n["Value"], n["Expected"]) for n in notes] == [
        ("w.xlsx [Handoffs]", rows[row["Account ID"]], "2027-01-20", expected)]


def test_a_locked_release_keeps_a_blank_to(tmp_path) -> None:
    """P1 (Venus, not onboarding) no longer needs its PM: the plan releases the PM role
    (blank To). Locking that release is fine; locking a new PM owner onto it is not."""
    from planner.io.previous import PreviousHandoff, PreviousPlan
    from planner.io.readers import read_inputs
    from planner.locks import lock_problems
    from planner.scenario import load_scenario

    (tmp_path / "accounts.csv").write_text(
        "Account ID,Account Name,Employees,CSM,PM\nP1,Pine,500,ben@x.example,pia@x.example\n",
        encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        "Email,Name,Role,New Team\nben@x.example,Ben Okafor,CSM,Venus\n"
        "pia@x.example,Pia Lund,PM,Venus\n", encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(f'name = "r"\n[plan]\nstart = {START}\n[inputs]\naccounts = '
                    '"accounts.csv"\npeople = "people.csv"\n', encoding="utf-8")
    scenario = load_scenario(path)
    inputs = read_inputs(scenario)
    release = PreviousHandoff("H1", "P1", "PM", None, None, START, True, 2)
    given = PreviousHandoff("H2", "P1", "PM", "Pia Lund", "pia@x.example", START, True, 3)
    previous = PreviousPlan(tmp_path / "p.xlsx", (release, given))
    assert [str(p) for p in lock_problems(previous, inputs, scenario)] == [
        "p.xlsx, Handoffs row 3: new owner 'Pia Lund' is locked to the PM role of P1, but the "
        "account in segment Venus no longer needs PM: clear To to keep the release, or "
        "unlock the row"]
