"""One test per case in ../shared/cases, with the values each README states."""

from datetime import date
from pathlib import Path

import pytest

from planner.domain import InputError
from planner.io import values as v
from planner.io.readers import load_accounts, load_people, read_inputs
from planner.io.tables import read_table
from planner.scenario import load_scenario

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def scenario(tmp_path, accounts, people=None, extra=""):
    """A scenario file in tmp_path pointing at the given (absolute) input paths."""
    text = 'name = "case"\n[plan]\nstart = 2026-01-05\nweeks = 12\n[inputs]\n'
    text += f'accounts = "{accounts}"\n'
    if people is not None:
        text += f'people = "{people}"\n'
    path = tmp_path / "case.toml"
    path.write_text(text + extra, encoding="utf-8")
    return load_scenario(path)


def by_id(accounts):
    return {a.id: a for a in accounts}


@pytest.mark.parametrize("name", ["accounts_bom.csv", "accounts_nobom.csv",
                                  "accounts_bom_unquoted.csv"])
def test_c01_bom_and_quoted_headers(tmp_path, name):
    inputs = read_inputs(scenario(tmp_path, CASES / "c01-bom-quoted-headers" / name))
    assert [a.id for a in inputs.accounts] == ["A-1001", "A-1002", "A-1003"]
    assert [a.arr for a in inputs.accounts] == [48000.0, 410500.0, 12000.0]
    assert [a.employees for a in inputs.accounts] == [120, 3400, 45]
    assert inputs.accounts[0].owners == {"CSM": "ana.ruiz@example.com"}
    assert read_table(CASES / "c01-bom-quoted-headers" / name).headers[0] == "Account ID"


def test_c02_windows_1252(tmp_path):
    people_path = CASES / "c02-windows-1252" / "people.csv"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("Account ID,Account Name,Employees,CSM\nK-1,K,500,Kai Berg\n",
                        encoding="utf-8")
    case = scenario(tmp_path, accounts, people_path)
    assert read_table(people_path).encoding == "Windows-1252"
    people, _ = load_people(case)
    names = {p.id: p.name for p in people}
    assert names["jose.nunez@example.com"] == "José Núñez"
    assert names["zoe.obrien@example.com"] == "Zoë O’Brien"
    assert v.key_text(names["kai.berg@example.com"]) == "Kai Berg"
    with pytest.raises(InputError) as caught:
        read_inputs(case)
    (error,) = caught.value.problems
    assert (error.severity, error.file, error.row) == ("error", "people.csv", 5)
    assert "mina.rao@example.com" in error.value
    # the owner written "Kai Berg" (plain space) resolved to the person with a no-break space


def test_c03_money_and_counts(tmp_path):
    accounts, problems = load_accounts(scenario(tmp_path, CASES / "c03-money-and-counts"
                                                / "accounts.csv"))
    got = by_id(accounts)
    assert got["A-1"].employees == 1250
    assert {k: a.arr for k, a in got.items()} == {
        "A-1": 1_200_000.0, "A-2": 1200.0, "A-3": 950.0, "A-4": -2500.0, "A-5": 10_000.0,
        "A-6": None, "A-7": None}
    warned = {(p.row, p.value) for p in problems if p.severity == "warning" and p.column == "ARR"}
    assert warned == {(5, "(2,500.00)"), (7, ""), (8, "N/A")}
    assert not [p for p in problems if p.severity == "error"]


def test_c04_employee_bands(tmp_path):
    case = scenario(tmp_path, CASES / "c04-employee-bands" / "accounts.csv")
    inputs = read_inputs(case)
    from planner.segments import place_accounts

    placed = {k: p.segment for k, p in place_accounts(inputs.accounts, case.segments,
                                                      "exception").items()}
    for jupiter in ("B-2", "B-5", "B-6", "B-7", "B-13"):
        assert placed[jupiter] == "Jupiter"
    assert placed["B-8"] == "Mars"
    assert by_id(inputs.accounts)["B-8"].employees == 300
    assert by_id(inputs.accounts)["B-4"].employees_raw == "201 - 500"
    for missing in ("B-3", "B-9", "B-10", "B-12"):
        assert placed[missing] is None
    notes = {}
    for note in inputs.notes:
        notes.setdefault(note.row, []).append(note.expected)
    row = {f"B-{i}": i + 1 for i in range(1, 15)}
    for ambiguous, pair in (("B-1", "Mercury / Mars"), ("B-4", "Mars / Venus"),
                            ("B-14", "Mars / Venus"), ("B-11", "Mars / Venus")):
        assert any("ambiguous band" in n and pair in n for n in notes[row[ambiguous]])
    assert any("approximate" in n for n in notes[row["B-8"]])
    for reported in ("B-3", "B-9", "B-10", "B-12"):
        assert notes[row[reported]]
    strict = scenario(tmp_path, CASES / "c04-employee-bands" / "accounts.csv",
                      extra='missing_size = "error"\n')
    with pytest.raises(InputError) as caught:
        read_inputs(strict)
    assert {p.row for p in caught.value.problems if p.severity == "error"} == {
        row["B-9"], row["B-10"], row["B-12"]}


