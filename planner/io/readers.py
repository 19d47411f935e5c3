"""Accounts and people from CRM exports -> validated :class:`planner.domain.Inputs`.

Headers are recognised without configuration, loosely (case, spaces and punctuation do
not matter: ``Account ID`` = ``account_id`` = ``AccountId``); the scenario's
``[inputs.account_columns]``, ``[inputs.people_columns]`` and ``[inputs.owner_columns]``
override recognition. Every problem of every file is collected; errors raise
:class:`InputError` with all of them, warnings become ``Inputs.notes``.

Decisions an ops lead should know:
- An owner that is not in the roster is an **error** (when a roster is given): the planner
  would otherwise have to drop the relationship or invent a person. Add the person to the
  roster (with a Last Day if they have left) or clear the cell. Owners may be written as
  the roster's id (e-mail, login, CRM user id) or as a name that is unique in the roster.
- Duplicate people: rows with the same key (e-mail case and spaces aside) and no
  conflicting fields are one person (merged, with a note); conflicting fields are an error
  naming both rows.
- Employee bands follow ``[segmentation] band_rule``; a band that straddles a segment
  boundary is a warning naming the segments it could be in. A missing or unusable size
  (and a size below the smallest segment) is reported and follows ``[inputs] missing_size``
  and ``[segmentation] below_smallest``; an explicit segment makes the size irrelevant.
"""

from __future__ import annotations

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
from planner.io.tables import RawRow, Table, read_table
from planner.scenario import Scenario

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
DATE_FIELDS_PEOPLE = ("start_date", "last_day", "weeks_off")


