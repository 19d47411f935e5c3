"""The problem's vocabulary: accounts, people, segments, teams and input problems.

Everything here is a frozen dataclass free of solver and file objects; readers build
these from files, optimizer stages consume them, writers render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: The roles an owner can hold on an account. HYBRID covers CSM, PM and SA at once.
ROLES: tuple[str, ...] = ("CSM", "PM", "SA", "HYBRID")
HYBRID_COVERS: tuple[str, ...] = ("CSM", "PM", "SA")

#: Money and workload points are multiplied by this before a model sees them.
POINT_SCALE = 100


@dataclass(frozen=True, slots=True)
class Segment:
    """A customer segment by employee count (inclusive bounds; no maximum for the last)."""

    name: str
    min_employees: int
    max_employees: int | None
    levels: str = ""  # e.g. "4" or "6+" when derived from first principles

    def contains(self, employees: int) -> bool:
        upper_ok = self.max_employees is None or employees <= self.max_employees
        return employees >= self.min_employees and upper_ok


@dataclass(frozen=True, slots=True)
class Team:
    """A segment team after the realignment, e.g. Team("Venus", "CSM")."""

    segment: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.segment} {self.role}"


@dataclass(frozen=True, slots=True)
class Account:
    """One customer account as read from the CRM export.

    row: the spreadsheet row the account came from (header is row 1).
    employees: usable employee count (a band is resolved by the scenario's band rule).
    arr: annual recurring revenue in the export's currency; None when missing.
    health: 0-100 health score; None when missing.
    owners: role -> person id of the current owner (ids normalised like Person.id).
    id: the account id exactly as exported (trimmed), shown in every output.
    crm_id: the id to write back to the CRM: the 18-character form when the export's id
        column holds Salesforce ids (15- and 18-character forms of one record are one
        account), else the id as exported. Defaults to ``id``.
    """

    id: str
    name: str
    row: int = 0
    employees: int | None = None
    employees_raw: str = ""
    arr: float | None = None
    renewal: date | None = None
    customer_since: date | None = None
    go_live: date | None = None
    onboarding: bool | None = None
    health: float | None = None
    region: str = ""
    parent_id: str | None = None
    explicit_segment: str | None = None
    previous_segment: str | None = None
    strategic: bool = False
    locked: bool = False
    last_owner_change: date | None = None
    owners: dict[str, str] = field(default_factory=dict)
    crm_id: str = ""

    def __post_init__(self) -> None:
        if not self.crm_id:
            object.__setattr__(self, "crm_id", self.id)


@dataclass(frozen=True, slots=True)
class Person:
    """One person of the CS organization, as read from the roster.

    id: normalised key (e-mail lower-cased and trimmed, or an 18-character CRM id).
    role: the role the person holds (CSM, PM, SA, HYBRID) or another function.
    new_team: the segment (or "segment role") the person joins; None = planner proposes.
    capacity: as written in the roster (FTE fraction or points, see scenario
        ``[workload] capacity_unit``); None = role default.
    weeks_off: Mondays of the weeks the person is away.
    crm_id: the person's id as the roster wrote it (trimmed, case kept; a Salesforce user
        id in its 18-character form), for writing owner ids back to the CRM. Defaults to
        ``id``.
    """

    id: str
    name: str
    row: int = 0
    role: str = "CSM"
    manager: str = ""
    current_team: str | None = None
    new_team: str | None = None
    capacity: float | None = None
    region: str = ""
    start_date: date | None = None
    last_day: date | None = None
    weeks_off: tuple[date, ...] = ()
    max_out_per_week: int | None = None
    max_in_per_week: int | None = None
    crm_id: str = ""

    def __post_init__(self) -> None:
        if not self.crm_id:
            object.__setattr__(self, "crm_id", self.id)


def column_word(file: str) -> str:
    """How a problem's place in ``file`` is named: a scenario's 'rules.blackout_weeks' is a
    key, an export's 'Employees' a column."""
    return "key" if file.endswith(".toml") else "column"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A problem found in an input file, located as a spreadsheet user would find it."""

    severity: str  # "error" or "warning"
    file: str
    row: int | None
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", {column_word(self.file)} '{self.column}'"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {self.expected} (found {shown!r})"


class InputError(Exception):
    """Raised when inputs cannot be used; carries every problem found, not only the first.

    encodings: file -> how it was read ("UTF-8", "Windows-1252", "XLSX, sheet 'Accounts'")
    for every file whose header could be read; rows: file -> data rows read. Both let a
    command say what was read even when the inputs are not usable.
    """

    def __init__(self, problems: list[InputProblem], encodings: dict[str, str] | None = None,
                 rows: dict[str, int] | None = None):
        self.problems = list(problems)
        self.encodings = dict(encodings or {})
        self.rows = dict(rows or {})
        lines = [str(p) for p in self.problems]
        super().__init__(f"{len(lines)} problem(s) in the inputs:\n" + "\n".join(lines))


@dataclass(frozen=True, slots=True)
class Inputs:
    """Validated accounts and people, plus the warnings worth showing in the plan."""

    accounts: tuple[Account, ...]
    people: tuple[Person, ...]
    notes: tuple[InputProblem, ...] = ()
    encodings: dict[str, str] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    #: file -> (planner field, header) pairs used; owner columns appear as "owner CSM".
    columns: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: file -> headers of the columns the planner does not use.
    ignored_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: role -> header of the accounts export's column holding that role's current owner.
    owner_headers: dict[str, str] = field(default_factory=dict)
    #: "accounts" / "people" -> (the file as problems name it, the header of its id column),
    #: so that a note about an id names the column as the file does ('Email', not 'id').
    id_columns: dict[str, tuple[str, str]] = field(default_factory=dict)

    def person(self, person_id: str) -> Person | None:
        for p in self.people:
            if p.id == person_id:
                return p
        return None


@dataclass(frozen=True, slots=True)
class Handoff:
    """One role on one account moving from a current owner to a new owner.

    Either side may be None: new coverage (no current owner) or released coverage
    (the account no longer needs the role). ``points`` is the workload the role weighs
    on the account, carried by both owners during the overlap weeks.
    ``forced`` is True when the current owner cannot keep the account; ``reason``
    says why in business words ("owner leaves", "segment changed Mars -> Venus",
    "rebalancing Venus CSM").
    """

    id: str
    account_id: str
    account_name: str
    role: str
    from_id: str | None
    to_id: str | None
    forced: bool
    reason: str
    points: float = 0.0
    segment_before: str | None = None
    segment_after: str | None = None
    arr: float = 0.0
    renewal: date | None = None
    go_live: date | None = None
    onboarding: bool = False
    health: float | None = None
    strategic: bool = False
    parent_id: str | None = None
    locked_week: int | None = None  # 0-based plan week a manager locked; None = free
    previous_week: int | None = None  # start week in the previous plan (re-plans keep it)
