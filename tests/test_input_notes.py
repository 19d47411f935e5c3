"""Input notes name the columns as the files do, on a one-handoff plan.

Olga leaves before the plan ends, so her Venus account V1 goes to the only other Venus CSM,
whose roster id '=ben' a spreadsheet would read as a formula: the note about it names the
roster's own id header ('Work Email'), not the planner's field name ('id').
"""

from __future__ import annotations

from pathlib import Path

from planner.pipeline import plan
from planner.reporting import RunFacts, build_report
from planner.scenario import load_scenario


def test_formula_like_owner_id_note_names_the_roster_header(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "Account Number,Account Name,Employees,CSM\nV1,Alder,500,olga@x.example\n",
        encoding="utf-8")
    (tmp_path / "people.csv").write_text(
        "Work Email,Name,Role,New Team,Last Day\n"
        "olga@x.example,Olga Old,CSM,Venus,2027-01-29\n=ben,Ben Okafor,CSM,Venus,\n",
        encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text('name = "notes"\n[plan]\nstart = 2027-01-04\nweeks = 6\n[inputs]\n'
                    'accounts = "accounts.csv"\npeople = "people.csv"\n'
                    "[solver]\ntime_limit_s = 5.0\nworkers = 1\n", encoding="utf-8")
    result = plan(load_scenario(path))
    report = build_report(result, facts=RunFacts(owner_fields={"CSM": "CSM"}))
    (note,) = [n for n in report.notes.to_dict("records") if n["Value"] == "=ben"]
    # before: Column 'id' (the planner's field), which is not a header of people.csv
    assert (note["File"], note["Row"], note["Column"]) == ("people.csv", 3, "Work Email")
