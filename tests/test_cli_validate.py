"""`planner validate` through the CLI on the public datasets, and on bad input."""

import re
from pathlib import Path

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"


def segment_counts(output):
    """Segment name -> count from the 'Accounts per segment' lines."""
    counts = {}
    for name in ("Mercury", "Mars", "Venus", "Jupiter"):
        match = re.search(rf"^  {name}\s+\S+\s+([\d,]+)$", output, flags=re.MULTILINE)
        counts[name] = int(match.group(1).replace(",", ""))
    match = re.search(r"^  exceptions \(.*\)\s+([\d,]+)$", output, flags=re.MULTILINE)
    counts["exceptions"] = int(match.group(1).replace(",", ""))
    return counts


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_shared_data_is_there():
    assert (SHARED / "data" / "SOURCES.md").is_file()


def test_maven(capsys):
    code, out, _ = run(capsys, "validate", str(SCENARIOS / "maven-accounts.toml"))
    assert code == 0
    assert segment_counts(out) == {"Mercury": 1, "Mars": 7, "Venus": 36, "Jupiter": 40,
                                   "exceptions": 1}
    assert re.search(r"- Condax 'Condax' \(row 13\) \('9'\): 9 employees is below Mercury", out)
    assert "Accounts read: 85 from accounts.csv (UTF-8)" in out
    assert "People read:   35 from sales_teams.csv" in out


def test_maven_scottech_boundary_is_mars():
    from planner.io.readers import read_inputs
    from planner.scenario import load_scenario
    from planner.segments import place_accounts

    scenario = load_scenario(SCENARIOS / "maven-accounts.toml")
    inputs = read_inputs(scenario)
    placed = place_accounts(inputs.accounts, scenario.segments, "exception")
    scottech = next(a for a in inputs.accounts if a.name == "Scottech")
    assert scottech.employees == 100 and placed[scottech.id].segment == "Mars"
    acme_children = [a for a in inputs.accounts if a.parent_id == "Acme Corporation"]
    assert len(acme_children) == 4


def test_adventureworks(capsys):
    code, out, _ = run(capsys, "validate", str(SCENARIOS / "adventureworks.toml"))
    assert code == 0
    assert "Accounts read: 701 from accounts.csv" in out
    assert "People read:   18 from people.csv" in out
    assert segment_counts(out) == {"Mercury": 608, "Mars": 6, "Venus": 0, "Jupiter": 0,
                                   "exceptions": 87}
    assert re.search(r"^  CSM\s+14$", out, flags=re.MULTILINE)  # via [inputs.role_values]


def test_uk_employers_bands(capsys):
    code, out, _ = run(capsys, "validate", str(SCENARIOS / "uk-employers.toml"))
    assert code == 0
    assert "Accounts read: 10,491 from employers_2021_22.csv (UTF-8)" in out
    # band_rule lower: 250 to 499 -> Mars; 500 to 999 and 1000 to 4999 -> Venus;
    # 5000 to 19,999 and 20,000 or more -> Jupiter; Less than 250 and Not Provided unusable
    assert segment_counts(out) == {"Mercury": 0, "Mars": 4442, "Venus": 2573 + 2173,
                                   "Jupiter": 469 + 62, "exceptions": 557 + 215}
    assert "ambiguous band: it spans Mars / Venus" in out
    assert "and 4439 more like this" in out  # 4,442 flagged, 3 shown


