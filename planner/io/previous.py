"""Read an earlier plan workbook, as a manager may have edited it, for the next run.

Only the ``Handoffs`` sheet is read; its header row must hold the contract headers
``Handoff ID``, ``Account ID``, ``Role``, ``To``, ``Start`` and ``Locked`` (others are
optional: ``From``, ``End``, ``Wave``, ``To ID``). The header row is the first of the top
rows that holds ``Handoff ID``, so a title row a manager adds above the table is fine (row
numbers stay the sheet's own). Headers are matched ignoring case and surrounding spaces,
in any column order, so a manager may move or add columns.

Cell rules (each break is an ``InputProblem`` with sheet, row, column and value; all are
collected and raised together as one ``InputError``): these are problems that make a cell
unreadable. Whether a readable locked row can be kept (its owner is known, it has a Start,
its rules hold) is judged with every other lock problem in :mod:`planner.locks`, so that
one run lists every problem of every locked row.

- ``Locked``: blank, ``Y`` or ``Yes`` (locked), ``N`` or ``No`` (not locked), any case;
  anything else is an error.
- ``Start`` / ``End``: a date cell; a number in Excel's date range (a date whose format was
  lost) and ISO text ``2027-01-11`` are read as that date; any other text (``11/01/2027``,
  ``next week``) is an error, because its day/month order would be a guess. A handoff
  starts on the Monday of its week: a locked Start on another day is kept in its week with
  a warning (``PreviousPlan.notes``) naming the row, the date typed and the Monday used.
- ``Handoff ID``: present and unique.
- ``To`` is the manager's column: the new owner as shown (a name). With ``people`` given, it
  is resolved to a person id (by id or by name, ignoring case; ``To ID`` settles a name
  several people share). ``To ID`` is the planner's helper column (the id it wrote, for
  the CRM), so ``To`` wins: editing ``To`` alone is the documented way to change an owner,
  and leaves the old id beside it. Which of the two a manager edited cannot be told from
  the sheet, so a locked row whose ``To ID`` names someone else gets a warning naming both
  and the owner kept. Without ``people``, ``to_id`` is the ``To ID`` column when present.

Fully blank rows and rows below the table are skipped.

From the ``Summary`` sheet, when present, the scenario name (the ``Scenario`` row) and the
input fingerprints (the rows under ``Input files (sha256)``) are read too, so that a plan
made for another scenario is noticed; the workbook's own sha256 goes on the next plan's
Summary.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from planner.domain import InputError, InputProblem, Person

log = logging.getLogger(__name__)

SHEET = "Handoffs"
SUMMARY = "Summary"
SUMMARY_SCENARIO = "Scenario"  # label in column A; the name is in column B
SUMMARY_FINGERPRINTS = "Input files (sha256)"  # section title; file / digest rows follow
PREVIOUS_SUFFIX = " (previous plan)"  # that section's row of the plan it was re-planned from
REQUIRED = ("Handoff ID", "Account ID", "Role", "To", "Start", "Locked")
OPTIONAL = ("From", "End", "Wave", "To ID", "Account")
LOCKED_YES = frozenset({"y", "yes"})
LOCKED_NO = frozenset({"", "n", "no"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (1, 2958465)  # 1900-01-01 .. 9999-12-31


@dataclass(frozen=True, slots=True)
class PreviousHandoff:
    """One row of the previous plan's Handoffs sheet, with the manager's edits.

    row: the sheet row (as Excel numbers it; the header is usually row 1).
    to: the To cell as written (a name); None when blank (coverage released).
    to_id: the new owner's person id: resolved from ``to`` when the reader was given the
        roster, else the ``To ID`` cell; None when unknown, ambiguous or blank.
    to_id_cell: the ``To ID`` cell as written (None when blank or absent), to tell a To
        edited or cleared by hand from the id the planner wrote beside it.
    start, end: dates of the handoff as typed; None when blank (a locked row needs a
        Start: see planner.locks).
    """

    handoff_id: str
    account_id: str
    role: str
    to: str | None
    to_id: str | None
    start: date | None
    locked: bool
    row: int
    end: date | None = None
    wave: int | None = None
    from_name: str | None = None
    to_id_cell: str | None = None


@dataclass(frozen=True, slots=True)
class PreviousPlan:
    """The rows of an earlier plan; ``locked`` ones must be kept as they are.

    scenario: the scenario name on its Summary sheet (None when the sheet has none).
    fingerprints: input file -> sha256 from its Summary (empty when it has none).
    sha256: the digest of the workbook file itself.
    notes: warnings for the Input notes sheet (a locked Start that is not a Monday).
    """

    path: Path
    rows: tuple[PreviousHandoff, ...]
    scenario: str | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    notes: tuple[InputProblem, ...] = ()

    @property
    def locked(self) -> tuple[PreviousHandoff, ...]:
        return tuple(r for r in self.rows if r.locked)

    def by_id(self) -> dict[str, PreviousHandoff]:
        return {r.handoff_id: r for r in self.rows}

    def by_account_role(self) -> dict[tuple[str, str], PreviousHandoff]:
        return {(r.account_id, r.role): r for r in self.rows}


def read_previous_plan(path: str | Path, people: Iterable[Person] | None = None) -> PreviousPlan:
    """Read the Handoffs sheet of a plan workbook; raise InputError listing every problem."""
    path = Path(path)
    label = path.name
    if not path.is_file() or path.suffix.lower() != ".xlsx":
        found = "no such file" if not path.exists() else (
            "a folder" if path.is_dir() else f"a {path.suffix or 'file without extension'} file")
        raise InputError([InputProblem(
            "error", label, None, "", str(path),
            f"the .xlsx plan workbook to re-plan from (--previous); this is {found}")])
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise InputError([InputProblem("error", label, None, "", str(path),
                                       f"a readable .xlsx plan workbook ({exc})")]) from exc
    try:
        if SHEET not in workbook.sheetnames:
            raise InputError([InputProblem(
                "error", label, None, "", ", ".join(workbook.sheetnames),
                f"a sheet named '{SHEET}' (the plan's handoff table)")])
        rows = list(workbook[SHEET].iter_rows(values_only=True))
        summary = (list(workbook[SUMMARY].iter_rows(max_col=2, values_only=True))
                   if SUMMARY in workbook.sheetnames else [])
    finally:
        workbook.close()
    reader = _SheetReader(label, _roster(people) if people is not None else None)
    result = reader.read(rows)
    if reader.problems:
        raise InputError(reader.problems)
    log.info("read previous plan %s: %d rows, %d locked", path, len(result),
             sum(r.locked for r in result))
    scenario, fingerprints = _summary(summary)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return PreviousPlan(path=path, rows=tuple(result), scenario=scenario,
                        fingerprints=fingerprints, sha256=digest,
                        notes=tuple(reader.warnings))


def _summary(rows: list[tuple[Any, ...]]) -> tuple[str | None, dict[str, str]]:
    """(scenario name, input file -> sha256) from the Summary sheet's first two columns."""
    scenario: str | None = None
    fingerprints: dict[str, str] = {}
    section = False
    for values in rows:
        label = _text(values[0]) if values else None
        value = _text(values[1]) if len(values) > 1 else None
        if label == SUMMARY_SCENARIO and scenario is None:
            scenario = value
        elif label == SUMMARY_FINGERPRINTS:
            section = True
        elif section:
            if label is None:
                break  # a blank row ends the section
            digest = value and re.fullmatch(r"[0-9a-f]{64}", value)
            if digest and not label.endswith(PREVIOUS_SUFFIX):
                fingerprints[label] = value
    return scenario, fingerprints


