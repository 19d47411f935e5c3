"""The CLI on a closed pipe, a full disk, outputs it must not replace, the wrong data set for
an importer, and invalid exports."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
MAVEN = DATA / "maven-crm-sales-opportunities"


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
    assert "Errors: 1 (fix these and run again)" in err  # validate writes nothing
    assert "accounts.csv, row 3, column 'Account ID'" in err


# --- outputs: a full disk, a folder that cannot be written, the plan re-planned from -----


def _tiny_scenario(folder: Path, new_team: str = "Mercury") -> Path:
    """Two Mercury accounts and one CSM: plans in well under a second."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(
        "Account ID,Account Name,Employees,ARR,CSM\nA1,Acme,50,1000,ana@x.example\n"
        "A2,Birch,60,2000,ana@x.example\n", encoding="utf-8")
    (folder / "people.csv").write_text(
        f"Email,Name,Role,New Team\nana@x.example,Ana,CSM,{new_team}\n", encoding="utf-8")
    path = folder / "tiny.toml"
    path.write_text('name = "Tiny"\n[plan]\nstart = 2027-01-04\nweeks = 4\n[inputs]\n'
                    'accounts = "accounts.csv"\npeople = "people.csv"\n'
                    "[solver]\ntime_limit_s = 2.0\nworkers = 1\n", encoding="utf-8")
    return path


def _dot_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("previous, after", [
    (b"the last good plan", "the previous plan is unchanged"),
    (None, "nothing was written"),
])
def test_a_full_disk_is_an_output_error_not_a_traceback(
        tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, previous: bytes | None,
        after: str) -> None:
    """The disk fills while the plan is written (os.fsync reports ENOSPC): one line that
    names the file, exit 2, the previous plan's bytes unchanged, no temporary file left."""
    scenario = _tiny_scenario(tmp_path / "in")
    out = tmp_path / "out" / "plan.xlsx"
    out.parent.mkdir()
    if previous is not None:
        out.write_bytes(previous)

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("planner.io.atomic.os.fsync", disk_full)
    assert main(["plan", str(scenario), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"Output error: not enough disk space to write {out}; {after}\n"
    assert captured.out == ""
    assert (out.read_bytes() if out.exists() else None) == previous
    assert sorted(p.name for p in out.parent.iterdir()) == (["plan.xlsx"] if previous else [])


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="Linux /proc only")
def test_out_in_a_folder_that_takes_no_files(tmp_path: Path, capsys) -> None:
    assert main(["plan", str(_tiny_scenario(tmp_path)), "--out", "/proc/x.xlsx"]) == 2
    assert capsys.readouterr().err == (
        "Output error: /proc: this folder cannot be written (it does not accept new files); "
        "choose another output path\n")


def test_out_may_not_replace_the_previous_plan(tmp_path: Path, capsys,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The manager's edited workbook is the --previous: writing the new plan over it would
    lose the edits. Refused before anything is solved, whether --out names it (here by
    another spelling of the path) or the default out/<scenario name>.xlsx is it."""
    scenario = _tiny_scenario(tmp_path / "in")
    edited = tmp_path / "out" / "Tiny.xlsx"
    edited.parent.mkdir()
    edited.write_bytes(b"the manager's edits")

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("planned although the output is the previous plan")

    monkeypatch.setattr("planner.run.run_plan", never)
    monkeypatch.chdir(tmp_path)
    runs = [["--previous", str(edited), "--out", "in/../out/Tiny.xlsx"],
            ["--previous", "out/Tiny.xlsx"]]  # default --out: out/Tiny.xlsx
    for options in runs:
        assert main(["plan", str(scenario), *options]) == 2
        assert capsys.readouterr().err == (
            f"Output error: --out would replace the previous plan you are re-planning from "
            f"({options[1]}); write the new plan to another file\n")
    assert edited.read_bytes() == b"the manager's edits"


def test_a_folder_given_as_the_scenario(tmp_path: Path, capsys) -> None:
    _tiny_scenario(tmp_path)
    assert main(["plan", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"Scenario error: {tmp_path}: is a folder; expected a "
                                       "scenario .toml file (this folder holds tiny.toml)\n")
    assert main(["validate", str(tmp_path / "empty")]) == 2  # not there: not found
    assert capsys.readouterr().err.endswith("empty: scenario file not found\n")
    (tmp_path / "empty").mkdir()
    assert main(["validate", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err == (f"Scenario error: {tmp_path / 'empty'}: is a folder; "
                                       "expected a scenario .toml file\n")


def test_library_warnings_are_plain_words_without_v(tmp_path: Path, capsys) -> None:
    """A roster whose new team is not a segment: the warning reads like the CLI's own
    lines; with -v the log format (level and module) comes back, with the info lines."""
    scenario = _tiny_scenario(tmp_path / "in", new_team="Saturn")
    out = tmp_path / "plan.xlsx"
    assert main(["plan", str(scenario), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err == ("Warning: ana@x.example: the roster's new team 'Saturn' is not a segment "
                   "(Mercury, Mars, Venus, Jupiter); the planner proposes a team\n")
    assert main(["-v", "plan", str(scenario), "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("WARNING planner.teams: ana@x.example: the roster's new team 'Saturn' is not a "
            "segment") in err
    assert "INFO planner." in err


# --- import: never silently over a CRM export or an edited scenario ----------------------


def test_import_refuses_to_replace_files_unless_forced(tmp_path: Path, capsys) -> None:
    out = tmp_path / "overwrite"
    out.mkdir()
    (out / "accounts.csv").write_text("my precious CRM export", encoding="utf-8")
    (out / "maven-crm.toml").write_text("# my edited scenario\n", encoding="utf-8")
    command = ["import", "maven-crm", str(MAVEN), "--out", str(out)]
    assert main(command) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"error: {out} already holds accounts.csv, maven-crm.toml; the "
                            "import would replace them (nothing was written). Give another "
                            "--out folder, or add --force to replace them\n")
    assert (out / "accounts.csv").read_text(encoding="utf-8") == "my precious CRM export"
    assert sorted(p.name for p in out.iterdir()) == ["accounts.csv", "maven-crm.toml"]
    assert main([*command, "--force"]) == 0
    capsys.readouterr()
    assert (out / "accounts.csv").read_text(encoding="utf-8").startswith("Account ID,")
    assert sorted(p.name for p in out.iterdir()) == ["accounts.csv", "maven-crm.toml",
                                                     "people.csv"]


def test_import_never_writes_over_the_data_set_itself(tmp_path: Path, capsys) -> None:
    """--out the Maven folder itself: its own accounts.csv would be replaced; refused even
    with --force (a copy of the data set here, so that a bug cannot harm the real one)."""
    copy = tmp_path / "maven"
    shutil.copytree(MAVEN, copy)
    before = (copy / "accounts.csv").read_bytes()
    assert main(["import", "maven-crm", str(copy), "--out", str(copy), "--force"]) == 2
    assert capsys.readouterr().err == (f"error: --out {copy}: accounts.csv would replace the "
                                       "data set's own file; write the inputs to another "
                                       "folder\n")
    assert (copy / "accounts.csv").read_bytes() == before
    assert not (copy / "maven-crm.toml").exists()


def test_import_help_documents_force(capsys) -> None:
    assert main(["import", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--force replace accounts.csv, people.csv and the scenario when the --out folder " \
           "already holds them" in text