def test_bad_input_exit_2_with_file_row_column(capsys, tmp_path):
    (tmp_path / "accounts.csv").write_text("Account ID,Name,Employees\nA-1,One,lots\n",
                                           encoding="utf-8")
    scenario = tmp_path / "bad.toml"
    scenario.write_text('name = "bad"\n[plan]\nstart = 2026-01-05\n[inputs]\n'
                        'accounts = "accounts.csv"\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(scenario))
    assert code == 2
    assert "accounts.csv, row 2, column 'Employees'" in err and "'lots'" in err
    assert out == ""


def test_bad_scenario_exit_2(capsys, tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('name = "bad"\ncolour = 1\n', encoding="utf-8")
    code, _, err = run(capsys, "validate", str(scenario))
    assert code == 2 and "colour" in err


def test_segments_command(capsys):
    code, out, _ = run(capsys, "segments", "--span", "7", "--levels", "3-6")
    assert code == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [["A", "3", "9", "57"], ["B", "4", "58", "400"], ["C", "5", "401", "2801"],
                    ["D", "6+", "2802", "none"]]


def test_help_for_every_command(capsys):
    for argv in (["--help"], ["validate", "--help"], ["segments", "--help"], ["demo", "--help"]):
        assert main(argv) == 0
    assert main(["segments", "--levels", "six"]) == 2
    capsys.readouterr()


def test_demo_without_scenario_is_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "demo", "--scenario", str(tmp_path / "none.toml"))
    assert code == 2 and "not found" in err


def tiny(tmp_path, accounts, people=None, extra=""):
    """A scenario over hand-made CSVs; returns its path."""
    (tmp_path / "accounts.csv").write_text(accounts, encoding="utf-8")
    text = 'name = "tiny"\n[plan]\nstart = 2026-01-05\n[inputs]\naccounts = "accounts.csv"\n'
    if people is not None:
        (tmp_path / "people.csv").write_text(people, encoding="utf-8")
        text += 'people = "people.csv"\n'
    path = tmp_path / "tiny.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def section(out, title):
    """The lines of one report section: from its title to the next blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_segment_differs_section_shows_every_reason(capsys, tmp_path):
    # A: 50 employees is Mercury by size; explicit Venus wins; previous Mars differs too
    # B: 500 is Venus by size, no override; previous Mars differs from Venus
    # C: 150 is Mars, previous Mars: no change.  D: explicit Mars = its size: no change
    path = tiny(tmp_path, "Id,Name,Employees,Segment,Current Segment\n"
                "A,Alpha,50,Venus,Mars\nB,Beta,500,,Mars\nC,Gamma,150,,Mars\nD,Delta,150,Mars,\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert section(out, "Accounts whose segment differs") == [
        "Accounts whose segment differs from the explicit or previous one: 2",
        "  - A 'Alpha' (row 2): by size Mercury, goes to Venus (explicit segment overrides "
        "size; previous segment Mars)",
        "  - B 'Beta' (row 3): by size Venus, goes to Venus (previous segment Mars)",
    ]


def test_people_per_role_and_team_sections(capsys, tmp_path):
    # 2 CSMs (one via 'Customer Success Manager'), 1 PM, 1 Manager (a horizontal function);
    # teams: Venus CSM, Mars CSM, and Cy the PM in Venus PM ('Venus CSM' names a segment;
    # the role is the person's). A has 500 employees: Venus, needing a CSM (not onboarding).
    people = ("Email,Name,Role,New Team\n"
              "a@x.com,Ann,CSM,Venus\nb@x.com,Bo,Customer Success Manager,Mars\n"
              "c@x.com,Cy,PM,Venus CSM\nd@x.com,Di,Manager,\n")
    path = tiny(tmp_path, "Id,Name,Employees,CSM\nA,Alpha,500,a@x.com\n", people)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert section(out, "People per role:") == [
        "People per role:",
        f"  {'CSM':<30} {2:>5}",
        f"  {'Manager':<30} {1:>5}",
        f"  {'PM':<30} {1:>5}",
        "Teams (new):                   people  accounts",
        "  Mars CSM                          1         0",
        "  Venus CSM                         1         1",
        "  Venus PM                          1         0",
        "  not in a segment team (Manager): 1",
    ]


def test_a_team_nobody_can_cover_is_flagged(capsys, tmp_path):
    # A (500 employees) needs a Venus CSM; the only CSM is named to Mars: nobody is left
    # for Venus. With a second CSM without a new team, the planner proposes from them.
    accounts = "Id,Name,Employees\nA,Alpha,500\n"
    path = tiny(tmp_path, accounts, "Email,Name,Role,New Team\nb@x.com,Bo,CSM,Mars\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert ("  Venus CSM                         0         1  ! nobody in this team and no "
            "CSM left to propose: its accounts will be unassigned") in out.splitlines()
    path = tiny(tmp_path, accounts, "Email,Name,Role,New Team\nb@x.com,Bo,CSM,Mars\n"
                "e@x.com,Eve,CSM,\n")
    code, out, _ = run(capsys, "validate", str(path))
    lines = out.splitlines()
    assert ("  Venus CSM                         0         1  nobody named yet; proposed "
            "from the 1 CSM person without a new team") in lines
    assert "  (to propose) CSM                  1" in lines
    # two Venus accounts (5 points each by default) and one CSM at 0.02 of 100 points: the
    # team is 8 points short, as the plan would say
    two = "Id,Name,Employees\nA,Alpha,500\nB,Beta,600\n"
    path = tiny(tmp_path, two, "Email,Name,Role,New Team,Capacity\na@x.com,Ann,CSM,Venus,0.02\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert ("  Venus CSM                         1         2  ! 8 points of work more than its "
            "people's capacity (about 0.1 people): some accounts will be unassigned"
            ) in out.splitlines()
    # a leaver (last day inside the plan) takes no new account: not counted in the team
    path = tiny(tmp_path, accounts, "Email,Name,Role,New Team,Last Day\n"
                "a@x.com,Ann,CSM,Venus,2026-03-31\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert ("  Venus CSM                         0         1  ! nobody in this team and no "
            "CSM left to propose: its accounts will be unassigned") in out.splitlines()


def test_columns_used_and_ignored_with_a_near_miss(capsys, tmp_path):
    path = tiny(tmp_path, "Account ID,Name,Employees,Renewal Date (MM/DD/YYYY),Sector,Reigon\n"
                "A,Alpha,50,04/13/2026,Retail,EMEA\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert section(out, "Columns used:") == [
        "Columns used:",
        "  accounts.csv",
        "    id        <- Account ID",
        "    name      <- Name",
        "    employees <- Employees",
        "    renewal   <- Renewal Date (MM/DD/YYYY)",
        "Columns ignored:",
        "  accounts.csv: Sector, Reigon",
    ]
    assert ("accounts.csv, row 1, column 'Reigon': expected a column the planner reads; this "
            "one is ignored but looks like region: if it is, set [inputs.account_columns] "
            "region = \"Reigon\"") in out


def test_segments_command_other_spans(capsys):
    # span 5: max(L) = (5^L - 1) / 4 -> L=2: 6, L=3: 31, L=4: 156; min(L) = max(L-1) + 1
    code, out, _ = run(capsys, "segments", "--span", "5", "--levels", "3-5")
    assert code == 0 and out.splitlines()[0] == "Segments from first principles: span 5, " \
        "levels 3-5"
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [["A", "3", "7", "31"], ["B", "4", "32", "156"], ["C", "5+", "157", "none"]]
    # span 3: max(L) = (3^L - 1) / 2 -> L=1: 1, L=2: 4, L=3: 13
    code, out, _ = run(capsys, "segments", "--span", "3", "--levels", "2-4")
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows == [["A", "2", "2", "4"], ["B", "3", "5", "13"], ["C", "4+", "14", "none"]]
    assert run(capsys, "segments", "--span", "1")[0] == 2


def test_missing_input_file_is_one_error(capsys, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[plan]\nstart = 2026-01-05\n[inputs]\naccounts = "gone.csv"\n'
                        'people = "also-gone.csv"\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(scenario))
    assert code == 2 and out == ""
    # one error per missing file; no "expected an account id column" or owner knock-ons
    assert err.count("file not found") == 2 and "Errors: 2" in err
    assert f"file not found: {tmp_path / 'gone.csv'}" in err


def test_segments_levels_past_z_are_refused(capsys):
    # before: levels 1-60 printed personas A..Z and then z, {, |, ... (chr past 'Z')
    code, out, err = run(capsys, "segments", "--span", "2", "--levels", "1-60")
    assert code == 2 and out == ""
    assert err.strip() == ("error: --levels = '1-60': expected a range like \"3-6\" (fewest-most "
                           "levels, from 1 to 26: one persona per level count, A to Z)")


def test_validate_with_errors_counts_the_rows_read_below_title_rows(tmp_path, capsys):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Accounts"
    for row in (["Orbit Cloud - Account export"], ["Generated 2027-01-02 by Jane"], [],
                ["Account ID", "Account Name", "Employees", "ARR"],
                ["X1", "One", 120, "=1000*12"], ["X2", "Two", "=3000+400", 50000],
                ["X3", "Three", 45, 5000]):
        sheet.append(row)
    workbook.save(tmp_path / "accounts.xlsx")  # openpyxl saves formulas without results
    (tmp_path / "s.toml").write_text('name = "x"\n[plan]\nstart = 2027-01-04\n[inputs]\n'
                                     'accounts = "accounts.xlsx"\n', encoding="utf-8")
    code, _, err = run(capsys, "validate", str(tmp_path / "s.toml"))
    # rows 5-7 are read (the header is row 4, below the title rows); two cells have no
    # saved result. Before: "1 row", the title row taken as a one-column header.
    assert code == 2
    assert err.splitlines()[1] == ("Accounts read: 3 rows from accounts.xlsx [Accounts] (XLSX, "
                                   "sheet 'Accounts')")
    assert "Errors: 2 (fix these and run again)" in err