def _roster(people: Iterable[Person]) -> dict[str, list[str]]:
    """casefolded id or name -> person ids it may mean."""
    index: dict[str, list[str]] = {}
    for person in people:
        for key in {person.id.strip().casefold(), person.name.strip().casefold()}:
            if key and person.id not in index.setdefault(key, []):
                index[key].append(person.id)
    return index


class _SheetReader:
    """Reads rows of the Handoffs sheet and collects every problem."""

    def __init__(self, label: str, roster: dict[str, list[str]] | None):
        self.file = f"{label} [{SHEET}]"
        self.roster = roster
        self.problems: list[InputProblem] = []
        self.warnings: list[InputProblem] = []
        self.columns: dict[str, int] = {}

    def problem(self, row: int | None, column: str, value: Any, expected: str) -> None:
        shown = "" if value is None else str(value)
        self.problems.append(InputProblem("error", self.file, row, column, shown, expected))

    def read(self, rows: list[tuple[Any, ...]]) -> list[PreviousHandoff]:
        if not rows:
            return []
        top = _header_index(rows)
        if not self._header(rows[top], top + 1):
            return []
        result: list[PreviousHandoff] = []
        seen: dict[str, int] = {}
        for number, values in enumerate(rows[top + 1:], start=top + 2):
            if all(_blank(v) for v in values):
                continue
            handoff = self._row(number, values)
            if handoff is None:
                continue
            if handoff.handoff_id in seen:
                self.problem(number, "Handoff ID", handoff.handoff_id,
                             f"a unique id (also on row {seen[handoff.handoff_id]})")
                continue
            seen[handoff.handoff_id] = number
            result.append(handoff)
        return result

    def _header(self, header: tuple[Any, ...], number: int) -> bool:
        names = {str(v).strip().casefold(): i for i, v in enumerate(header) if not _blank(v)}
        for name in (*REQUIRED, *OPTIONAL):
            if name.casefold() in names:
                self.columns[name] = names[name.casefold()]
        missing = [name for name in REQUIRED if name not in self.columns]
        if missing:
            found = ", ".join(str(v) for v in header if not _blank(v))
            self.problem(number, ", ".join(missing), found,
                         f"the header row to hold {', '.join(REQUIRED)}")
            return False
        return True

    def _cell(self, values: tuple[Any, ...], name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]

    def _row(self, number: int, values: tuple[Any, ...]) -> PreviousHandoff | None:
        before = len(self.problems)
        handoff_id = _text(self._cell(values, "Handoff ID"))
        if handoff_id is None:
            self.problem(number, "Handoff ID", None, "the handoff's id (do not clear it)")
        locked = self._locked(number, self._cell(values, "Locked"))
        start = self._date(number, "Start", self._cell(values, "Start"))
        end = self._date(number, "End", self._cell(values, "End"))
        to = _text(self._cell(values, "To"))
        to_id_cell = _text(self._cell(values, "To ID"))
        to_id = self._to_id(to, to_id_cell)
        wave = self._wave(number, self._cell(values, "Wave"))
        if len(self.problems) > before or handoff_id is None:
            return None
        if locked and start is not None and start.weekday() != 0:
            self._not_a_monday(number, self._cell(values, "Start"), start)
        if locked and to is not None and to_id is not None and to_id_cell is not None:
            self._other_to_id(number, to, to_id, to_id_cell)
        return PreviousHandoff(
            handoff_id=handoff_id,
            account_id=_text(self._cell(values, "Account ID")) or "",
            role=_text(self._cell(values, "Role")) or "",
            to=to, to_id=to_id, start=start, locked=locked, row=number, end=end, wave=wave,
            from_name=_text(self._cell(values, "From")), to_id_cell=to_id_cell,
        )

    def _not_a_monday(self, number: int, value: Any, start: date) -> None:
        """A locked Start on another day than Monday: the handoff starts that week (weeks
        are the plan's unit), so the CRM's effective date is that Monday, not the day typed."""
        monday = start - timedelta(days=start.weekday())
        self.warnings.append(InputProblem(
            "warning", self.file, number, "Start", _shown_date(value, start),
            f"expected a Monday: {start.isoformat()} is a {start:%A}; the handoff starts in "
            f"that week, on Monday {monday.isoformat()} (its date in the plan and the CRM "
            "update)"))

    def _locked(self, number: int, value: Any) -> bool:
        text = "" if _blank(value) else str(value).strip().casefold()
        if text in LOCKED_YES:
            return True
        if text not in LOCKED_NO:
            self.problem(number, "Locked", value, "Y to lock the row, or blank")
        return False

    def _date(self, number: int, column: str, value: Any) -> date | None:
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] and float(value).is_integer():
                return _EXCEL_EPOCH + timedelta(days=int(value))
        elif isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(number, column, value,
                     "a date (a date cell, or text written as YYYY-MM-DD)")
        return None

    def _other_to_id(self, number: int, to: str, to_id: str, to_id_cell: str) -> None:
        """A locked row whose To ID names another person than To: To is kept (see the
        module doc), and the manager is told, in case the To ID was the edit."""
        if self.roster is None:
            return
        named = self.roster.get(to_id_cell.casefold(), [])
        if to_id in named or (not named and to_id_cell.casefold() == to_id.casefold()):
            return
        self.warnings.append(InputProblem(
            "warning", self.file, number, "To ID", to_id_cell,
            f"To {to!r} ({to_id}) and To ID name different people: the row is locked to "
            f"{to!r}, as To says (if you meant the To ID's person, put their name in To)"))

    def _to_id(self, to: str | None, to_id_cell: str | None) -> str | None:
        """The person ``to`` names: by the roster (``To ID`` settling a shared name), else
        the ``To ID`` cell; None when blank, unknown or ambiguous (a locked row with such an
        owner is reported by planner.locks)."""
        if self.roster is None or to is None:
            return to_id_cell if to is not None else None
        matches = self.roster.get(to.strip().casefold(), [])
        by_id = self.roster.get(to_id_cell.casefold(), []) if to_id_cell else []
        shared = [m for m in matches if m in by_id]
        if len(matches) > 1 and len(shared) == 1:
            return shared[0]
        return matches[0] if len(matches) == 1 else None

    def _wave(self, number: int, value: Any) -> int | None:
        if _blank(value):
            return None
        try:
            number_value = float(str(value).strip())
            if number_value.is_integer():
                return int(number_value)
        except ValueError:
            pass
        self.problem(number, "Wave", value, "a whole wave number")
        return None


#: Top rows searched for the header (the row holding 'Handoff ID'), below a title.
HEADER_SCAN_ROWS = 10


def _header_index(rows: list[tuple[Any, ...]]) -> int:
    """Index of the header row: the first top row holding 'Handoff ID' (a manager may add a
    title above the table), else the first row (which is then reported)."""
    for index, values in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(isinstance(v, str) and v.strip().casefold() == "handoff id" for v in values):
            return index
    return 0


def _shown_date(value: Any, day: date) -> str:
    """A Start cell as the manager sees it: a date cell as its date, text as typed."""
    return day.isoformat() if isinstance(value, (date, datetime, int, float)) else str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
