"""Atomic file output: a crash, a full disk or Ctrl-C never leaves a half-written file.

Every writer writes to a temporary file in the target's folder (same file system, so the
rename is atomic), flushes it to disk, then renames it over the target with
``os.replace``. On any exception, KeyboardInterrupt included, the temporary file is
removed and the previous file is left untouched.

An operating-system error while writing (a full disk, a read-only folder ...) becomes an
``OutputError`` that names the file and says the cause in plain words (``write_problem``),
so that the CLI prints one clear line instead of a traceback.

Several outputs that belong together (the workbook and its CRM CSV) are written inside
``atomic_batch()``: each goes to its temporary file, and only when all are complete are
they renamed, one after the other under one lock. ``close_outputs()`` (Ctrl-C) takes that
lock, so an interrupt lands either before every rename (nothing changes) or after all of
them (the whole new plan is in place), never between two.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

#: Held while temporary files are renamed over their targets (see ``close_outputs``).
_GATE = threading.Lock()
_pending: set[Path] = set()  # temporary files not yet renamed (any thread)
_committed: list[Path] = []  # targets replaced so far in this process, in order
_closed = False  # set by close_outputs: no rename may happen any more
#: Renames deferred to the end of the innermost ``atomic_batch`` of this thread.
_batch: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("atomic_batch", default=None)


class OutputsClosed(Exception):
    """The run was interrupted: outputs may no longer replace the previous files."""


class OutputError(Exception):
    """An output file cannot be written; the message names the path and the cause.

    path: the file (or folder) that could not be written, as the caller named it; None
    when the error is not about one path. replaced: files of the same batch already
    replaced when it happened (a rename that failed after another succeeded; rare).
    """

    def __init__(self, message: str, path: Path | None = None,
                 replaced: tuple[Path, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.replaced = replaced  # targets of the same batch renamed before the failure


#: errno -> why a folder or file cannot be written, in plain words.
_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    # creating a file in /proc or /sys fails with "No such file or directory"
    errno.ENOENT: "it does not accept new files",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EEXIST: "part of the path is a file, not a folder",
}
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def write_problem(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in words: "not enough disk space to write PATH",
    "cannot write PATH: permission denied" ..."""
    if exc.errno in DISK_FULL:
        return f"not enough disk space to write {path}"
    cause = _CAUSES.get(exc.errno or 0) or exc.strerror or str(exc)
    return f"cannot write {path}: {cause}"


def ensure_writable(path: str | Path) -> Path:
    """Check, before any solving, that ``path`` can be written atomically.

    Creates the folder when missing, then creates and removes a probe file in it.
    Returns the resolved path; raises OutputError with a clear message otherwise.
    """
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file name for the output", path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder "
                          f"({_cause(exc)}); choose another output path", folder) from exc
    try:  # the folder first: on a read-only file system every file there is read-only too
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{folder}: this folder cannot be written ({_cause(exc)}); choose "
                          "another output path", folder) from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: the existing file is read-only (or open elsewhere)", path)
    return path


def _cause(exc: OSError) -> str:
    return _CAUSES.get(exc.errno or 0) or exc.strerror or str(exc)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows: folders cannot be opened; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _file_mode(target: Path) -> int:
    """The permissions the output should get: the replaced file's, else the usual ones
    (mkstemp creates 0600, which would surprise people sharing the output folder)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _commit(moves: list[tuple[Path, Path]]) -> None:
    """Rename every (temporary, target) pair under the gate; refuse once outputs closed."""
    with _GATE:
        if _closed:
            raise OutputsClosed("interrupted: the previous files are kept")
        done: list[Path] = []
        for tmp, target in moves:
            try:
                os.replace(tmp, target)
            except OSError as exc:  # the files renamed so far are the new ones: say so
                kept = f" ({', '.join(map(str, done))} already replaced)" if done else ""
                raise OutputError(write_problem(target, exc) + kept, target,
                                  tuple(done)) from exc
            done.append(target)
            _committed.append(target)
        for tmp, _target in moves:
            _pending.discard(tmp)
    for folder in {target.parent for _tmp, target in moves}:
        _fsync_folder(folder)


def _discard(tmps: list[Path]) -> None:
    for tmp in tmps:
        with contextlib.suppress(OSError):
            tmp.unlink()
        with _GATE:
            _pending.discard(tmp)


@contextlib.contextmanager
def atomic_batch() -> Iterator[None]:
    """Outputs written inside this block replace their targets together at its end.

    If the block raises, every temporary file is removed and no target changes.
    """
    moves: list[tuple[Path, Path]] = []
    token = _batch.set(moves)
    try:
        yield
    except BaseException:
        _discard([tmp for tmp, _target in moves])
        raise
    finally:
        _batch.reset(token)
    try:
        _commit(moves)
    except BaseException:
        _discard([tmp for tmp, _target in moves])
        raise


def close_outputs() -> tuple[Path, ...]:
    """Stop all output for good (Ctrl-C): wait for a rename in progress, then remove every
    temporary file not yet renamed. Returns the targets already replaced in this process."""
    global _closed
    with _GATE:
        _closed = True
        for tmp in list(_pending):
            with contextlib.suppress(OSError):
                tmp.unlink()
        _pending.clear()
        return tuple(_committed)


def committed_outputs() -> tuple[Path, ...]:
    """The targets replaced so far in this process, in order."""
    with _GATE:
        return tuple(_committed)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` (at the end
    of the enclosing ``atomic_batch``, if any).

    For libraries that want a file name (``openpyxl.Workbook.save``). The yielded file
    exists and is empty; the caller overwrites it.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise OutputError(write_problem(target, exc), target) from exc
    tmp = Path(tmp_name)
    with _GATE:
        _pending.add(tmp)
    try:
        os.chmod(tmp, _file_mode(target))
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        batch = _batch.get()
        if batch is None:
            _commit([(tmp, target)])
        else:
            batch.append((tmp, target))
    except OSError as exc:  # a full disk, a folder made read-only meanwhile ...
        _discard([tmp])
        raise OutputError(write_problem(target, exc), target) from exc
    except BaseException:
        _discard([tmp])
        raise
    log.debug("wrote %s", target)


@contextlib.contextmanager
def atomic_open(
    path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path``."""
    if "r" in mode or "a" in mode:
        raise ValueError(f"atomic_open writes a new file; mode {mode!r} is not supported")
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp:
        with open(tmp, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
