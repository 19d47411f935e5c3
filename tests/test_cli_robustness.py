"""The CLI on a closed pipe, the wrong data set for an importer, and invalid exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from planner.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def test_validate_into_a_closed_pipe_stops_quietly() -> None:
    """`planner validate ... | head -1`: no BrokenPipeError traceback; the shell's exit code
    for a process stopped by a closed pipe (141)."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from planner.cli import main; sys.exit(main())",
         "validate", str(REPO / "scenarios" / "reference.toml")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    # what `head` does once it has its lines; closed before the report is written (reading
    # the exports takes a second), so the write is sure to meet the closed pipe
    process.stdout.close()
    err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141


def test_import_maven_from_a_folder_without_its_files(tmp_path: Path, capsys) -> None:
    assert main(["import", "maven-crm", str(tmp_path), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"error: {tmp_path}: accounts.csv, sales_teams.csv, "
                           "sales_pipeline.csv not found; the Maven CRM data set's folder "
                           "holds accounts.csv, sales_teams.csv, sales_pipeline.csv")
    assert not (tmp_path / "x").exists()


def test_import_uk_employers_from_another_csv(tmp_path: Path, capsys) -> None:
    maven_accounts = DATA / "maven-crm-sales-opportunities" / "accounts.csv"
    assert main(["import", "uk-employers", str(maven_accounts), "--out",
                 str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (f"error: {maven_accounts}: column(s) EmployerId, EmployerName, EmployerSize, "
            "DateSubmitted, PostCode not found; the UK employers CSV has EmployerId, "
            "EmployerName, EmployerSize, DateSubmitted, PostCode (headers found: account, "
            "sector, year_established") in err
    assert not (tmp_path / "x").exists()


def test_validate_with_errors_says_what_was_read(tmp_path: Path, capsys) -> None:
    (tmp_path / "accounts.csv").write_text(
        "Account ID,Account Name,Employees,CSM\nA-1,Acme,500,ana@x.example\n"
        "A-1,Acme again,50,ana@x.example\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("Email,Name,Role\nana@x.example,Ana,CSM\n",
                                         encoding="cp1252")
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "Broken"\n[plan]\nstart = 2027-01-04\n[inputs]\n'
                        'accounts = "accounts.csv"\npeople = "people.csv"\n', encoding="utf-8")
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[:3] == ["Scenario: Broken (s.toml)",
                         "Accounts read: 2 rows from accounts.csv (UTF-8)",
                         "People read:   1 row from people.csv (UTF-8)"]
    assert "Errors: 1 (nothing was written; fix these and run again)" in err
    assert "accounts.csv, row 3, column 'Account ID'" in err
