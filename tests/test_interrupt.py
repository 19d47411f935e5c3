"""Ctrl-C during `planner plan`: it always stops at once, says so, exits 130, writes nothing.

Each test runs the real command in a subprocess on the reference scenario (with a short
time limit) and sends SIGINT at a point of the run: while Python imports the planner (the
`planner` console script itself, a fixed delay after it starts), after a fixed delay, or
when the progress shows a stage (reading, assigning, scheduling, writing). The previous
plan's bytes must be unchanged and no temporary file may be left beside it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MESSAGE = "interrupted: nothing was written; the previous plan is unchanged"
PROMPT = 5.0  # seconds the process may take to stop after Ctrl-C (it takes well under one)

# The command, with an optional slow-down of one writer so that Ctrl-C lands mid-write.
RUNNER = """
import sys, time
slow = sys.argv[1]
if slow == "csv":  # the workbook's temporary file exists; the CSV is being written
    import planner.io.crm_csv as crm
    import planner.run as run
    original = crm.write_crm_csv
    def write_crm_csv(report, path):
        print("writing the CSV", file=sys.stderr, flush=True)
        time.sleep(60)
        return original(report, path)
    run.write_crm_csv = write_crm_csv
from planner.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference scenario with a 2-second time limit per stage (the run takes ~4 s, of
    which ~2.5 s after the first progress line: the delays below stay inside that)."""
    folder = tmp_path_factory.mktemp("interrupt")
    text = (REPO / "scenarios" / "reference.toml").read_text(encoding="utf-8")
    reference = (REPO / "scenarios" / "reference").as_posix()
    text = text.replace('"reference/', f'"{reference}/')
    text = text.replace("time_limit_s = 10.0", "time_limit_s = 2.0")
    assert "time_limit_s = 2.0" in text
    path = folder / "reference-fast.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _previous_plan(folder: Path) -> tuple[Path, bytes, bytes]:
    """A stand-in previous plan and CRM CSV whose bytes the run must not change."""
    out = folder / "plan.xlsx"
    out.write_bytes(b"the last good plan")
    (folder / "plan-crm-update.csv").write_bytes(b"the last good csv\r\n")
    return out, out.read_bytes(), (folder / "plan-crm-update.csv").read_bytes()


def _interrupt(scenario: Path, out: Path, *, when: str = "reading", delay: float = 0.0,
               slow: str = "none") -> tuple[int, str, float]:
    """Run the command, send SIGINT ``delay`` seconds after stderr shows ``when`` (the first
    progress line by default: Python's start-up is not the planner's to guard); return
    (exit code, stderr, seconds from SIGINT to exit)."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, slow, "plan", str(scenario), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        # a shell's background job ignores SIGINT; a terminal's foreground one does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    seen = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if when in line:
                seen.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert seen.wait(120), f"never saw {when!r}: {''.join(lines)}"
    time.sleep(delay)
    assert process.poll() is None, "the run ended before Ctrl-C: " + "".join(lines)
    sent = time.perf_counter()
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=60)
    finally:
        process.kill()
    stopped = time.perf_counter() - sent
    reader.join(5)
    return code, "".join(lines), stopped


def _assert_nothing_written(out: Path, workbook: bytes, csv: bytes) -> None:
    assert out.read_bytes() == workbook
    assert (out.parent / "plan-crm-update.csv").read_bytes() == csv
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def _console_script() -> Path:
    """The `planner` command installed beside this Python (the venv's bin folder)."""
    script = Path(sys.executable).parent / "planner"
    if not script.exists():
        pytest.skip(f"no `planner` console script beside {sys.executable}")
    return script


@pytest.mark.parametrize("delay", [0.1, 0.3])
def test_ctrl_c_while_the_command_starts(scenario: Path, tmp_path: Path, delay: float) -> None:
    """SIGINT 0.1 s after `planner` starts lands while Python imports pandas and OR-Tools
    (they take most of a second; Python itself is up in a few hundredths): no traceback from
    the import, the message, exit 130. `import planner` is lazy, so the command's Ctrl-C
    handler is installed before the slow imports begin."""
    out, workbook, csv = _previous_plan(tmp_path)
    process = subprocess.Popen(
        [str(_console_script()), "plan", str(scenario), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(delay)
    assert process.poll() is None, "the command ended before Ctrl-C"
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert err == MESSAGE + "\n"
    _assert_nothing_written(out, workbook, csv)


def test_importing_the_package_is_quick_and_leaves_ctrl_c_alone() -> None:
    """`import planner` and `import planner.cli` load neither pandas nor OR-Tools (the
    public names come on first use), and a program that imports the CLI keeps its own
    Ctrl-C: only the `planner` command installs the handler."""
    code = ("import signal, sys, planner, planner.cli\n"
            "print(sorted(m for m in ('pandas', 'ortools', 'openpyxl', 'networkx') "
            "if m in sys.modules))\n"
            "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n"
            "from planner import plan\n"
            "print('pandas' in sys.modules and 'ortools' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert run.stdout.splitlines() == ["[]", "True", "True"], run.stderr


@pytest.mark.parametrize("delay", [0.0, 0.7, 1.5])
def test_ctrl_c_after_a_delay_stops_and_writes_nothing(scenario: Path, tmp_path: Path,
                                                       delay: float) -> None:
    out, workbook, csv = _previous_plan(tmp_path)
    code, err, stopped = _interrupt(scenario, out, delay=delay)
    assert code == 130, err
    assert MESSAGE in err
    assert "Traceback" not in err
    assert stopped < PROMPT
    _assert_nothing_written(out, workbook, csv)


@pytest.mark.parametrize("when", ["assign: part 1 of", "scheduling part"])
def test_ctrl_c_during_a_solve_stops_the_solver(scenario: Path, tmp_path: Path,
                                                when: str) -> None:
    """The CP-SAT solves must not swallow Ctrl-C (they used to stop their search and let
    the run go on to replace the previous plan)."""
    out, workbook, csv = _previous_plan(tmp_path)
    code, err, stopped = _interrupt(scenario, out, when=when)
    assert code == 130, err
    assert MESSAGE in err
    assert stopped < PROMPT
    assert "writing" not in err.split(when, 1)[1]
    _assert_nothing_written(out, workbook, csv)


def test_ctrl_c_while_writing_keeps_both_previous_files(scenario: Path, tmp_path: Path) -> None:
    """The workbook is already in its temporary file when Ctrl-C comes: it is removed, and
    neither the workbook nor the CSV is replaced."""
    out, workbook, csv = _previous_plan(tmp_path)
    code, err, stopped = _interrupt(scenario, out, when="writing the CSV", slow="csv")
    assert code == 130, err
    assert MESSAGE in err
    assert stopped < PROMPT
    _assert_nothing_written(out, workbook, csv)
