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
