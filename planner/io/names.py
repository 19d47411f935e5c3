"""Names derived from labels: Excel sheet names, Excel table names, file names.

Labels (segments, teams, scenario names) are free text such as ``Enterprise: EMEA/APAC``
or ``Mid-Market [2025]``. Where the product names a sheet, a table or a file after one,
the name is made valid and unique here; the label itself stays unchanged in cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Excel rejects these in sheet names.
_SHEET_FORBIDDEN = re.compile(r"[:\\/?*\[\]\x00-\x1f\x7f]")
SHEET_NAME_MAX = 31
#: Excel reserves this sheet name (for change tracking), in any case.
RESERVED_SHEET_NAMES = frozenset({"history"})

_TABLE_BAD = re.compile(r"[^0-9A-Za-z_.]")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*)$")

_FILE_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def _unique(base: str, taken: set[str], limit: int, sep: str = " ") -> str:
    """``base`` or ``base (2)``, ``base (3)`` ... cut to ``limit``; not in ``taken``
    (compared case-insensitively). Adds the result to ``taken`` (casefolded)."""
    candidate = base[:limit]
    n = 1
    while candidate.casefold() in taken or candidate.casefold() in RESERVED_SHEET_NAMES:
        n += 1
        suffix = f"{sep}({n})" if sep == " " else f"{sep}{n}"
        candidate = base[: limit - len(suffix)].rstrip() + suffix
    taken.add(candidate.casefold())
    return candidate


def sheet_name(label: str, taken: set[str] | None = None, fallback: str = "Sheet") -> str:
    """A valid Excel sheet name for ``label``: forbidden characters ``: \\ / ? * [ ]`` become
    ``-``, at most 31 characters, no leading or trailing apostrophe, not ``History``, and
    not in ``taken`` ignoring case. ``taken`` (casefolded names) is updated."""
    taken = set() if taken is None else taken
    name = _SHEET_FORBIDDEN.sub("-", unicodedata.normalize("NFC", str(label)))
    name = name.strip().strip("'").strip()
    if not name:
        name = fallback
    return _unique(name, taken, SHEET_NAME_MAX)


def sheet_names(labels: Iterable[str]) -> list[str]:
    """Valid, case-insensitively unique sheet names for ``labels``, in order."""
    taken: set[str] = set()
    return [sheet_name(label, taken) for label in labels]


def table_name(label: str, taken: set[str] | None = None) -> str:
    """A valid Excel table (ListObject) name for ``label``: letters, digits, ``_`` and ``.``,
    starting with a letter or ``_``, not a cell reference (``A1``, ``R1C1``), at most 255
    characters, not in ``taken`` ignoring case. ``taken`` (casefolded) is updated."""
    taken = set() if taken is None else taken
    ascii_label = (
        unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode("ascii")
    )
    name = _TABLE_BAD.sub("_", ascii_label.strip())
    name = re.sub(r"_+", "_", name).strip("_") or "Table"
    if not (name[0].isalpha() or name[0] == "_"):
        name = "T_" + name
    if _CELL_LIKE.match(name):
        name = "T_" + name
    return _unique(name, taken, 255, sep="_")


def safe_filename(label: str, fallback: str = "plan", limit: int = 100) -> str:
    """A file name stem for ``label`` valid on Windows, macOS and Linux (no extension)."""
    name = _FILE_FORBIDDEN.sub("-", unicodedata.normalize("NFC", str(label)))
    name = re.sub(r"\s+", " ", name).strip().rstrip(". ")[:limit].rstrip(". ")
    if not name or name in (".", ".."):
        name = fallback
    if name.split(".")[0].casefold() in _WINDOWS_RESERVED:
        name = name + "_"
    return name