def norm_header(text: str) -> str:
    """Header for loose matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@dataclass
class _Problems:
    """Collects problems; ``add`` takes the place of raising so every problem is kept."""

    items: list[InputProblem] = field(default_factory=list)
    error_cells: set[tuple[str, int | None, str]] = field(default_factory=set)

    def add(self, severity: str, file: str, row: int | None, column: str, value: Any,
            expected: str) -> None:
        self.items.append(InputProblem(severity, file, row, column, v.as_text(value), expected))
        if severity == "error":
            self.error_cells.add((file, row, column))

    @property
    def errors(self) -> list[InputProblem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[InputProblem]:
        return [p for p in self.items if p.severity == "warning"]


# --- columns ------------------------------------------------------------------------------


def resolve_columns(
    table: Table,
    recognised: dict[str, tuple[str, ...]],
    mapping: dict[str, str],
    problems: _Problems,
    mapping_name: str,
) -> dict[str, int]:
    """planner field -> column index, from the scenario mapping first, then recognition."""
    columns: dict[str, int] = {}
    normalised = [norm_header(h) for h in table.headers]
    found = ", ".join(repr(h) for h in table.headers)
    for key, header in mapping.items():
        field_name = FIELD_ALIASES.get(key, key)
        if field_name not in recognised:
            problems.add("error", table.file, None, header, key,
                         f"expected a planner field name in [inputs.{mapping_name}] (one of "
                         f"{', '.join(recognised)})")
            continue
        index = _find_header(table.headers, normalised, header)
        if index is None:
            problems.add("error", table.file, 1, header, header,
                         f"expected the column named in [inputs.{mapping_name}] {key}; headers "
                         f"found: {found}")
            continue
        columns[field_name] = index
    taken = set(columns.values())
    for field_name, names in recognised.items():
        if field_name in columns:
            continue
        for name in names:
            matches = [i for i, n in enumerate(normalised) if n == name and i not in taken]
            if matches:
                columns[field_name] = matches[0]
                taken.add(matches[0])
                if len(matches) > 1:
                    problems.add("warning", table.file, 1, table.headers[matches[0]],
                                 table.headers[matches[0]],
                                 f"two columns could be {field_name}; the first one is used")
                break
    return columns


def _find_header(headers: tuple[str, ...], normalised: list[str], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    key = norm_header(wanted)
    return normalised.index(key) if key and key in normalised else None


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


def _column_orders(table: Table, columns: dict[str, int], names: tuple[str, ...],
                   date_order: str | None, problems: _Problems) -> dict[str, str | None]:
    """Day/month order per date column: the scenario's, or the one its values prove.

    A column whose slashed dates could all be read either way is one error naming the
    column and the setting.
    """
    orders: dict[str, str | None] = {}
    for name in names:
        if name not in columns:
            continue
        index = columns[name]
        cells = [(row.number, part) for row in table.rows
                 for part in (v.split_list(row.values[index]) if name == "weeks_off"
                              else [row.values[index]])]
        if date_order:
            orders[name] = date_order
            continue
        header = table.headers[index]
        try:
            orders[name] = v.column_date_order([c for _, c in cells])
        except v.ValueProblem as exc:
            problems.add("error", table.file, None, header, "", exc.expected
                         + "; set [inputs] date_order = \"DMY\" or \"MDY\"")
            orders[name] = "?"
            continue
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
    return result.value


# --- accounts -----------------------------------------------------------------------------


_ONBOARDING_WORDS = {"onboarding": True, "in progress": True, "implementation": True,
                     "live": False, "complete": False, "completed": False, "done": False,
                     "adopted": False}


def parse_onboarding(raw: Any) -> bool | None:
    """Yes/No, or a status word: Onboarding/In progress -> True, Live/Completed -> False."""
    if isinstance(raw, str) and v.key_text(raw).casefold() in _ONBOARDING_WORDS:
        return _ONBOARDING_WORDS[v.key_text(raw).casefold()]
    return v.parse_bool(raw)


def read_accounts(scenario: Scenario, table: Table, problems: _Problems) -> list[Account]:
    """Rows of the accounts table -> Accounts (problems recorded, bad rows left out)."""
    settings = scenario.inputs
    columns = resolve_columns(table, ACCOUNT_HEADERS, settings.account_columns, problems,
                              "account_columns")
    owners = resolve_columns(table, OWNER_HEADERS, settings.owner_columns, problems,
                             "owner_columns")
    owners = {role: i for role, i in owners.items() if i not in columns.values()}
    for required in ("id",):
        if required not in columns:
            problems.add("error", table.file, 1, "", ", ".join(table.headers),
                         f"expected an account {required} column (e.g. 'Account ID'), or set "
                         f"[inputs.account_columns] {required} = \"<header>\"")
    if "employees" not in columns and "segment" not in columns and "id" in columns:
        problems.add("error", table.file, 1, "", ", ".join(table.headers),
                     "expected an employee count column (e.g. 'Employees') or a 'Segment' "
                     "column, or set [inputs.account_columns] employees = \"<header>\"")
    if "id" not in columns:
        return []
    orders = _column_orders(table, columns, DATE_FIELDS_ACCOUNTS, settings.date_order, problems)
    segment_names = {s.casefold(): s for s in scenario.segment_names}
    accounts = []
    for row in table.rows:
        reader = _RowReader(table, row, columns, problems)
        account = _account(reader, scenario, orders, segment_names, owners)
        if account is not None:
            accounts.append(account)
    return accounts


def _account(reader: _RowReader, scenario: Scenario, orders: dict[str, str | None],
             segment_names: dict[str, str], owners: dict[str, int]) -> Account | None:
    """One row -> Account, or None when the row has no id."""
    account_id = v.account_key(reader.raw("id"))
    if not account_id:
        reader.problem("error", "id", "expected an account id")
        return None
    name = v.clean_text(reader.raw("name")) if "name" in reader.columns else ""
    if not name:
        name = account_id
    explicit = None
    segment_text = v.key_text(reader.raw("segment"))
    if segment_text:
        explicit = segment_names.get(segment_text.casefold())
        if explicit is None:
            reader.problem("error", "segment", "expected one of the scenario's segments: "
                           + ", ".join(scenario.segment_names))
    employees, employees_raw = _employees(reader, scenario, explicit)
    arr = reader.parse("arr", v.parse_money)
    if "arr" in reader.columns and arr is None and not _has_error(reader, "arr"):
        reader.problem("warning", "arr", "expected an ARR amount; it is missing (not 0)")
    if arr is not None and arr < 0:
        reader.problem("warning", "arr", "expected ARR of 0 or more; a negative ARR is kept")
    health = reader.parse("health", v.parse_health)
    owner_ids = {}
    for role, index in owners.items():
        key = v.person_key(reader.row.values[index])
        if key:
            owner_ids[role] = key
    return Account(
        id=account_id,
        name=name,
        row=reader.row.number,
        employees=employees,
        employees_raw=employees_raw,
        arr=arr,
        renewal=_date(reader, "renewal", orders),
        customer_since=_date(reader, "customer_since", orders),
        go_live=_date(reader, "go_live", orders),
        onboarding=reader.parse("onboarding", parse_onboarding),
        health=health,
        region=v.clean_text(reader.raw("region")),
        parent_id=v.account_key(reader.raw("parent")) or None,
        explicit_segment=explicit,
        previous_segment=v.clean_text(reader.raw("previous_segment")) or None,
        strategic=bool(reader.parse("strategic", v.parse_bool)),
        locked=bool(reader.parse("locked", v.parse_bool)),
        last_owner_change=_date(reader, "last_owner_change", orders),
        owners=owner_ids,
    )


def _has_error(reader: _RowReader, name: str) -> bool:
    cell = (reader.table.file, reader.row.number, reader.header(name))
    return cell in reader.problems.error_cells


def _employees(reader: _RowReader, scenario: Scenario,
               explicit: str | None) -> tuple[int | None, str]:
    """Employee count after the band rule, and the raw text; reports what needs a note."""
    raw = reader.raw("employees")
    raw_text = v.clean_text(raw)
    if "employees" not in reader.columns:
        return None, ""
    size = reader.parse("employees", v.parse_employees)
    if _has_error(reader, "employees"):
        return None, raw_text
    segments = scenario.segments
    rule = scenario.segmentation.band_rule
    count = size.count(rule) if size is not None else None
    if count is not None and count <= 0:
        reader.problem("error", "employees", "expected a positive employee count")
        return None, raw_text
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
                   headers: dict[str, str] | None = None) -> list[Account]:
    """Duplicate ids (errors naming both rows) and parents that are not in the file."""
    headers = headers or {}
    first: dict[str, Account] = {}
    unique = []
    for account in accounts:
        if account.id in first:
            other = first[account.id]
            problems.add("error", file, account.row, headers.get("id", "id"), account.id,
                         f"expected a unique account id; row {other.row} has the same id")
            continue
        first[account.id] = account
        unique.append(account)
    by_name: dict[str, list[Account]] = {}
    for account in unique:
        by_name.setdefault(v.key_text(account.name).casefold(), []).append(account)
    resolved = []
    for account in unique:
        parent = account.parent_id
        if parent is not None and parent not in first:
            named = by_name.get(parent.casefold(), [])
            if len(named) == 1:
                parent = named[0].id
            else:
                problems.add("warning", file, account.row, headers.get("parent", "parent"),
                             account.parent_id,
                             "expected the id or name of an account in the file; the parent "
                             "is not found and is ignored")
                parent = None
        if parent == account.id:
            problems.add("warning", file, account.row, headers.get("parent", "parent"), parent,
                         "expected another account as parent; an account cannot be its own")
            parent = None
        resolved.append(replace(account, parent_id=parent) if parent != account.parent_id
                        else account)
    return resolved


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


def read_people(scenario: Scenario, table: Table, problems: _Problems) -> list[tuple[Person, dict]]:
    """Rows of the roster -> (Person, comparable fields) pairs, before duplicates are merged."""
    settings = scenario.inputs
    columns = resolve_columns(table, PEOPLE_HEADERS, settings.people_columns, problems,
                              "people_columns")
    if "id" not in columns:
        problems.add("error", table.file, 1, "", ", ".join(table.headers),
                     "expected a person id column (e.g. 'Email' or 'User Id'), or set "
                     "[inputs.people_columns] id = \"<header>\"")
        return []
    orders = _column_orders(table, columns, DATE_FIELDS_PEOPLE, settings.date_order, problems)
    people = []
    for row in table.rows:
        reader = _RowReader(table, row, columns, problems)
        person = _person(reader, scenario, orders)
        if person is not None:
            people.append(person)
    return people


def _person(reader: _RowReader, scenario: Scenario,
            orders: dict[str, str | None]) -> tuple[Person, dict] | None:
    person_id = v.person_key(reader.raw("id"))
    if not person_id:
        reader.problem("error", "id", "expected a person id (e-mail or CRM user id)")
        return None
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
        if caps[cap] is not None and caps[cap] < 0:
            reader.problem("error", cap, "expected 0 or more handoffs per week")
            caps[cap] = None
    new_team = v.clean_text(reader.raw("new_team")) or None
    current_team = v.clean_text(reader.raw("current_team")) or None
    if new_team is not None:
        _check_team(reader, scenario, new_team)
    person = Person(
        id=person_id,
        name=name or v.clean_text(reader.raw("id")),
        row=reader.row.number,
        role=normalise_role(role_text, scenario.inputs.role_values) if role_text else "CSM",
        manager=v.clean_text(reader.raw("manager")),
        current_team=current_team,
        new_team=new_team,
        capacity=capacity,
        region=v.clean_text(reader.raw("region")),
        start_date=_date(reader, "start_date", orders),
        last_day=_date(reader, "last_day", orders),
        weeks_off=tuple(sorted(set(weeks_off))),
        max_out_per_week=caps["max_out_per_week"],
        max_in_per_week=caps["max_in_per_week"],
    )
    comparable = {reader.header(name): (reader.raw(name), _compare_key(reader.raw(name)))
                  for name in reader.columns if name != "id"}
    return person, comparable


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


def merge_people(rows: list[tuple[Person, dict]], file: str, problems: _Problems) -> list[Person]:
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
        if conflict:
            continue
        merged = first
        for person, _ in group[1:]:
            merged = _fill(merged, person)
        rows_text = ", ".join(str(p.row) for p, _ in group)
        problems.add("warning", file, group[1][0].row, "", person_id,
                     f"rows {rows_text} are the same person ({person_id}); merged into one")
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
                   owner_headers: dict[str, str], problems: _Problems) -> list[Account]:
    """Owner cells -> roster ids (by id, else by a unique name); unknown owners are errors."""
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
            problems.add("error", file, account.row, owner_headers.get(role, role), key,
                         expected)
        out.append(replace(account, owners=owners) if owners != account.owners else account)
    return out


# --- the whole input ----------------------------------------------------------------------


def _display_names(paths: list[Path]) -> list[str]:
    """File names as shown in problems: the base name, or parent/name if two collide."""
    names = [p.name for p in paths]
    return [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]


def fingerprint(path: Path) -> str:
    """sha256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_inputs(scenario: Scenario) -> Inputs:
    """Read, check and type the scenario's accounts and people.

    Raises InputError carrying every problem (errors first, then warnings) when any error
    is found; otherwise the warnings are returned in ``Inputs.notes``.
    """
    settings = scenario.inputs
    paths = [settings.accounts] + ([settings.people] if settings.people else [])
    displays = _display_names(paths)
    problems = _Problems()
    header_rows = (settings.accounts_header_row, settings.people_header_row)
    accounts_table = read_table(settings.accounts, displays[0], settings.accounts_sheet,
                                header_rows[0])
    problems.items.extend(accounts_table.problems)
    scratch = _Problems()
    account_columns = resolve_columns(accounts_table, ACCOUNT_HEADERS, settings.account_columns,
                                      scratch, "account_columns")
    accounts = check_accounts(
        read_accounts(scenario, accounts_table, problems), accounts_table.file, problems,
        {name: accounts_table.headers[i] for name, i in account_columns.items()},
    )
    tables = [accounts_table]
    people: list[Person] = []
    if settings.people is not None:
        people_table = read_table(settings.people, displays[1], settings.people_sheet,
                                  header_rows[1])
        tables.append(people_table)
        problems.items.extend(people_table.problems)
        people = merge_people(read_people(scenario, people_table, problems), people_table.file,
                              problems)
        owner_headers = _owner_headers(accounts_table, scenario, problems)
        accounts = resolve_owners(accounts, people, accounts_table.file, owner_headers, problems)
    if not accounts and not problems.errors:
        problems.add("error", accounts_table.file, None, "", f"{len(accounts_table.rows)} rows",
                     "expected at least one account (is this the right file or sheet?)")
    if settings.people is not None and not people and not problems.errors:
        problems.add("error", displays[1], None, "", "0 people",
                     "expected at least one person in the roster")
    for problem in problems.items:
        log.debug("%s: %s", problem.severity, problem)
    if problems.errors:
        raise InputError(problems.errors + problems.warnings)
    encodings = {t.file: (t.encoding or f"XLSX, sheet '{t.sheet}'") for t in tables if t.headers}
    fingerprints = {t.file: fingerprint(p) for t, p in zip(tables, paths, strict=True)}
    return Inputs(tuple(accounts), tuple(people), tuple(problems.warnings), encodings,
                  fingerprints)


