"""Atomic output: a failing writer never replaces the last good file."""

from __future__ import annotations

import builtins
import errno
import gc
import io
import os
import stat
import sys
from pathlib import Path

import pytest
from report_samples import sample_report

from planner.io import atomic as atomic_module
from planner.io import workbook as workbook_module
from planner.io.atomic import (
    OutputError,
    OutputsClosed,
    atomic_batch,
    atomic_open,
    atomic_path,
    committed_outputs,
    ensure_writable,
    write_problem,
)
from planner.io.crm_csv import write_crm_csv
from planner.io.workbook import write_workbook


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_success_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_open(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_midway_leaves_the_previous_file(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "out.txt"
    target.write_text("last good plan")
    with pytest.raises(type(error)):
        with atomic_open(target) as handle:
            handle.write("half a plan")
            raise error
    assert target.read_text() == "last good plan"
    assert _leftovers(tmp_path) == []


def _disk_full(*_args: object) -> None:
    """os.fsync on a full disk (where ENOSPC often shows: the data is flushed there)."""
    raise OSError(errno.ENOSPC, "No space left on device")


def test_workbook_writer_raising_midway_keeps_the_last_good_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk is an OutputError naming the workbook (it used to be an OSError with a
    traceback, then a second one from openpyxl's ZipFile when it was collected)."""
    target = tmp_path / "plan.xlsx"
    write_workbook(sample_report(), target)
    good = target.read_bytes()

    def explode(*_args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(atomic_module.os, "fsync", _disk_full)
        with pytest.raises(OutputError) as caught:
            write_workbook(sample_report(), target)
    assert str(caught.value) == f"not enough disk space to write {target}"
    assert caught.value.path == target
    assert target.read_bytes() == good
    monkeypatch.setattr(workbook_module, "_write_weekly", explode)
    with pytest.raises(KeyboardInterrupt):
        write_workbook(sample_report(), target)
    assert target.read_bytes() == good
    assert _leftovers(tmp_path) == []


def test_a_full_disk_while_saving_leaves_no_stray_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after the first 100 bytes of any file written in the folder: one
    OutputError, and nothing for Python to report later ("Exception ignored in ...": what
    openpyxl's own save left behind when it wrote the file itself)."""
    target = tmp_path / "plan.xlsx"
    target.write_bytes(b"last good plan")
    real_open = io.open

    class FullDisk(io.FileIO):
        """A raw file that takes 100 bytes, then reports a full disk."""

        def write(self, data: object) -> int:
            room = 100 - self.tell()
            if room <= 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(bytes(memoryview(data))[:room])  # type: ignore[arg-type]

    def full_disk_open(file: object, mode: str = "r", *args: object, **kwargs: object):
        if isinstance(file, (str, Path)) and Path(file).parent == tmp_path and (
                "w" in mode or "+" in mode):
            raw = FullDisk(file, mode.replace("b", "").replace("t", "") or "r")
            if "b" in mode:
                return io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
            return io.TextIOWrapper(io.BufferedWriter(raw), encoding=kwargs.get("encoding"))
        return real_open(file, mode, *args, **kwargs)

    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    monkeypatch.setattr(io, "open", full_disk_open)
    monkeypatch.setattr(builtins, "open", full_disk_open)
    with pytest.raises(OutputError, match=f"^not enough disk space to write {target}$"):
        write_workbook(sample_report(), target)
    monkeypatch.undo()
    gc.collect()
    assert unraisable == []
    assert target.read_bytes() == b"last good plan"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("code, expected", [
    (errno.ENOSPC, "not enough disk space to write out/plan.xlsx"),
    (errno.EDQUOT, "not enough disk space to write out/plan.xlsx"),
    (errno.EACCES, "cannot write out/plan.xlsx: permission denied"),
    (errno.EROFS, "cannot write out/plan.xlsx: the file system is read-only"),
    (errno.EIO, "cannot write out/plan.xlsx: Input/output error"),
])
def test_write_problems_in_plain_words(code: int, expected: str) -> None:
    assert write_problem(Path("out/plan.xlsx"), OSError(code, os.strerror(code))) == expected


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="Linux /proc only")
def test_ensure_writable_says_a_folder_like_proc_cannot_be_written() -> None:
    """Creating a file in /proc fails with "No such file or directory", which reads as if
    /proc were missing: the message says the folder cannot be written."""
    with pytest.raises(OutputError) as caught:
        ensure_writable("/proc/x.xlsx")
    assert str(caught.value) == ("/proc: this folder cannot be written (it does not accept "
                                 "new files); choose another output path")


def test_a_rename_failing_after_another_says_which_was_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "plan.xlsx", tmp_path / "plan.csv"
    real_replace = os.replace
    calls: list[object] = []

    def replace_once(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(atomic_module.os, "replace", replace_once)
    with pytest.raises(OutputError) as caught:
        with atomic_batch():
            with atomic_open(first) as handle:
                handle.write("new plan")
            with atomic_open(second) as handle:
                handle.write("new csv")
    assert str(caught.value) == (f"cannot write {second}: permission denied ({first} "
                                 "already replaced)")
    assert caught.value.replaced == (first,)
    assert first.read_text() == "new plan" and not second.exists()
    assert _leftovers(tmp_path) == []


def test_csv_writer_failure_keeps_the_last_good_csv(tmp_path: Path) -> None:
    target = tmp_path / "crm.csv"
    target.write_bytes(b"last good\r\n")
    report = sample_report()
    broken = type("Boom", (), {"__str__": lambda self: 1 / 0})()
    report.crm.loc[5, "Account ID"] = broken  # fails after five rows were written
    with pytest.raises(ZeroDivisionError):
        write_crm_csv(report, target)
    assert target.read_bytes() == b"last good\r\n"
    assert _leftovers(tmp_path) == []


def test_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "fresh.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
    mode = stat.S_IMODE(target.stat().st_mode)
    assert mode & 0o044  # readable by others as usual, not mkstemp's 0600


def test_ensure_writable_creates_the_folder(tmp_path: Path) -> None:
    path = ensure_writable(tmp_path / "out" / "plan.xlsx")
    assert path.parent.is_dir() and not path.exists()
    assert _leftovers(path.parent) == []


def test_ensure_writable_rejects_a_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        ensure_writable(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_ensure_writable_rejects_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="this folder cannot be written"):
            ensure_writable(folder / "plan.xlsx")
    finally:
        folder.chmod(0o700)


def test_ensure_writable_reports_a_folder_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("planner.io.atomic.tempfile.mkstemp", denied)
    with pytest.raises(OutputError) as caught:
        ensure_writable(tmp_path / "plan.xlsx")
    assert str(caught.value) == (f"{tmp_path}: this folder cannot be written (permission "
                                 "denied); choose another output path")


def test_an_existing_plan_on_a_read_only_file_system_blames_the_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # there every file is read-only too; the message named the file ("or open elsewhere")
    (tmp_path / "plan.xlsx").write_text("last good plan")

    def read_only(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("planner.io.atomic.tempfile.mkstemp", read_only)
    monkeypatch.setattr("planner.io.atomic.os.access", lambda *_args: False)
    with pytest.raises(OutputError) as caught:
        ensure_writable(tmp_path / "plan.xlsx")
    assert str(caught.value) == (f"{tmp_path}: this folder cannot be written (the file system "
                                 "is read-only); choose another output path")


def test_ensure_writable_rejects_a_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create the output folder"):
        ensure_writable(blocker / "plan.xlsx")


def test_a_batch_replaces_its_files_together_or_not_at_all(tmp_path: Path) -> None:
    first, second = tmp_path / "plan.xlsx", tmp_path / "plan.csv"
    first.write_text("old plan")
    second.write_text("old csv")
    with pytest.raises(RuntimeError):
        with atomic_batch():
            with atomic_open(first) as handle:
                handle.write("new plan")
            assert first.read_text() == "old plan"  # renamed only at the end of the batch
            raise RuntimeError("the CSV writer failed")
    assert (first.read_text(), second.read_text()) == ("old plan", "old csv")
    assert _leftovers(tmp_path) == []
    with atomic_batch():
        with atomic_open(first) as handle:
            handle.write("new plan")
        with atomic_open(second) as handle:
            handle.write("new csv")
    assert (first.read_text(), second.read_text()) == ("new plan", "new csv")
    assert committed_outputs()[-2:] == (first, second)


def test_closed_outputs_refuse_to_replace_and_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After Ctrl-C (close_outputs) a writer that finishes anyway replaces nothing."""
    target = tmp_path / "plan.xlsx"
    target.write_text("last good plan")
    monkeypatch.setattr(atomic_module, "_closed", True)
    with pytest.raises(OutputsClosed):
        with atomic_open(target) as handle:
            handle.write("new plan")
    assert target.read_text() == "last good plan"
    assert _leftovers(tmp_path) == []
