"""Atomic file output: a crash, a full disk or Ctrl-C never leaves a half-written file.

Every writer writes to a temporary file in the target's folder (same file system, so the
rename is atomic), flushes it to disk, then renames it over the target with
``os.replace``. On any exception, KeyboardInterrupt included, the temporary file is
removed and the previous file is left untouched.

Several outputs that belong together (the workbook and its CRM CSV) are written inside
``atomic_batch()``: each goes to its temporary file, and only when all are complete are
they renamed, one after the other under one lock. ``close_outputs()`` (Ctrl-C) takes that
lock, so an interrupt lands either before every rename (nothing changes) or after all of
them (the whole new plan is in place), never between two.
"""

from __future__ import annotations

import contextlib
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
    """An output file cannot be written; the message names the path and the cause."""


def ensure_writable(path: str | Path) -> Path:
    """Check, before any solving, that ``path`` can be written atomically.

    Creates the folder when missing, then creates and removes a probe file in it.
    Returns the resolved path; raises OutputError with a clear message otherwise.
    """
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file name for the output")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror or exc})")\
            from exc
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: the existing file is read-only (or open elsewhere)")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot write to the output folder ({exc.strerror or exc})"
        ) from exc
    return path


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
        for tmp, target in moves:
            os.replace(tmp, target)
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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
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