def test_c05_date_orders(tmp_path):
    folder = CASES / "c05-date-orders"
    dmy = by_id(read_inputs(scenario(tmp_path, folder / "accounts_dmy.csv")).accounts)
    assert [dmy[k].renewal for k in ("D-1", "D-2", "D-3", "D-4")] == [
        date(2025, 4, 3), date(2025, 4, 13), date(2025, 6, 30), date(2025, 4, 28)]
    inputs = read_inputs(scenario(tmp_path, folder / "accounts_dmy.csv"))
    assert any(n.row == 5 and "Excel serial" in n.expected for n in inputs.notes)
    mdy = by_id(read_inputs(scenario(tmp_path, folder / "accounts_mdy.csv")).accounts)
    assert mdy["E-2"].renewal == date(2025, 3, 4)
    assert mdy["E-1"].renewal == date(2025, 4, 13)
    with pytest.raises(InputError) as caught:
        read_inputs(scenario(tmp_path, folder / "accounts_ambiguous.csv"))
    (error,) = caught.value.problems
    assert error.column == "Renewal Date" and "date_order" in error.expected
    ordered = read_inputs(scenario(tmp_path, folder / "accounts_ambiguous.csv",
                                   extra='date_order = "DMY"\n'))
    assert by_id(ordered.accounts)["F-1"].renewal == date(2025, 4, 3)
    xlsx = read_inputs(scenario(tmp_path, folder / "accounts.xlsx")).accounts
    assert [a.renewal for a in xlsx] == [date(2025, 6, 30), date(2025, 4, 28),
                                         date(2025, 4, 28)]


def test_c06_people_duplicates(tmp_path):
    folder = CASES / "c06-people-duplicates"
    case = scenario(tmp_path, folder / "accounts.csv", folder / "people.csv")
    with pytest.raises(InputError) as caught:
        read_inputs(case)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column, p.value) for p in errors] == [
        ("people.csv", 7, "Team", "Mars"),
        ("accounts.csv", 4, "CSM", "nobody@example.com"),
    ]
    assert "row 6" in errors[0].expected
    merged = [p for p in caught.value.problems if "same person" in p.expected
              and p.severity == "warning"]
    assert len(merged) == 1 and "rows 2, 3, 4" in merged[0].expected
    people, _ = load_people(case)
    ana = [p for p in people if p.name == "Ana Ruiz"]
    assert sorted(p.id for p in ana) == ["ana.ruiz2@example.com", "ana.ruiz@example.com"]
    assert next(p for p in ana if p.id == "ana.ruiz@example.com").manager == "Lee Chen"


def test_c07_formatted_empty_rows(tmp_path):
    inputs = read_inputs(scenario(tmp_path, CASES / "c07-formatted-empty-rows"
                                  / "accounts.xlsx"))
    assert [a.id for a in inputs.accounts] == ["X-1", "X-2", "X-3", "X-4", "X-5"]
    assert [a.row for a in inputs.accounts] == [2, 3, 4, 6, 7]
    assert any(n.row == 5 and "blank row" in n.expected for n in inputs.notes)


def test_c08_reader_keeps_formula_like_text_exactly(tmp_path):
    inputs = read_inputs(scenario(tmp_path, CASES / "c08-formula-injection" / "accounts.csv"))
    names = [a.name for a in inputs.accounts]
    assert names == ['=HYPERLINK("http://evil.example","open")', "+SUM(1;2)", "@Team Lead Co",
                     "Normal Co"]
    assert by_id(inputs.accounts)["I-4"].arr == -2500.0


def test_c09_fractional_capacity(tmp_path):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("Account ID,Account Name,Employees,CSM\nC-1,C,500,p1@example.com\n",
                        encoding="utf-8")
    inputs = read_inputs(scenario(tmp_path, accounts,
                                  CASES / "c09-fractional-capacity" / "people.csv"))
    assert [p.capacity for p in inputs.people] == [0.5, 0.8, 1.0]


def test_c10_awkward_labels_kept_exactly(tmp_path):
    long_name = "Strategic Accounts – North America East"
    extra = ("[[segments]]\nname = \"smb\"\nmin_employees = 10\n"
             "[[segments]]\nname = \"Mid-Market [2025]\"\nmin_employees = 100\n"
             f"[[segments]]\nname = \"{long_name}\"\nmin_employees = 1000\n")
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("Account ID,Account Name,Employees,Segment\n"
                        "L-1,Enterprise: EMEA/APAC,50,mid-market [2025]\nL-2,History,5000,\n",
                        encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text(f"Email,Name,Team\np@x.com,P,{long_name} CSM\n", encoding="utf-8")
    path = tmp_path / "labels.toml"
    path.write_text(f'name = "labels"\n[plan]\nstart = 2026-01-05\n[inputs]\n'
                    f'accounts = "{accounts}"\npeople = "{people}"\n' + extra, encoding="utf-8")
    inputs = read_inputs(load_scenario(path))
    assert [a.name for a in inputs.accounts] == ["Enterprise: EMEA/APAC", "History"]
    assert inputs.accounts[0].explicit_segment == "Mid-Market [2025]"
    assert inputs.people[0].new_team == f"{long_name} CSM"
    assert not inputs.notes
