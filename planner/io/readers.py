"""Accounts and people from CRM exports -> validated :class:`planner.domain.Inputs`.

Headers are recognised without configuration, loosely (case, spaces and punctuation do
not matter: ``Account ID`` = ``account_id`` = ``AccountId``; a trailing format hint such
as ``Renewal Date (MM/DD/YYYY)`` is understood, and a day/month hint sets that column's
date order); the scenario's ``[inputs.account_columns]``, ``[inputs.people_columns]`` and
``[inputs.owner_columns]`` override recognition. Every problem of every file is collected;
errors raise :class:`InputError` with all of them, warnings become ``Inputs.notes``. A file
that cannot be read at all (missing, the wrong kind, no header) is one error, with no
follow-on errors about its columns or about owners that would be in it; a cell already
reported (a formula without a value) gets no further notes.

Decisions an ops lead should know:
- An owner that is not in the roster is an **error** (when a roster is given): the planner
  would otherwise have to drop the relationship or invent a person. Add the person to the
  roster (with a Last Day if they have left) or clear the cell. Owners may be written as
  the roster's id (e-mail, login, CRM user id) or as a name that is unique in the roster.
- Duplicate people: rows with the same key (e-mail case and spaces aside) and no
  conflicting fields are one person (merged, with a note); conflicting fields are an error
  naming both rows.
- Salesforce ids: each id column is judged as a whole (``[inputs] salesforce_ids``, see
  :func:`planner.io.values.salesforce_column`). Account ids are kept exactly as exported
  (``Account.id``); in a Salesforce column the 18-character form is the matching key and
  ``Account.crm_id`` (so the 15- and 18-character forms of a record are one account, and
  ids differing only by case stay two).
- Employee bands follow ``[segmentation] band_rule``; a band that straddles a segment
  boundary is a warning naming the segments it could be in. A missing or unusable size
  (and a size below the smallest segment, including bands such as ``0-9``) is reported and
  follows ``[inputs] missing_size`` and ``[segmentation] below_smallest``; an explicit
  segment makes the size irrelevant. An exact count of 0 or less is an error.
- Roster roles that are not owner roles: managers, support, operations and similar
  functions are horizontal (no accounts) without a note; any other text (``Wizard``) is a
  warning, since it is more likely a title to map in ``[inputs.role_values]`` than a
  function, but the person can still be read. A Last Day before the Start Date is an
  error; a Manager who is not in the roster is a warning.
- Plausibility warnings (the value is kept): more than 10,000,000 employees, ARR above
  10,000,000,000 (above 1,000,000,000,000 it is an error), dates before 1950 or after
  2100. Excel's day zero (1899-12-30, what an empty date cell holding 0 shows) is read as
  blank, with a warning.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from planner.domain import ROLES, Account, InputError, InputProblem, Inputs, Person
from planner.io import values as v
from planner.io.tables import HeaderHint, RawRow, Table, read_table
from planner.scenario import MOST_POINTS, Scenario
from planner.teams import is_gone_before_plan, is_off_every_plan_week

log = logging.getLogger(__name__)

#: planner field -> recognised headers (normalised: lower case, letters and digits only).
ACCOUNT_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("accountid", "id", "accountnumber", "accountno", "customerid", "companyid",
           "salesforceid", "sfid", "accountid18", "crmid"),
    "name": ("accountname", "name", "company", "companyname", "customername", "customer",
             "account"),
    "employees": ("employees", "numberofemployees", "employeecount", "companysize",
                  "noofemployees", "numemployees", "headcount", "employeerange", "employeeband",
                  "employeesize", "size"),
    "arr": ("arr", "annualrecurringrevenue", "currentarr", "arrusd", "recurringrevenue"),
    "renewal": ("renewaldate", "renewal", "nextrenewal", "nextrenewaldate", "contractenddate"),
    "customer_since": ("customersince", "customerstartdate", "clientsince", "firstcontractdate"),
    "go_live": ("golivedate", "golive", "livedate", "launchdate"),
    "onboarding": ("onboarding", "onboardingstatus", "isonboarding", "inonboarding"),
    "health": ("health", "healthscore", "customerhealth", "health0100"),
    "region": ("region", "territory", "geo", "salesregion"),
    "parent": ("parentaccount", "parentaccountid", "parentid", "parent", "subsidiaryof",
               "parentaccountname"),
    "segment": ("segment", "newsegment", "targetsegment", "segmentoverride", "explicitsegment"),
    "previous_segment": ("currentsegment", "previoussegment", "oldsegment"),
    "strategic": ("strategic", "isstrategic", "strategicaccount"),
    "locked": ("locked", "lock", "donotmove", "frozen"),
    "last_owner_change": ("lastownerchange", "lastownerchangedate", "ownerchangedate",
                          "ownersince"),
}
OWNER_HEADERS: dict[str, tuple[str, ...]] = {
    "CSM": ("csm", "csmemail", "csmid", "csmowner", "currentcsm", "csmname", "accountowner",
            "accountowneremail", "accountownerid", "owner", "owneremail", "ownerid",
            "customersuccessmanager"),
    "PM": ("pm", "pmemail", "pmid", "projectmanager", "onboardingpm", "onboardingmanager"),
    "SA": ("sa", "saemail", "said", "solutionsarchitect", "solutionarchitect", "onboardingsa"),
    "HYBRID": ("hybrid", "hybridowner", "hybridemail", "hybridid"),
}
PEOPLE_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("email", "userid", "emailaddress", "workemail", "id", "login", "username",
           "employeeid", "personid"),
    "name": ("name", "fullname", "personname", "employeename", "displayname"),
    "role": ("role", "jobrole", "function", "jobtitle", "title"),
    "manager": ("manager", "managername", "manageremail", "reportsto", "managerid"),
    "current_team": ("currentteam", "oldteam", "teamnow"),
    "new_team": ("team", "newteam", "targetteam", "futureteam"),
    "capacity": ("capacity", "fte", "capacityfte", "capacitypoints"),
    "region": ("region", "territory", "geo"),
    "start_date": ("startdate", "hiredate", "joindate"),
    "last_day": ("lastday", "leavingdate", "enddate", "lastworkingday", "leavedate"),
    "weeks_off": ("weeksoff", "timeoff", "vacationweeks", "pto", "daysoff"),
    "max_out_per_week": ("maxoutperweek", "maxhandoffsoutperweek", "maxout"),
    "max_in_per_week": ("maxinperweek", "maxhandoffsinperweek", "maxin"),
}
#: Other names accepted as keys of the scenario's column mappings.
FIELD_ALIASES = {
    "parent_id": "parent", "explicit_segment": "segment", "current_segment": "previous_segment",
    "team": "new_team", "email": "id", "account_id": "id", "account_name": "name",
    "arr_usd": "arr", "renewal_date": "renewal", "go_live_date": "go_live",
}
ROLE_WORDS = {
    "csm": "CSM", "customersuccessmanager": "CSM", "clientoutcomes": "CSM",
    "pm": "PM", "projectmanager": "PM", "onboardingpm": "PM", "onboardingprojectmanager": "PM",
    "sa": "SA", "solutionsarchitect": "SA", "solutionarchitect": "SA", "onboardingsa": "SA",
    "hybrid": "HYBRID",
}
DATE_FIELDS_ACCOUNTS = ("renewal", "customer_since", "go_live", "last_owner_change")
MOST_PER_WEEK = 1_000  # a weekly handoff cap above this is a typo (and would overflow)
DATE_FIELDS_PEOPLE = ("start_date", "last_day", "weeks_off")
#: Words of a roster role that mark a horizontal function (no accounts, no note).
HORIZONTAL_WORDS = ("manager", "director", "president", "vp", "head", "lead", "chief",
                    "support", "ops", "operations", "admin", "executive", "enablement",
                    "analyst", "leadership")
#: Plausibility limits: beyond them a value is kept with a warning.
MOST_EMPLOYEES = 10_000_000
MOST_ARR = 10_000_000_000
#: Above this an ARR cannot be real, and costs scaled by it would overflow the model.
IMPOSSIBLE_ARR = 1_000_000_000_000
DATE_RANGE = (date(1950, 1, 1), date(2100, 12, 31))
EXCEL_DAY_ZERO = (date(1899, 12, 30), date(1899, 12, 31))

_HINT = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def norm_header(text: str) -> str:
    """Header for loose matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def header_keys(text: str) -> tuple[str, ...]:
    """Keys a header is recognised by: the whole header, and the header without a trailing
    parenthesised hint ('Renewal Date (MM/DD/YYYY)' -> 'renewaldatemmddyyyy', 'renewaldate')."""
    whole = norm_header(text)
    bare = norm_header(_HINT.sub("", text))
    return (whole, bare) if bare and bare != whole else (whole,)