def _owner_headers(table: Table, scenario: Scenario, problems: _Problems) -> dict[str, str]:
    scratch = _Problems()
    owners = resolve_columns(table, OWNER_HEADERS, scenario.inputs.owner_columns, scratch,
                             "owner_columns")
    return {role: table.headers[i] for role, i in owners.items()}


def load_people(scenario: Scenario) -> tuple[list[Person], list[InputProblem]]:
    """The roster alone (duplicates merged) and its problems, without raising."""
    if scenario.inputs.people is None:
        return [], []
    problems = _Problems()
    table = read_table(scenario.inputs.people, scenario.inputs.people.name,
                       scenario.inputs.people_sheet, scenario.inputs.people_header_row)
    problems.items.extend(table.problems)
    people = merge_people(read_people(scenario, table, problems), table.file, problems)
    return people, problems.items


def load_accounts(scenario: Scenario) -> tuple[list[Account], list[InputProblem]]:
    """The accounts alone (owners not checked against a roster) and their problems."""
    problems = _Problems()
    table = read_table(scenario.inputs.accounts, scenario.inputs.accounts.name,
                       scenario.inputs.accounts_sheet, scenario.inputs.accounts_header_row)
    problems.items.extend(table.problems)
    accounts = check_accounts(read_accounts(scenario, table, problems), table.file, problems)
    return accounts, problems.items
