"""The finished plan as the writers see it: tables (pandas DataFrames) plus metadata.

``PlanReport`` is the contract between the pipeline and the output side
(``planner.io.workbook``, ``planner.io.crm_csv``). It is solver-free: the pipeline fills
it from the optimizer results, the writers only render it. Every frame below lists its
required columns, in order; a frame may carry more columns, which the writers render after
the required ones (the Handoffs sheet keeps its required headers first and exactly).

Column names are the headers the reader sees, so the writers need no mapping.

Value conventions in every frame:

- dates are ``datetime.date`` (``pandas.Timestamp`` and ``NaT`` are accepted too);
- missing values are ``None`` or NaN and render as empty cells;
- booleans render as ``Yes``/``No`` except ``Locked``, which renders as ``Y`` or blank;
- text is rendered as text, never as a formula, whatever it starts with.

Frames
------
handoffs (``HANDOFF_COLUMNS`` required, then ``HANDOFF_EXTRAS`` when present):
    Handoff ID   str, stable id of the handoff (the previous-plan round trip keys on it)
    Account ID   str, CRM account id
    Account      str, account name
    Segment      str, segment of the account after the realignment (Gantt groups by it)
    Role         str, CSM, PM, SA, HYBRID ...
    From         str | None, current owner's name (None: new coverage)
    To           str | None, new owner's name (None: coverage released)
    Start        date | None, first day of the handoff (a Monday); None when the schedule
                 could not place it (the Gantt shows it in a "Not scheduled" group, the
                 CRM CSV leaves it out)
    End          date | None, last day of the overlap (both owners engaged until this day)
    Wave         int | None, 1-based wave number (Gantt groups by it within a segment)
    Reason       str, why the account moves, in business words; for a handoff without a
                 week "not scheduled: <why> (moves because: <reason>)"
    Locked       "Y" or "" (True/False accepted), a manager's lock honoured by the next run
  extras, all optional:
    From ID      str | None, current owner's person id
    To ID        str | None, new owner's person id
    Team         str, receiving team label ("Venus CSM")
    Forced       bool, the current owner cannot keep the account
    Bound by     str, the rule that decided the week ("renewal freeze", "weekly cap" ...)
    Renewal      date | None, the account's renewal date (marked on the Gantt)
    ARR          float | None, annual recurring revenue

accounts (``ACCOUNT_COLUMNS`` required; owner columns per role between them):
    Account ID, Account, ARR (float | None), Segment before (str | None),
    Segment after (str | None), then for each role of the scenario
    "<ROLE> before" and "<ROLE> after" (owner names, None = no owner),
    Changed (bool: any owner changes), Unassigned (bool: a needed role has no new owner),
    then optionally Not scheduled (bool: a handoff of the account has no week) and
    Keeps every owner (bool: it has a segment and no owner changes or is left unassigned;
    the key figures "Accounts/ARR keeping every owner" count exactly these rows)

load (``LOAD_COLUMNS``): one row per person
    Person ID, Name, Team (after), Capacity (points), Load before (points),
    Load after (points), Peak during transition (points: the highest of the load before,
    every plan week as it unfolds, overlaps and handoffs not scheduled included, and the
    load after), Utilization after (fraction: 0.85 = 85 %), then optionally Peak week
    (date: the Monday of the week the peak is first reached; the text "after the plan"
    when the peak is the load after it, which handoffs not scheduled would bring)

weekly (``WEEKLY_COLUMNS``): long format, one row per team and week with handoffs
    Team (str), Week (date, the week's Monday), Handoffs (int, handoffs starting that week)

segments (``SEGMENT_COLUMNS``): the segment table, in segment order
    Segment, Levels (str, "4" or "6+"; "" when not derived), Min employees (int),
    Max employees (int | None), Accounts before, Accounts after (int),
    ARR before, ARR after (float)

stages (``STAGE_COLUMNS``): one row per optimizer stage and part
    Stage ("assign", "schedule" ...), Part (team or component label), Status
    ("OPTIMAL", "FEASIBLE" ...), Objective (float), Bound (float), Gap (fraction),
    Seconds (float), Set aside (int: schedule handoffs left to the exceptions; blank for
    the assignment)

exceptions (``EXCEPTION_COLUMNS``): what could not be planned
    What (str: the account, person or team concerned), Reason (str), Suggested fix (str)

notes (``NOTE_COLUMNS``): input warnings, see ``notes_frame``
    Severity, File, Row (int | None, as the user counts rows), Column, Value, Expected

crm (``CRM_COLUMNS``): one row per account and owner field to update
    Account ID (the id as the CRM knows it: ``Account.crm_id`` when the readers give
    one, the 18-character Salesforce form, else ``Account.id``; written exactly), Owner
    field (CRM field name of the role's owner: ``[crm] fields`` or the header of the
    role's owner column in the accounts export, e.g. "CSM__c"), New owner ID (CRM user
    id; None clears the field), Effective date (date: the handoff's start). Handoffs
    without a week have no row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from planner.domain import InputProblem

log = logging.getLogger(__name__)

HANDOFF_COLUMNS: tuple[str, ...] = (
    "Handoff ID", "Account ID", "Account", "Segment", "Role", "From", "To",
    "Start", "End", "Wave", "Reason", "Locked",
)
HANDOFF_EXTRAS: tuple[str, ...] = (
    "From ID", "To ID", "Team", "Forced", "Bound by", "Renewal", "ARR",
)
ACCOUNT_COLUMNS: tuple[str, ...] = (
    "Account ID", "Account", "ARR", "Segment before", "Segment after", "Changed", "Unassigned",
)
LOAD_COLUMNS: tuple[str, ...] = (
    "Person ID", "Name", "Team", "Capacity", "Load before", "Load after",
    "Peak during transition", "Utilization after",
)
WEEKLY_COLUMNS: tuple[str, ...] = ("Team", "Week", "Handoffs")
SEGMENT_COLUMNS: tuple[str, ...] = (
    "Segment", "Levels", "Min employees", "Max employees",
    "Accounts before", "Accounts after", "ARR before", "ARR after",
)
STAGE_COLUMNS: tuple[str, ...] = (
    "Stage", "Part", "Status", "Objective", "Bound", "Gap", "Seconds", "Set aside",
)
EXCEPTION_COLUMNS: tuple[str, ...] = ("What", "Reason", "Suggested fix")
NOTE_COLUMNS: tuple[str, ...] = ("Severity", "File", "Row", "Column", "Value", "Expected")
CRM_COLUMNS: tuple[str, ...] = ("Account ID", "Owner field", "New owner ID", "Effective date")

#: frame name -> required columns; checked when a PlanReport is built.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "handoffs": HANDOFF_COLUMNS,
    "accounts": ACCOUNT_COLUMNS,
    "load": LOAD_COLUMNS,
    "weekly": WEEKLY_COLUMNS,
    "segments": SEGMENT_COLUMNS,
    "stages": STAGE_COLUMNS,
    "exceptions": EXCEPTION_COLUMNS,
    "notes": NOTE_COLUMNS,
    "crm": CRM_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """What the plan is about and how it was made.

    scenario: the scenario's name (free text; may be any label).
    start: the plan's first Monday.
    weeks: the horizon in weeks; ``week_mondays`` has this many Mondays.
    run_seconds: wall time of the whole run.
    blackout_weeks: 0-based indexes into ``week_mondays`` of weeks with no handoffs.
    versions: component -> version ("planner", "ortools", "python" ...).
    fingerprints: input file (as the user named it) -> sha256 hex digest.
    previous: the previous plan re-planned from, and what became of its locks; or None.
    key_figures: ordered label -> value (int, float, str or date), shown on Summary, e.g.
        "Accounts keeping every owner", "ARR keeping every owner", "Forced moves",
        "Optional moves", "Unassigned", "Load spread before", "Load spread after",
        "Peak weekly handoffs", "Handoffs kept clear of renewals", "Exceptions".
    status: one-line overall status ("optimal", "time limit: best plan found" ...).
    """

    scenario: str
    start: date
    weeks: int
    run_seconds: float = 0.0
    week_mondays: tuple[date, ...] = ()
    blackout_weeks: tuple[int, ...] = ()
    versions: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    key_figures: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    previous: str | None = None

    def __post_init__(self) -> None:
        if not self.week_mondays:
            mondays = tuple(self.start + timedelta(weeks=i) for i in range(self.weeks))
            object.__setattr__(self, "week_mondays", mondays)
        if len(self.week_mondays) != self.weeks:
            raise ValueError(
                f"week_mondays has {len(self.week_mondays)} dates, expected {self.weeks}"
            )
        bad = [i for i in self.blackout_weeks if not 0 <= i < self.weeks]
        if bad:
            raise ValueError(f"blackout week indexes {bad} outside 0..{self.weeks - 1}")

    @property
    def end(self) -> date:
        """The last day of the plan window (a Sunday)."""
        return self.start + timedelta(weeks=self.weeks, days=-1)


@dataclass(frozen=True, slots=True)
class PlanReport:
    """A finished plan, ready to render. See the module docstring for every column."""

    meta: ReportMeta
    handoffs: pd.DataFrame
    accounts: pd.DataFrame
    load: pd.DataFrame
    weekly: pd.DataFrame
    segments: pd.DataFrame
    stages: pd.DataFrame
    exceptions: pd.DataFrame
    notes: pd.DataFrame
    crm: pd.DataFrame

    def __post_init__(self) -> None:
        problems = []
        for name, required in REQUIRED_COLUMNS.items():
            frame = getattr(self, name)
            if not isinstance(frame, pd.DataFrame):
                problems.append(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
                continue
            missing = [c for c in required if c not in frame.columns]
            if missing:
                problems.append(f"{name}: missing column(s) {missing}")
            if frame.columns.duplicated().any():
                problems.append(f"{name}: duplicate column names")
        if problems:
            raise ValueError("PlanReport does not match its contract: " + "; ".join(problems))

    @property
    def roles(self) -> tuple[str, ...]:
        """Roles that have owner columns in ``accounts``, in column order."""
        return tuple(
            str(c)[: -len(" before")]
            for c in self.accounts.columns
            if str(c).endswith(" before") and str(c) != "Segment before"
        )


def empty_frame(name: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """An empty frame with the required columns of frame ``name`` (plus ``extra``)."""
    return pd.DataFrame(columns=[*REQUIRED_COLUMNS[name], *extra])


def frame(name: str, rows: Iterable[Mapping[str, Any]], extra: Iterable[str] = ()) -> pd.DataFrame:
    """Build frame ``name`` from dict rows; required columns first, then ``extra``, then
    any other keys the rows carry, in first-seen order. Missing cells are None."""
    rows = list(rows)
    columns = [*REQUIRED_COLUMNS[name], *[c for c in extra if c not in REQUIRED_COLUMNS[name]]]
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns,
                        dtype=object)


def notes_frame(problems: Iterable[InputProblem]) -> pd.DataFrame:
    """Input problems (warnings from validation) -> the ``notes`` frame."""
    rows = [
        {"Severity": p.severity, "File": p.file, "Row": p.row, "Column": p.column,
         "Value": p.value, "Expected": p.expected}
        for p in problems
    ]
    return frame("notes", rows)
