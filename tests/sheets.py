"""Reading a written plan back in tests: a sheet's first table as dicts."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    """A sheet's rows as dicts keyed by its header row: the first table (row 1, up to the
    first blank header; the Load sheet has its team table beside or below it)."""
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    width = header.index(None) if None in header else len(header)
    return [dict(zip(header[:width], r[:width], strict=True)) for r in rows[1:]
            if any(v is not None for v in r[:width])]