def header_date_order(text: str) -> str | None:
    """'DMY' / 'MDY' when the header's hint says so ('Renewal (DD/MM/YYYY)'), else None."""
    match = _HINT.search(text)
    if not match:
        return None
    hint = re.sub(r"[^a-z]", "", match.group(0).casefold())
    if hint.startswith(("ddmm", "dmy")):
        return "DMY"
    if hint.startswith(("mmdd", "mdy")):
        return "MDY"
    return None


@dataclass
class _Problems:
    """Collects problems; ``add`` takes the place of raising so every problem is kept.

    A cell with an error gets no warning after it, and a cell the table reader already
    reported (a formula without a value) gets nothing more.
    """

    items: list[InputProblem] = field(default_factory=list)
    error_cells: set[tuple[str, int | None, str]] = field(default_factory=set)
    table_cells: set[tuple[str, int | None, str]] = field(default_factory=set)

    def add(self, severity: str, file: str, row: int | None, column: str, value: Any,
            expected: str) -> None:
        cell = (file, row, column)
        if column and (cell in self.table_cells or (severity == "warning"
                                                     and cell in self.error_cells)):
            return
        self.items.append(InputProblem(severity, file, row, column, v.as_text(value), expected))
        if severity == "error":
            self.error_cells.add(cell)

    def add_table(self, problems: tuple[InputProblem, ...]) -> None:
        """Problems found while reading the file itself."""
        for problem in problems:
            self.items.append(problem)
            if problem.severity == "error" and problem.column:
                self.table_cells.add((problem.file, problem.row, problem.column))

    @property
    def errors(self) -> list[InputProblem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[InputProblem]:
        return [p for p in self.items if p.severity == "warning"]


# --- columns ------------------------------------------------------------------------------


def _mapped(mapping: dict[str, str], wanted: str) -> str | None:
    """The header the scenario maps to planner field ``wanted``, if any."""
    for key, header in mapping.items():
        if FIELD_ALIASES.get(key, key) == wanted:
            return header
    return None


def header_hint(recognised: dict[str, tuple[str, ...]], mapping: dict[str, str],
                option: str) -> HeaderHint:
    """How to spot the id column's header, for finding the header row below title rows."""
    names = set(recognised["id"])
    mapped = _mapped(mapping, "id")

    def is_id(text: str) -> bool:
        if mapped is not None:
            return text == mapped or norm_header(text) == norm_header(mapped)
        return any(key in names for key in header_keys(text))

    return HeaderHint(is_id, option)


def resolve_columns(
    table: Table,
    recognised: dict[str, tuple[str, ...]],
    mapping: dict[str, str],
    problems: _Problems,
    mapping_name: str,
    taken: set[int] | None = None,
) -> dict[str, int]:
    """planner field -> column index, from the scenario mapping first, then recognition.

    A header is recognised by its whole text, or without a trailing hint in parentheses.
    Columns in ``taken`` (already used for other fields) are not recognised again.
    """
    columns: dict[str, int] = {}
    keys = [header_keys(h) for h in table.headers]
    found = ", ".join(repr(h) for h in table.headers)
    for key, header in mapping.items():
        field_name = FIELD_ALIASES.get(key, key)
        if field_name not in recognised:
            problems.add("error", table.file, None, header, key,
                         f"expected a planner field name in [inputs.{mapping_name}] (one of "
                         f"{', '.join(recognised)})")
            continue
        index = _find_header(table.headers, header)
        if index is None:
            problems.add("error", table.file, table.header_row, header, header,
                         f"expected the column named in [inputs.{mapping_name}] {key}; headers "
                         f"found: {found}")
            continue
        columns[field_name] = index
    used = set(columns.values()) | (taken or set())
    for field_name, names in recognised.items():
        if field_name in columns:
            continue
        for name in names:
            matches = [i for i, k in enumerate(keys) if name in k and i not in used]
            if matches:
                columns[field_name] = matches[0]
                used.add(matches[0])
                if len(matches) > 1:
                    header = table.headers[matches[0]]
                    problems.add("warning", table.file, table.header_row, header, header,
                                 f"two columns could be {field_name}; the first one is used")
                break
    return columns


def _find_header(headers: tuple[str, ...], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    key = norm_header(wanted)
    for index, header in enumerate(headers):
        if key and key in header_keys(header):
            return index
    return None


def _ignored(table: Table, used: set[int],
             known: list[tuple[dict[str, tuple[str, ...]], set[str], str]],
             problems: _Problems) -> tuple[str, ...]:
    """Headers not used; a warning for each that nearly matches a field not yet found.

    known: (recognised headers, fields already found, scenario map that sets them).
    """
    names = {name: (field_name, mapping_name) for recognised, found, mapping_name in known
             for field_name, options in recognised.items() if field_name not in found
             for name in options}
    ignored = []
    for index, header in enumerate(table.headers):
        if index in used or not header:
            continue
        ignored.append(header)
        key = header_keys(header)[-1]
        close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8) if len(
            key) >= 4 else []
        if close:
            field_name, mapping_name = names[close[0]]
            problems.add("warning", table.file, table.header_row, header, header,
                         f"expected a column the planner reads; this one is ignored but "
                         f"looks like {field_name}: if it is, set [inputs.{mapping_name}] "
                         f"{field_name} = \"{header}\"")
    return tuple(ignored)


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where a table's fields are: field -> column index (owners: role -> index)."""

    fields: dict[str, int]
    owners: dict[str, int] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    def used(self, headers: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        pairs = [(name, headers[i]) for name, i in self.fields.items()]
        pairs += [(f"owner {role}", headers[i]) for role, i in self.owners.items()]
        return tuple(pairs)


def account_columns(scenario: Scenario, table: Table, problems: _Problems) -> _Columns:
    """Fields and owner columns of the accounts table, and the headers left unused."""
    settings = scenario.inputs
    fields_ = resolve_columns(table, ACCOUNT_HEADERS, settings.account_columns, problems,
                              "account_columns")
    owners = resolve_columns(table, OWNER_HEADERS, settings.owner_columns, problems,
                             "owner_columns", taken=set(fields_.values()))
    used = set(fields_.values()) | set(owners.values())
    ignored = _ignored(table, used, [(ACCOUNT_HEADERS, set(fields_), "account_columns"),
                                     (OWNER_HEADERS, set(owners), "owner_columns")], problems)
    return _Columns(fields_, owners, ignored)


def people_columns(scenario: Scenario, table: Table, problems: _Problems) -> _Columns:
    """Fields of the roster, and the headers left unused."""
    fields_ = resolve_columns(table, PEOPLE_HEADERS, scenario.inputs.people_columns, problems,
                              "people_columns")
    ignored = _ignored(table, set(fields_.values()),
                       [(PEOPLE_HEADERS, set(fields_), "people_columns")], problems)
    return _Columns(fields_, {}, ignored)


def _no_id_column(table: Table, what: str, example: str, mapping_name: str, option: str,
                  problems: _Problems) -> None:
    problems.add("error", table.file, table.header_row, "", ", ".join(table.headers),
                 f"expected {what} id column (e.g. {example}) in the header row "
                 f"{table.header_row}: set [inputs.{mapping_name}] id = \"<header>\", or "
                 f"[inputs] {option} = <row> if the column names are in another row")


# --- id columns ---------------------------------------------------------------------------


def salesforce_ids(table: Table, index: int | None, setting: str | bool,
                   problems: _Problems) -> bool:
    """Does column ``index`` hold Salesforce ids? By ``[inputs] salesforce_ids``: true
    (every id must be one; others are errors), false, or "auto" (the column decides;
    a column spoiled by a few odd ids gets a warning naming the first)."""
    if index is None or setting is False:
        return False
    header = table.headers[index]
    texts = [v.key_text(row.values[index]) for row in table.rows]
    if setting is True:
        for row, text in zip(table.rows, texts, strict=True):
            if text and not v.is_salesforce_id(text):
                problems.add("error", table.file, row.number, header, text,
                             "expected a Salesforce id: 15 or 18 letters and digits, an "
                             "18-character id ending in its checksum ([inputs] "
                             "salesforce_ids = true)")
        return True
    verdict = v.salesforce_column(texts)
    if verdict.odd_one is not None:
        row = table.rows[verdict.odd_one]
        problems.add("warning", table.file, row.number, header, texts[verdict.odd_one],
                     "expected a Salesforce id like the rest of the column (15 or 18 letters "
                     "and digits, with a valid checksum); the column's ids are therefore "
                     "compared exactly as written; set [inputs] salesforce_ids = true or "
                     "false to decide")
    return verdict.salesforce


# --- helpers for one cell -------------------------------------------------------------------


@dataclass
class _RowReader:
    """Reads typed cells from one row, recording problems with file, row and column."""

    table: Table
    row: RawRow
    columns: dict[str, int]
    problems: _Problems

    def raw(self, name: str) -> Any:
        index = self.columns.get(name)
        return None if index is None else self.row.values[index]

    def header(self, name: str) -> str:
        index = self.columns.get(name)
        return "" if index is None else self.table.headers[index]

    def parse(self, name: str, parser: Callable[[Any], Any]) -> Any:
        raw = self.raw(name)
        try:
            return parser(raw)
        except v.ValueProblem as exc:
            self.problem("error", name, exc.expected)
            return None

    def problem(self, severity: str, name: str, expected: str, value: Any = None) -> None:
        shown = self.raw(name) if value is None else value
        self.problems.add(severity, self.table.file, self.row.number, self.header(name), shown,
                          expected)

    def has_error(self, name: str) -> bool:
        cell = (self.table.file, self.row.number, self.header(name))
        return cell in self.problems.error_cells or cell in self.problems.table_cells


def _column_orders(table: Table, columns: dict[str, int], names: tuple[str, ...],
                   date_order: str | None, problems: _Problems) -> dict[str, str | None]:
    """Day/month order per date column: the scenario's, the header's hint
    ('(DD/MM/YYYY)'), or the one its values prove ('?' when the column is reported).

    A column whose slashed dates could all be read either way is one error naming the
    column, a value and the setting; so is a column with values of both orders.
    """
    orders: dict[str, str | None] = {}
    for name in names:
        if name not in columns:
            continue
        index = columns[name]
        header = table.headers[index]
        cells = [(row.number, part) for row in table.rows
                 for part in (v.split_list(row.values[index]) if name == "weeks_off"
                              else [row.values[index]])]
        if date_order or header_date_order(header):
            orders[name] = date_order or header_date_order(header)
            continue
        evidence = v.date_order_evidence([c for _, c in cells])
        if len(evidence) > 1:
            (dmy_row, dmy), (mdy_row, mdy) = cells[evidence["DMY"]], cells[evidence["MDY"]]
            problems.add("error", table.file, dmy_row, header, dmy,
                         f"expected one day/month order in column '{header}': row {dmy_row} "
                         f"({v.as_text(dmy)!r}) can only be day-first and row {mdy_row} "
                         f"({v.as_text(mdy)!r}) only month-first; fix the odd ones, or set "
                         "[inputs] date_order = \"DMY\" or \"MDY\"")
            orders[name] = "?"
            continue
        orders[name] = next(iter(evidence), None)
        if orders[name] is None:
            ambiguous = [(n, c) for n, c in cells
                         if (p := v.numeric_date_parts(c)) is not None and p[0] != p[1]]
            if ambiguous:
                number, cell = ambiguous[0]
                problems.add("error", table.file, number, header, cell,
                             f"expected dates whose day/month order can be told: all "
                             f"{len(ambiguous)} value(s) of column '{header}' could be "
                             "day-first or month-first; set [inputs] date_order = \"DMY\" or "
                             "\"MDY\" in the scenario")
                orders[name] = "?"
    return orders


def _date(reader: _RowReader, name: str, orders: dict[str, str | None]) -> date | None:
    order = orders.get(name)
    if order == "?":
        return None  # the column is already reported
    result = reader.parse(name, lambda raw: v.parse_date(raw, order))
    if result is None:
        return None
    if result.note:
        reader.problem("warning", name, result.note)
    return _plausible_date(reader, name, result.value)


def _plausible_date(reader: _RowReader, name: str, day: date) -> date | None:
    """Excel's day zero is a blank cell; other dates outside 1950-2100 are kept, noted."""
    if day in EXCEL_DAY_ZERO:
        reader.problem("warning", name, f"expected a real date; {day} is Excel's day zero (an "
                       "empty date cell holding 0), read as blank", day)
        return None
    low, high = DATE_RANGE
    if not low <= day <= high:
        reader.problem("warning", name, f"expected a date between {low.year} and {high.year}; "
                       f"{day} is kept, but check it", day)
    return day


# --- accounts -----------------------------------------------------------------------------


_ONBOARDING_WORDS = {"onboarding": True, "in progress": True, "implementation": True,
                     "live": False, "complete": False, "completed": False, "done": False,
                     "adopted": False}


def parse_onboarding(raw: Any) -> bool | None:
    """Yes/No, or a status word: Onboarding/In progress -> True, Live/Completed -> False."""
    if isinstance(raw, str) and v.key_text(raw).casefold() in _ONBOARDING_WORDS:
        return _ONBOARDING_WORDS[v.key_text(raw).casefold()]
    return v.parse_bool(raw)


@dataclass(frozen=True, slots=True)
class _IdKinds:
    """Which id columns hold Salesforce ids: the accounts' (and parents'), the owners'."""

    accounts: bool = False
    owners: bool = False


def read_accounts(scenario: Scenario, table: Table, columns: _Columns, problems: _Problems,
                  ids: _IdKinds) -> list[Account]:
    """Rows of the accounts table -> Accounts (problems recorded, bad rows left out)."""
    settings = scenario.inputs
    if "id" not in columns.fields:
        _no_id_column(table, "an account", "'Account ID'", "account_columns",
                      "accounts_header_row", problems)
        return []
    if "employees" not in columns.fields and "segment" not in columns.fields:
        problems.add("error", table.file, table.header_row, "", ", ".join(table.headers),
                     "expected an employee count column (e.g. 'Employees') or a 'Segment' "
                     "column, or set [inputs.account_columns] employees = \"<header>\"")
    orders = _column_orders(table, columns.fields, DATE_FIELDS_ACCOUNTS, settings.date_order,
                            problems)
    segment_names = {s.casefold(): s for s in scenario.segment_names}
    accounts = []
    for row in table.rows:
        reader = _RowReader(table, row, columns.fields, problems)
        account = _account(reader, scenario, orders, segment_names, columns.owners, ids)
        if account is not None:
            accounts.append(account)
    if accounts and "employees" in columns.fields and not any(
            a.employees_raw or a.explicit_segment for a in accounts):
        header = table.headers[columns.fields["employees"]]
        problems.add("error", table.file, table.header_row, header, "",
                     "expected employee counts: this column is blank in every row, so no "
                     "account could get a segment; check the export, or map another column "
                     "with [inputs.account_columns] employees = \"<header>\"")
    return accounts


def _account(reader: _RowReader, scenario: Scenario, orders: dict[str, str | None],
             segment_names: dict[str, str], owners: dict[str, int],
             ids: _IdKinds) -> Account | None:
    """One row -> Account, or None when the row has no id."""
    shown_id = v.clean_text(reader.raw("id"))
    if not shown_id:
        reader.problem("error", "id", "expected an account id")
        return None
    crm_id = v.account_key(shown_id, ids.accounts) if ids.accounts else shown_id
    name = v.clean_text(reader.raw("name")) if "name" in reader.columns else ""
    if not name:
        name = shown_id
    explicit = None
    segment_text = v.key_text(reader.raw("segment"))
    if segment_text:
        explicit = segment_names.get(segment_text.casefold())
        if explicit is None:
            reader.problem("error", "segment", "expected one of the scenario's segments: "
                           + ", ".join(scenario.segment_names))
    employees, employees_raw = _employees(reader, scenario, explicit)
    arr = reader.parse("arr", v.parse_money)
    if "arr" in reader.columns and arr is None and not reader.has_error("arr"):
        reader.problem("warning", "arr", "expected an ARR amount; it is missing (not 0)")
    if arr is not None and arr < 0:
        reader.problem("warning", "arr", "expected ARR of 0 or more; a negative ARR is kept")
    if arr is not None and arr > IMPOSSIBLE_ARR:
        reader.problem("error", "arr", f"expected ARR below {IMPOSSIBLE_ARR:,}; check the unit "
                       "or a misplaced separator")
        arr = None
    elif arr is not None and arr > MOST_ARR:
        reader.problem("warning", "arr", f"expected ARR below {MOST_ARR:,}; check the unit or "
                       "a misplaced separator (the value is kept)")
    owner_ids = {}
    for role, index in owners.items():
        key = v.person_key(reader.row.values[index], ids.owners)
        if key:
            owner_ids[role] = key
    parent = v.account_key(reader.raw("parent"), ids.accounts) or None
    renewal = _date(reader, "renewal", orders)
    if renewal is not None and renewal < scenario.start:
        reader.problem("warning", "renewal", f"expected a renewal on or after the plan start "
                       f"({scenario.start}); a past renewal puts no freeze on the plan: check "
                       "that the export is current", renewal)
    return Account(
        id=shown_id,
        name=name,
        row=reader.row.number,
        employees=employees,
        employees_raw=employees_raw,
        arr=arr,
        renewal=renewal,
        customer_since=_date(reader, "customer_since", orders),
        go_live=_date(reader, "go_live", orders),
        onboarding=reader.parse("onboarding", parse_onboarding),
        health=reader.parse("health", v.parse_health),
        region=v.clean_text(reader.raw("region")),
        parent_id=parent,
        explicit_segment=explicit,
        previous_segment=v.clean_text(reader.raw("previous_segment")) or None,
        strategic=bool(reader.parse("strategic", v.parse_bool)),
        locked=bool(reader.parse("locked", v.parse_bool)),
        last_owner_change=_date(reader, "last_owner_change", orders),
        owners=owner_ids,
        crm_id=crm_id,
    )


def _employees(reader: _RowReader, scenario: Scenario,
               explicit: str | None) -> tuple[int | None, str]:
    """Employee count after the band rule, and the raw text; reports what needs a note."""
    raw = reader.raw("employees")
    raw_text = v.clean_text(raw)
    if "employees" not in reader.columns:
        return None, ""
    size = reader.parse("employees", v.parse_employees)
    if reader.has_error("employees"):
        return None, raw_text
    segments = scenario.segments
    rule = scenario.segmentation.band_rule
    count = size.count(rule) if size is not None else None
    if size is not None and not size.is_band and count is not None and count <= 0:
        reader.problem("error", "employees", "expected a positive employee count")
        return None, raw_text
    if size is not None and size.note:
        reader.problem("warning", "employees", size.note)
    if count is not None and count > MOST_EMPLOYEES:
        reader.problem("warning", "employees", f"expected at most {MOST_EMPLOYEES:,} employees "
                       "(the largest employers have about 2 million); the count is kept")
    if explicit is not None:
        return count, raw_text
    policy = scenario.segmentation.below_smallest
    lowest = segments[0]
    placed = (f"placed in {lowest.name} (below_smallest = \"lowest\")" if policy == "lowest"
              else "listed as an exception (below_smallest = \"exception\")")
    if count is None:
        severity = "error" if scenario.inputs.missing_size == "error" else "warning"
        why = ("a band without a lower bound needs band_rule = \"upper\""
               if size is not None else "no usable employee count")
        reader.problem(severity, "employees",
                       f"expected an employee count or band: {why}; {placed}"
                       if severity == "warning" else
                       f"expected an employee count or band ({why}; missing_size = \"error\")")
        return None, raw_text
    if size is not None and size.approximate:
        reader.problem("warning", "employees",
                       f"expected an exact count; read the approximate value as {count}")
    if size is not None:
        straddled = v.straddled_segments(size, segments)
        if straddled:
            where = v.segment_of(count, segments) or "below the smallest segment"
            reader.problem("warning", "employees",
                           f"ambiguous band: it spans {' / '.join(straddled)}; counted as "
                           f"{count} (band_rule = \"{rule}\") -> {where}")
    if count < lowest.min_employees:
        reader.problem("warning", "employees",
                       f"expected at least {lowest.min_employees} employees (smallest segment "
                       f"{lowest.name}); below it, {placed}")
    return count, raw_text


def check_accounts(accounts: list[Account], file: str, problems: _Problems,
                   headers: dict[str, str] | None = None,
                   parent_cells: dict[int, Any] | None = None) -> list[Account]:
    """Duplicate ids (errors naming both rows), parents that are not in the file, and
    parent chains that loop.

    Ids are compared by ``crm_id`` (the 18-character form of a Salesforce id); a parent
    is found by id, else by a unique account name, and becomes that account's ``id``.
    parent_cells: row -> the parent cell as written, quoted in the notes (the matching key
    may be the 18-character form of what the file says).
    """
    headers = headers or {}
    cells = parent_cells or {}
    first: dict[str, Account] = {}
    unique = []
    for account in accounts:
        key = v.key_text(account.crm_id)
        if key in first:
            other = first[key]
            same = "the same id" if other.id == account.id else f"the same id ({other.id})"
            problems.add("error", file, account.row, headers.get("id", "id"), account.id,
                         f"expected a unique account id; row {other.row} has {same}")
            continue
        first[key] = account
        unique.append(account)
    by_name: dict[str, list[Account]] = {}
    for account in unique:
        by_name.setdefault(v.key_text(account.name).casefold(), []).append(account)
    resolved = []
    for account in unique:
        raw_parent = account.parent_id
        written = cells.get(account.row, raw_parent)
        parent: str | None = None
        if raw_parent is not None:
            found = first.get(v.key_text(raw_parent))
            named = by_name.get(v.key_text(raw_parent).casefold(), [])
            if found is not None:
                parent = found.id
            elif len(named) == 1:
                parent = named[0].id
            else:
                problems.add("warning", file, account.row, headers.get("parent", "parent"),
                             written,
                             "expected the id or name of an account in the file; the parent "
                             "is not found and is ignored")
        if parent == account.id:
            problems.add("warning", file, account.row, headers.get("parent", "parent"),
                         written,
                         "expected another account as parent; an account cannot be its own")
            parent = None
        resolved.append(replace(account, parent_id=parent) if parent != account.parent_id
                        else account)
    return _break_parent_loops(resolved, file, headers.get("parent", "parent"), problems,
                               {a.id: cells.get(a.row, a.parent_id) for a in unique})


def find_loops(successor: dict[str, str]) -> list[list[str]]:
    """The loops of a 'next' map (account -> parent, person -> manager), each once, in the
    order they are met, each listed from its first member along the chain."""
    state: dict[str, int] = {}  # 1 = on the chain being walked, 2 = done
    loops = []
    for start in successor:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current in successor and current not in state:
            state[current] = 1
            chain.append(current)
            current = successor[current]
        if current is not None and state.get(current) == 1:
            loops.append(chain[chain.index(current):])
        for member in chain:
            state[member] = 2
    return loops


def _break_parent_loops(accounts: list[Account], file: str, header: str, problems: _Problems,
                        written: dict[str, str | None]) -> list[Account]:
    """A parent chain that loops back (F1 -> F2 -> F3 -> F1) has no top, so the family rules
    would silently not apply. The loop is broken at its smallest account id, which becomes
    the family's top (its parent is ignored), with a warning naming the loop."""
    parents = {a.id: a.parent_id for a in accounts if a.parent_id}
    cut: set[str] = set()
    rows = {a.id: a.row for a in accounts}
    for loop in find_loops(parents):
        top = min(loop)
        at = loop.index(top)
        ordered = loop[at:] + loop[:at]
        shown = " -> ".join(ordered + [top])
        others = ", ".join(f"{a} (row {rows[a]})" for a in ordered[1:])
        problems.add("warning", file, rows[top], header, written.get(top),
                     f"expected parent accounts that lead to a top account; these parents go "
                     f"round in a loop: {shown} (with {others}). {top}, the smallest id of "
                     "the loop, is taken as the family's top and its parent is ignored, so "
                     "the family rules still apply; fix the parent of one of them")
        cut.add(top)
    return [replace(a, parent_id=None) if a.id in cut else a for a in accounts]


# --- people -------------------------------------------------------------------------------


def normalise_role(text: str, role_values: dict[str, str] | None = None) -> str:
    """'Customer Success Manager' -> 'CSM', 'Hybrid' -> 'HYBRID'; other functions kept.

    ``role_values`` (scenario ``[inputs.role_values]``) maps a roster's own titles first.
    """
    for title, role in (role_values or {}).items():
        if norm_header(title) == norm_header(text):
            return role
    key = norm_header(text)
    if key.upper() in ROLES:
        return key.upper()
    return ROLE_WORDS.get(key, text)


def is_horizontal(role: str) -> bool:
    """A function that owns no accounts by its name: managers, support, operations ..."""
    words = re.findall(r"[a-z]+", role.casefold())
    return any(w in HORIZONTAL_WORDS or w.rstrip("s") in HORIZONTAL_WORDS for w in words) \
        or "csops" in norm_header(role)


def read_people(scenario: Scenario, table: Table, columns: _Columns, problems: _Problems,
                salesforce: bool = False) -> list[tuple[Person, dict]]:
    """Rows of the roster -> (Person, comparable fields) pairs, before duplicates are merged."""
    settings = scenario.inputs
    if "id" not in columns.fields:
        _no_id_column(table, "a person", "'Email' or 'User Id'", "people_columns",
                      "people_header_row", problems)
        return []
    orders = _column_orders(table, columns.fields, DATE_FIELDS_PEOPLE, settings.date_order,
                            problems)
    people = []
    for row in table.rows:
        reader = _RowReader(table, row, columns.fields, problems)
        person = _person(reader, scenario, orders, salesforce)
        if person is not None:
            people.append(person)
    _unknown_roles(table, columns.fields, [p for p, _ in people], problems)
    return people


def _person(reader: _RowReader, scenario: Scenario, orders: dict[str, str | None],
            salesforce: bool) -> tuple[Person, dict] | None:
    person_id = v.person_key(reader.raw("id"), salesforce)
    if not person_id:
        reader.problem("error", "id", "expected a person id (e-mail or CRM user id)")
        return None
    written = v.clean_text(reader.raw("id"))
    crm_id = v.salesforce_id18(written) if salesforce and v.is_salesforce_id(written) \
        else written
    name = v.clean_text(reader.raw("name")) if "name" in reader.columns else ""
    role_text = v.clean_text(reader.raw("role"))
    capacity = reader.parse("capacity", v.parse_number)
    if capacity is not None and capacity < 0:
        reader.problem("error", "capacity", "expected a capacity of 0 or more")
        capacity = None
    if capacity is not None and scenario.workload.capacity_unit == "fte" and capacity > 2:
        reader.problem("error", "capacity",
                       "expected a fraction of a full-time person like 0.8 ([workload] "
                       "capacity_unit = \"fte\"); set capacity_unit = \"points\" for points")
        capacity = None
    if capacity is not None and capacity > MOST_POINTS:  # the model's integers must fit
        reader.problem("error", "capacity", f"expected a capacity of at most {MOST_POINTS:,} "
                       "points ([workload] capacity_unit = \"points\")")
        capacity = None
    weeks_off = []
    if "weeks_off" in reader.columns and orders.get("weeks_off") != "?":
        for part in v.split_list(reader.raw("weeks_off")):
            try:
                parsed = v.parse_date(part, orders.get("weeks_off"))
            except v.ValueProblem as exc:
                reader.problem("error", "weeks_off", exc.expected + " (dates separated by ;)",
                               part)
                continue
            if parsed is not None:
                weeks_off.append(v.monday_of(parsed.value))
    caps = {}
    for cap in ("max_out_per_week", "max_in_per_week"):
        caps[cap] = reader.parse(cap, lambda raw: v.parse_count(raw, "a whole number of "
                                                                 "handoffs per week"))
        if caps[cap] is not None and not 0 <= caps[cap] <= MOST_PER_WEEK:
            reader.problem("error", cap, f"expected 0 to {MOST_PER_WEEK:,} handoffs per week")
            caps[cap] = None
    new_team = v.clean_text(reader.raw("new_team")) or None
    current_team = v.clean_text(reader.raw("current_team")) or None
    if new_team is not None:
        _check_team(reader, scenario, new_team)
    start_date = _date(reader, "start_date", orders)
    last_day = _date(reader, "last_day", orders)
    if start_date is not None and last_day is not None and last_day < start_date:
        reader.problem("error", "last_day", f"expected a Last Day on or after the start date "
                       f"{start_date} ({reader.header('start_date')})")
        last_day = None
    person = Person(
        id=person_id,
        name=name or written,
        row=reader.row.number,
        role=normalise_role(role_text, scenario.inputs.role_values) if role_text else "CSM",
        manager=v.clean_text(reader.raw("manager")),
        current_team=current_team,
        new_team=new_team,
        capacity=capacity,
        region=v.clean_text(reader.raw("region")),
        start_date=start_date,
        last_day=last_day,
        weeks_off=tuple(sorted(set(weeks_off))),
        max_out_per_week=caps["max_out_per_week"],
        max_in_per_week=caps["max_in_per_week"],
        crm_id=crm_id,
    )
    _note_idle(reader, scenario, person)
    comparable = {reader.header(name): (reader.raw(name), _compare_key(reader.raw(name)))
                  for name in reader.columns if name != "id"}
    return person, comparable


def _note_idle(reader: _RowReader, scenario: Scenario, person: Person) -> None:
    """Warnings for legal values that leave a person out of the plan's moves: a Last Day
    before the plan; for account owners, capacity 0, a weekly cap of 0, weeks off covering
    the whole plan."""
    if is_gone_before_plan(person, scenario):
        reader.problem("warning", "last_day", f"expected a Last Day on or after the plan start "
                       f"({scenario.start}); already gone, so nobody hands over: their accounts "
                       "move in the first weeks the new owners' caps allow", person.last_day)
    if person.role not in ROLES:
        return
    if person.capacity == 0:
        reader.problem("warning", "capacity", "expected a capacity above 0; with 0 this person "
                       "takes no accounts, and every account they own moves")
    if person.max_out_per_week == 0:
        reader.problem("warning", "max_out_per_week", "expected at least 1 handoff a week; "
                       "with 0 none of this person's accounts can move")
    if person.max_in_per_week == 0:
        reader.problem("warning", "max_in_per_week", "expected at least 1 handoff a week; "
                       "with 0 this person can receive no account")
    if person.weeks_off and is_off_every_plan_week(person, scenario):
        reader.problem("warning", "weeks_off", "expected some weeks at work; off every week "
                       "of the plan, this person neither receives nor hands over accounts")


def _unknown_roles(table: Table, columns: dict[str, int], people: list[Person],
                   problems: _Problems) -> None:
    """One warning per role text that is neither an owner role nor a horizontal function."""
    if "role" not in columns:
        return
    header = table.headers[columns["role"]]
    unknown: dict[str, list[Person]] = {}
    for person in people:
        if person.role not in ROLES and not is_horizontal(person.role):
            unknown.setdefault(person.role, []).append(person)
    for role, holders in unknown.items():
        rows = ", ".join(str(p.row) for p in holders[:10]) + (" ..." if len(holders) > 10
                                                              else "")
        problems.add("warning", table.file, holders[0].row, header, role,
                     f"expected a role ({', '.join(ROLES)}) or a known function; "
                     f"{len(holders)} person(s) with this role (rows {rows}) get no accounts; "
                     "if it is an owner role, map it in [inputs.role_values]")


def check_managers(people: list[Person], table: Table, columns: dict[str, int],
                   problems: _Problems) -> None:
    """A warning per manager (id or unique name) who is not in the roster."""
    if "manager" not in columns:
        return
    header = table.headers[columns["manager"]]
    ids = {p.id for p in people}
    names: dict[str, int] = {}
    for person in people:
        key = v.key_text(person.name).casefold()
        names[key] = names.get(key, 0) + 1
    missing: dict[str, list[Person]] = {}
    for person in people:
        manager = person.manager
        if not manager or v.person_key(manager) in ids or manager in ids or names.get(
                v.key_text(manager).casefold()) == 1:
            continue
        missing.setdefault(v.key_text(manager).casefold(), []).append(person)
    for reports in missing.values():
        rows = ", ".join(str(p.row) for p in reports[:10]) + (" ..." if len(reports) > 10
                                                              else "")
        problems.add("warning", table.file, reports[0].row, header, reports[0].manager,
                     f"expected a manager who is in the roster (by id or unique name); "
                     f"{len(reports)} person(s) report to them (rows {rows})")
    _manager_loops(people, header, table.file, problems)


def _manager_of(person: Person, people: list[Person]) -> str | None:
    """The roster id of a person's manager (by id, else by a unique name), or None."""
    if not person.manager:
        return None
    key = v.person_key(person.manager)
    ids = [p.id for p in people if p.id == key or p.id == person.manager]
    if not ids:
        ids = [p.id for p in people
               if v.key_text(p.name).casefold() == v.key_text(person.manager).casefold()]
    return ids[0] if len(ids) == 1 else None


def _manager_loops(people: list[Person], header: str, file: str, problems: _Problems) -> None:
    """A warning for a person who is their own manager and for each loop of managers (the
    manager column is kept as written; nothing in the plan depends on it)."""
    managers = {p.id: m for p in people if (m := _manager_of(p, people)) is not None}
    by_id = {p.id: p for p in people}
    for loop in find_loops(managers):
        first = by_id[loop[0]]
        if len(loop) == 1:
            problems.add("warning", file, first.row, header, first.manager,
                         f"expected a manager other than the person: {first.name or first.id} "
                         "is their own manager")
            continue
        names = " -> ".join(by_id[p].name or p for p in loop + [loop[0]])
        rows = ", ".join(str(by_id[p].row) for p in loop)
        problems.add("warning", file, first.row, header, first.manager,
                     f"expected a reporting line that ends at a top manager; these managers "
                     f"go round in a loop: {names} (rows {rows})")


def _compare_key(raw: Any) -> str:
    return v.key_text(raw).casefold()


def _check_team(reader: _RowReader, scenario: Scenario, team: str) -> None:
    """A new team is a scenario segment, optionally followed by a role ('Venus CSM')."""
    names = {s.casefold() for s in scenario.segment_names}
    words = v.key_text(team).casefold()
    segment = words.rsplit(" ", 1)[0] if words.split()[-1].upper() in ROLES else words
    if segment not in names and words not in names:
        reader.problem("warning", "new_team",
                       "expected a scenario segment (" + ", ".join(scenario.segment_names)
                       + ") or 'segment role'; this person is not placed in a segment team")
def merge_people(rows: list[tuple[Person, dict]], file: str, problems: _Problems,
                 id_header: str = "") -> list[Person]:
    """Rows with the same key are one person unless a field conflicts (then an error)."""
    groups: dict[str, list[tuple[Person, dict]]] = {}
    for person, comparable in rows:
        groups.setdefault(person.id, []).append((person, comparable))
    people = []
    for person_id, group in groups.items():
        if len(group) == 1:
            people.append(group[0][0])
            continue
        first, first_fields = group[0]
        conflict = False
        merged_fields = dict(first_fields)
        filled: list[str] = []  # "Last Day from row 54": values only a later row gives
        for person, fields_ in group[1:]:
            for header, (raw, key) in fields_.items():
                kept_raw, kept_key = merged_fields.get(header, (None, ""))
                if key and kept_key and key != kept_key:
                    other_row = _row_with(group, header, kept_key)
                    problems.add("error", file, person.row, header, raw,
                                 f"expected the same value as row {other_row} for {person_id} "
                                 f"({v.as_text(kept_raw)!r}): the same person appears twice "
                                 "with different values")
                    conflict = True
                elif key and not kept_key:
                    merged_fields[header] = (raw, key)
                    filled.append(f"{header} from row {person.row}")
        if conflict:  # an error already; kept so that their accounts are not errors too
            people.append(first)
            continue
        merged = first
        for person, _ in group[1:]:
            merged = _fill(merged, person)
        rows_text = ", ".join(str(p.row) for p, _ in group)
        problems.add("warning", file, group[1][0].row, id_header, group[1][0].crm_id,
                     f"rows {rows_text} are the same person ({person_id}); merged into one"
                     + (f" ({', '.join(filled)})" if filled else ""))
        people.append(merged)
    return people


def _row_with(group: list[tuple[Person, dict]], header: str, key: str) -> int:
    for person, fields_ in group:
        if fields_.get(header, (None, ""))[1] == key:
            return person.row
    return group[0][0].row


_PERSON_OPTIONAL = ("manager", "current_team", "new_team", "capacity", "region", "start_date",
                    "last_day", "max_out_per_week", "max_in_per_week")


def _fill(kept: Person, other: Person) -> Person:
    """Fields blank in ``kept`` taken from ``other`` (no conflicts are possible here)."""
    updates = {name: getattr(other, name) for name in _PERSON_OPTIONAL
               if getattr(kept, name) in (None, "") and getattr(other, name) not in (None, "")}
    if other.weeks_off:
        updates["weeks_off"] = tuple(sorted(set(kept.weeks_off) | set(other.weeks_off)))
    return replace(kept, **updates) if updates else kept


def resolve_owners(accounts: list[Account], people: list[Person], file: str,
                   owner_headers: dict[str, str], problems: _Problems,
                   cells: dict[tuple[int, str], Any] | None = None) -> list[Account]:
    """Owner cells -> roster ids (by id, else by a unique name); unknown owners are errors.

    cells: (row, role) -> the owner cell as written, quoted in the problem (the key it
    was matched by is lower-cased and trimmed, which is not what the file says)."""
    cells = cells or {}
    ids = {p.id for p in people}
    by_name: dict[str, list[Person]] = {}
    for person in people:
        by_name.setdefault(v.key_text(person.name).casefold(), []).append(person)
    out = []
    for account in accounts:
        owners = {}
        for role, key in account.owners.items():
            if key in ids:
                owners[role] = key
                continue
            named = by_name.get(key.casefold(), [])
            if len(named) == 1:
                owners[role] = named[0].id
                continue
            expected = ("expected a person of the roster; the name matches several people, "
                        "use their e-mail or id" if named else
                        "expected a person of the roster (add them, with a Last Day if they "
                        "have left, or clear the cell)")
            problems.add("error", file, account.row, owner_headers.get(role, role),
                         cells.get((account.row, role), key), expected)
        out.append(replace(account, owners=owners) if owners != account.owners else account)
    _note_owners_without_owner_role(out, people, file, owner_headers, problems)
    return out


def _note_owners_without_owner_role(accounts: list[Account], people: list[Person], file: str,
                                    owner_headers: dict[str, str], problems: _Problems) -> None:
    """One warning per current owner whose roster role owns no accounts (a manager title,
    or a typo such as 'Customer Sucess Manager'): every account of theirs will move."""
    by_id = {p.id: p for p in people}
    owned: dict[str, list[tuple[Account, str]]] = {}
    for account in accounts:
        for role, owner in account.owners.items():
            if owner in by_id and by_id[owner].role not in ROLES:
                owned.setdefault(owner, []).append((account, role))
    for owner, items in owned.items():
        account, role = items[0]
        problems.add("warning", file, account.row, owner_headers.get(role, role), owner,
                     f"expected an owner whose role is {', '.join(ROLES)}: the roster's role "
                     f"{by_id[owner].role!r} owns no accounts in the plan, so all "
                     f"{len(items)} of theirs move; if it is an owner role, map it in "
                     "[inputs.role_values]")


# --- the whole input ----------------------------------------------------------------------


def _display_names(paths: list[Path]) -> list[str]:
    """File names as shown in problems: the base name, or parent/name if two collide."""
    names = [p.name for p in paths]
    return [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]


def fingerprint(path: Path) -> str:
    """sha256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scenario_notes(scenario: Scenario, problems: _Problems) -> None:
    for note in scenario.notes:
        problems.items.append(note)


def _read_accounts_table(scenario: Scenario, display: str) -> Table:
    settings = scenario.inputs
    hint = header_hint(ACCOUNT_HEADERS, settings.account_columns, "accounts_header_row")
    return read_table(settings.accounts, display, settings.accounts_sheet,
                      settings.accounts_header_row, hint)


def _read_people_table(scenario: Scenario, display: str) -> Table:
    settings = scenario.inputs
    assert settings.people is not None
    hint = header_hint(PEOPLE_HEADERS, settings.people_columns, "people_header_row")
    return read_table(settings.people, display, settings.people_sheet,
                      settings.people_header_row, hint)


def _cells(table: Table, index: int | None) -> dict[int, Any]:
    """Row -> the cell of column ``index`` as written (trimmed), for quoting in notes."""
    if index is None:
        return {}
    return {row.number: v.clean_text(row.values[index]) for row in table.rows}


def read_input_table(scenario: Scenario, which: str) -> Table:
    """The raw table of ``which`` ("accounts" or "people") read exactly as ``read_inputs``
    reads it (sheet, header row, title rows skipped), to say what was read when the
    inputs are not usable."""
    settings = scenario.inputs
    paths = [settings.accounts] + ([settings.people] if settings.people else [])
    displays = _display_names(paths)
    if which == "accounts":
        return _read_accounts_table(scenario, displays[0])
    return _read_people_table(scenario, displays[1])


@dataclass
class _Roster:
    """The roster as read: people (duplicates merged), whether its ids are Salesforce ids,
    and whether owners can be checked against it (its id column was found)."""

    people: list[Person] = field(default_factory=list)
    salesforce: bool = False
    usable: bool = False
    columns: _Columns | None = None


def _roster(scenario: Scenario, table: Table, problems: _Problems) -> _Roster:
    if table.unreadable:
        return _Roster()
    columns = people_columns(scenario, table, problems)
    salesforce = salesforce_ids(table, columns.fields.get("id"),
                                scenario.inputs.salesforce_ids, problems)
    rows = read_people(scenario, table, columns, problems, salesforce)
    people = merge_people(rows, table.file, problems,
                          table.headers[columns.fields["id"]] if "id" in columns.fields else "")
    check_managers(people, table, columns.fields, problems)
    return _Roster(people, salesforce, "id" in columns.fields, columns)


def _owner_salesforce(scenario: Scenario, table: Table, columns: _Columns,
                      roster: _Roster | None, problems: _Problems) -> bool:
    """Owner cells are roster ids: Salesforce when the roster's are; without a usable roster,
    judged from the owner cells themselves."""
    if roster is not None and roster.usable:
        return roster.salesforce
    setting = scenario.inputs.salesforce_ids
    if setting is not True and setting is not False:
        texts = [v.key_text(row.values[i]) for i in columns.owners.values() for row in table.rows]
        return v.salesforce_column(texts).salesforce
    return bool(setting)


def read_inputs(scenario: Scenario) -> Inputs:
    """Read, check and type the scenario's accounts and people.

    Raises InputError carrying every problem (errors first, then warnings), the encodings
    and the rows read, when any error is found; otherwise the warnings (the scenario's
    first) are returned in ``Inputs.notes``.
    """
    settings = scenario.inputs
    paths = [settings.accounts] + ([settings.people] if settings.people else [])
    displays = _display_names(paths)
    problems = _Problems()
    _scenario_notes(scenario, problems)
    accounts_table = _read_accounts_table(scenario, displays[0])
    problems.add_table(accounts_table.problems)
    tables = [accounts_table]
    roster: _Roster | None = None
    if settings.people is not None:
        people_table = _read_people_table(scenario, displays[1])
        tables.append(people_table)
        problems.add_table(people_table.problems)
        roster = _roster(scenario, people_table, problems)
    accounts: list[Account] = []
    owner_headers: dict[str, str] = {}
    columns_used: dict[str, tuple[tuple[str, str], ...]] = {}
    ignored: dict[str, tuple[str, ...]] = {}
    if not accounts_table.unreadable:
        columns = account_columns(scenario, accounts_table, problems)
        columns_used[accounts_table.file] = columns.used(accounts_table.headers)
        ignored[accounts_table.file] = columns.ignored
        ids = _IdKinds(
            salesforce_ids(accounts_table, columns.fields.get("id"), settings.salesforce_ids,
                           problems),
            _owner_salesforce(scenario, accounts_table, columns, roster, problems))
        accounts = check_accounts(
            read_accounts(scenario, accounts_table, columns, problems, ids),
            accounts_table.file, problems,
            {name: accounts_table.headers[i] for name, i in columns.fields.items()},
            _cells(accounts_table, columns.fields.get("parent")))
        owner_headers = {role: accounts_table.headers[i] for role, i in columns.owners.items()}
        if roster is not None and roster.usable:
            cells = {(row.number, role): row.values[i] for role, i in columns.owners.items()
                     for row in accounts_table.rows}
            accounts = resolve_owners(accounts, roster.people, accounts_table.file,
                                      owner_headers, problems, cells)
    if roster is not None and roster.columns is not None:
        people_file = tables[1].file
        columns_used[people_file] = roster.columns.used(tables[1].headers)
        ignored[people_file] = roster.columns.ignored
    people = roster.people if roster is not None else []
    if not accounts and not problems.errors:
        problems.add("error", accounts_table.file, None, "", f"{len(accounts_table.rows)} rows",
                     "expected at least one account (is this the right file or sheet?)")
    if settings.people is not None and not people and not problems.errors:
        problems.add("error", tables[1].file, None, "", "0 people",
                     "expected at least one person in the roster")
    for problem in problems.items:
        log.debug("%s: %s", problem.severity, problem)
    encodings = {t.file: (t.encoding or f"XLSX, sheet '{t.sheet}'") for t in tables if t.headers}
    if problems.errors:
        raise InputError(problems.errors + problems.warnings, encodings,
                         {t.file: len(t.rows) for t in tables if t.headers})
    fingerprints = {t.file: fingerprint(p) for t, p in zip(tables, paths, strict=True)}
    return Inputs(tuple(accounts), tuple(people), tuple(problems.warnings), encodings,
                  fingerprints, columns_used, ignored, owner_headers,
                  _id_columns(tables, columns_used))


def _id_columns(tables: list[Table], columns_used: dict[str, tuple[tuple[str, str], ...]]
                ) -> dict[str, tuple[str, str]]:
    """"accounts" / "people" -> (file as shown, header of its id column)."""
    found = {}
    for kind, table in zip(("accounts", "people"), tables, strict=False):
        header = dict(columns_used.get(table.file, ())).get("id")
        if header is not None:
            found[kind] = (table.file, header)
    return found


def load_people(scenario: Scenario) -> tuple[list[Person], list[InputProblem]]:
    """The roster alone (duplicates merged) and its problems, without raising."""
    if scenario.inputs.people is None:
        return [], []
    problems = _Problems()
    table = _read_people_table(scenario, scenario.inputs.people.name)
    problems.add_table(table.problems)
    return _roster(scenario, table, problems).people, problems.items


def load_accounts(scenario: Scenario) -> tuple[list[Account], list[InputProblem]]:
    """The accounts alone (owners not checked against a roster) and their problems."""
    problems = _Problems()
    table = _read_accounts_table(scenario, scenario.inputs.accounts.name)
    problems.add_table(table.problems)
    if table.unreadable:
        return [], problems.items
    columns = account_columns(scenario, table, problems)
    ids = _IdKinds(salesforce_ids(table, columns.fields.get("id"),
                                  scenario.inputs.salesforce_ids, problems),
                   _owner_salesforce(scenario, table, columns, None, problems))
    accounts = check_accounts(read_accounts(scenario, table, columns, problems, ids),
                              table.file, problems,
                              {name: table.headers[i] for name, i in columns.fields.items()},
                              _cells(table, columns.fields.get("parent")))
    return accounts, problems.items
