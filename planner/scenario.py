"""Scenario TOML -> typed settings. Every default lives here, in one place.

A scenario file is strict: an unknown key is an error naming the key and the file,
and a value of the wrong type or out of range names the key, the value and what was
expected. All problems of the file are reported together (one :class:`ScenarioError`
listing them). Nested tables are checked too (``[rules] overlap_weeks`` keys must be roles,
``[workload.points]`` keys the scenario's segments) and a partial nested table is merged
over the defaults (``overlap_weeks = { CSM = 3 }`` keeps the other roles' defaults).
Legal but suspicious settings (a blackout week outside the plan, a sheet named for a CSV
file) are warnings kept in ``Scenario.notes`` for the plan's Input notes.
See ``scenarios/reference.toml`` for every key, commented.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from planner.domain import ROLES, InputProblem, Segment


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message names file and key.

    problems: every problem found, one message each (the message lists them all).
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems) if problems else [message]


DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment("Mercury", 10, 99, "3"),
    Segment("Mars", 100, 399, "4"),
    Segment("Venus", 400, 2999, "5"),
    Segment("Jupiter", 3000, None, "6+"),
)


@dataclass(frozen=True, slots=True)
class InputSettings:
    """Where the exports are and how their columns map to planner fields."""

    accounts: Path
    people: Path | None = None  # only `validate` may run without a roster
    accounts_sheet: str | None = None
    people_sheet: str | None = None
    date_order: str | None = None  # "DMY" or "MDY"; None = infer per column, error if ambiguous
    account_columns: dict[str, str] = field(default_factory=dict)
    people_columns: dict[str, str] = field(default_factory=dict)
    owner_columns: dict[str, str] = field(default_factory=dict)
    role_values: dict[str, str] = field(default_factory=dict)  # roster text -> role
    missing_size: str = "report"  # "report" (account follows below_smallest) or "error"
    accounts_header_row: int | None = None  # row of the column names; None = first non-blank
    people_header_row: int | None = None
    # "auto": an id column holds Salesforce ids when its values say so; True: they must;
    # False: ids are plain text compared exactly as written.
    salesforce_ids: str | bool = "auto"


@dataclass(frozen=True, slots=True)
class SegmentationSettings:
    """How accounts are placed in segments."""

    span: int | None = None  # derive segments from first principles when set
    levels: tuple[int, int] = (3, 6)
    below_smallest: str = "exception"  # "lowest" or "exception"
    band_rule: str = "lower"  # employee band -> count: "lower", "midpoint" or "upper" bound


@dataclass(frozen=True, slots=True)
class CoverageRule:
    """Which role a segment's accounts need, and when.

    when: "always", "onboarding" (onboarding status, or go-live after plan start),
    "first_months" (customer for fewer than ``months``) or "after_months".
    """

    segment: str
    role: str
    when: str = "always"
    months: int = 12


DEFAULT_COVERAGE: tuple[CoverageRule, ...] = (
    CoverageRule("Jupiter", "CSM"),
    CoverageRule("Jupiter", "PM", "onboarding"),
    CoverageRule("Jupiter", "SA", "onboarding"),
    CoverageRule("Venus", "CSM"),
    CoverageRule("Venus", "PM", "onboarding"),
    CoverageRule("Venus", "SA", "onboarding"),
    CoverageRule("Mars", "HYBRID", "first_months", 12),
    CoverageRule("Mars", "CSM", "after_months", 12),
    CoverageRule("Mercury", "CSM"),
)

DEFAULT_POINTS: dict[str, dict[str, float]] = {
    "Jupiter": {"CSM": 10.0, "PM": 8.0, "SA": 8.0, "HYBRID": 14.0},
    "Venus": {"CSM": 5.0, "PM": 5.0, "SA": 5.0, "HYBRID": 9.0},
    "Mars": {"CSM": 2.0, "PM": 3.0, "SA": 3.0, "HYBRID": 4.0},
    "Mercury": {"CSM": 1.0, "PM": 2.0, "SA": 2.0, "HYBRID": 2.0},
}


@dataclass(frozen=True, slots=True)
class WorkloadSettings:
    """Workload points per account (segment -> role -> points) and capacities.

    capacity_unit: how the roster's capacity column reads: "fte" (fraction of a
    full-time person, times the role's full-time points) or "points".
    """

    points: dict[str, dict[str, float]] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    full_time_points: dict[str, float] = field(
        default_factory=lambda: {"CSM": 100.0, "PM": 100.0, "SA": 100.0, "HYBRID": 100.0}
    )
    capacity_unit: str = "fte"
    team_sizes: dict[str, int] = field(default_factory=dict)  # "Venus CSM" -> people


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Hard rules of the assignment and the schedule."""

    overlap_weeks: dict[str, int] = field(
        default_factory=lambda: {"CSM": 2, "PM": 1, "SA": 1, "HYBRID": 2}
    )
    renewal_freeze_weeks: int = 4
    renewal_soft_weeks: int = 4
    onboarding_csm_waits: bool = False
    max_handoffs_out_per_week: int = 6
    max_handoffs_in_per_week: int = 6
    max_handoffs_per_team_week: int = 0  # 0 = no team cap
    new_hire_ramp_weeks: int = 4
    new_hire_ramp_max_in: int = 2
    blackout_weeks: tuple[date, ...] = ()
    same_week_per_account: bool = True
    family_same_week: bool = False
    family_same_csm: bool = True
    load_tolerance: float = 1.15
    wave_weeks: int = 1
    recent_move_months: int = 6
    renewal_soon_weeks: int = 13
    low_health_below: float = 50.0


@dataclass(frozen=True, slots=True)
class ObjectiveWeights:
    """Weights of the named objective terms (integers; money is per 1,000 of ARR)."""

    move: int = 100
    move_per_arr_k: int = 1
    strategic_move: int = 300
    low_health_move: int = 150
    renewal_soon_move: int = 150
    recent_move: int = 150
    balance: int = 20
    keep_with_family: int = 40
    region_mismatch: int = 30
    unassigned: int = 100000
    early_forced: int = 5
    near_renewal: int = 50
    peak_week: int = 20
    wave_spread: int = 10
    previous_change: int = 200


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0


@dataclass(frozen=True, slots=True)
class CrmSettings:
    """The CRM update CSV.

    fields: role -> the CRM field that holds that role's owner (e.g. CSM -> "CSM__c");
    a role left out uses the header of its owner column in the accounts export.
    """

    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole scenario: plan window, inputs, segments and the model's settings."""

    name: str
    path: Path
    start: date
    weeks: int
    inputs: InputSettings
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS
    segmentation: SegmentationSettings = SegmentationSettings()
    coverage: tuple[CoverageRule, ...] = DEFAULT_COVERAGE
    workload: WorkloadSettings = field(default_factory=WorkloadSettings)
    rules: RuleSettings = field(default_factory=RuleSettings)
    objective: ObjectiveWeights = ObjectiveWeights()
    solver: SolverSettings = SolverSettings()
    crm: CrmSettings = field(default_factory=CrmSettings)
    #: legal but suspicious settings, shown with the input warnings (file = scenario file)
    notes: tuple[InputProblem, ...] = ()

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


# --- loading ----------------------------------------------------------------------------

TOP_KEYS = {
    "name", "plan", "inputs", "segments", "segmentation", "coverage",
    "workload", "rules", "objective", "solver", "crm",
}
PLAN_WEEKS = (1, 156)
#: Upper bounds. Points and capacities are multiplied by POINT_SCALE and by weights before
#: CP-SAT sees them, and its sums are 64-bit integers: a million points (a person holds about
#: 100) and a weight of a billion keep every term far below 2**63 on the largest scenario.
MOST_POINTS = 1_000_000
MOST_WEIGHT = 1_000_000_000
MOST_SECONDS = 86_400  # a day: a longer solve is a mistake, not a setting
MOST_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
MOST_WORKERS = 256
MOST_TEAM_SIZE = 100_000
MOST_PER_WEEK = 10_000  # handoffs per person or team and week


class _Skip(Exception):
    """A section that cannot be read any further (its problem is already recorded)."""


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; paths inside it are relative to the file.

    Raises ScenarioError listing every problem found (not only the first).
    """
    path = Path(path).resolve()
    if path.is_dir():
        raise ScenarioError(f"{path} is a folder; give the scenario's .toml file")
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") \
            from exc
    ctx = _Context(path)
    ctx.no_unknown_keys(raw, TOP_KEYS, "")
    name = ctx.section(lambda: ctx.get(raw, "name", str, "", path.stem), path.stem)
    start, weeks = ctx.section(lambda: _plan(ctx, ctx.table(raw, "plan")), (None, 26))
    segmentation = ctx.section(lambda: _segmentation(ctx, ctx.table(raw, "segmentation")),
                               SegmentationSettings())
    segments = ctx.section(lambda: _segments(ctx, raw.get("segments"), segmentation),
                           DEFAULT_SEGMENTS)
    inputs = ctx.section(lambda: _inputs(ctx, ctx.table(raw, "inputs")), None)
    coverage = ctx.section(lambda: _coverage(ctx, raw.get("coverage"), segments),
                           DEFAULT_COVERAGE)
    workload = ctx.section(lambda: _workload(ctx, ctx.table(raw, "workload"), segments),
                           WorkloadSettings())
    rules = ctx.section(lambda: _rules(ctx, ctx.table(raw, "rules"), start, weeks),
                        RuleSettings())
    objective = ctx.section(lambda: _objective(ctx, ctx.table(raw, "objective")),
                            ObjectiveWeights())
    solver = ctx.section(lambda: _solver(ctx, ctx.table(raw, "solver")), SolverSettings())
    crm = ctx.section(lambda: _crm(ctx, ctx.table(raw, "crm")), CrmSettings())
    if ctx.errors:
        raise ctx.all_errors()
    assert start is not None and inputs is not None  # recorded as errors otherwise
    return Scenario(
        name=name, path=path, start=start, weeks=weeks, inputs=inputs, segments=segments,
        segmentation=segmentation, coverage=coverage, workload=workload, rules=rules,
        objective=objective, solver=solver, crm=crm, notes=tuple(ctx.notes),
    )


class _Context:
    """Type-checked access to a parsed TOML document; problems are collected with messages
    naming the file, and raised together at the end."""

    def __init__(self, path: Path):
        self.path = path
        self.errors: list[str] = []
        self.notes: list[InputProblem] = []

    def fail(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {message}")

    def error(self, message: str) -> None:
        """Record a problem and go on checking."""
        self.errors.append(message)

    def warn(self, key: str, value: Any, message: str) -> None:
        """A legal but suspicious setting: kept for the Input notes."""
        shown = value.isoformat() if isinstance(value, date) else str(value)
        self.notes.append(InputProblem("warning", self.path.name, None, key, shown, message))

    def all_errors(self) -> ScenarioError:
        if len(self.errors) == 1:
            return ScenarioError(f"{self.path}: {self.errors[0]}", self.errors)
        listed = "\n".join(f"  - {e}" for e in self.errors)
        return ScenarioError(f"{self.path}: {len(self.errors)} problems:\n{listed}", self.errors)

    def section(self, read: Callable[[], Any], default: Any) -> Any:
        """Run one section's reader; a problem it raises is recorded and ``default`` used."""
        try:
            return read()
        except ScenarioError as exc:
            self.error(str(exc).removeprefix(f"{self.path}: "))
        except _Skip:
            pass
        return default

    def no_unknown_keys(self, table: dict[str, Any], known: set[str], where: str) -> None:
        for key in table:
            if key not in known:
                full = f"{where}.{key}" if where else key
                allowed = ", ".join(sorted(known))
                self.error(f"unknown key '{full}' (known keys here: {allowed})")

    def table(self, raw: dict[str, Any], key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"'{key}' must be a table ([{key}]), found {value!r}")
        return value

    def get(self, table: dict[str, Any], key: str, kind: Any, where: str, default: Any) -> Any:
        if key not in table:
            return default
        return self.convert(table[key], kind, f"{where}.{key}" if where else key)

    def checked(self, table: dict[str, Any], key: str, kind: Any, where: str,
                default: Any) -> Any:
        """``get``, but a wrong type is recorded and the default returned."""
        try:
            return self.get(table, key, kind, where, default)
        except ScenarioError as exc:
            self.error(str(exc).removeprefix(f"{self.path}: "))
            return default

    def convert(self, value: Any, kind: Any, key: str) -> Any:
        """Check ``value`` against a simple type description and convert where lossless."""
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is float and isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"key '{key}' = {value!r}: expected a finite number")
        if kind is date and isinstance(value, datetime):
            raise self.fail(f"key '{key}' = {value.isoformat()}: expected a date like "
                            f"{value.date().isoformat()}, without a time")
        if kind is date and isinstance(value, date):
            return value
        if kind is Path and isinstance(value, str):
            return (self.path.parent / value).resolve()
        if kind in (int, float, str, bool) and type(value) is kind:
            return value
        expected = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                    date: "a date like 2027-01-04", Path: "a file path"}.get(kind, str(kind))
        shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as TOML says
        raise self.fail(f"key '{key}' = {shown}: expected {expected}")

    def at_least(self, key: str, value: Any, low: float, why: str = "",
                 strict: bool = False) -> bool:
        """Record an error when ``value`` is below ``low`` (or equal, when ``strict``)."""
        bad = value <= low if strict else value < low
        if bad:
            shown = f"more than {low:g}" if strict else f"{low:g} or more"
            self.error(f"key '{key}' = {value!r}: expected {shown}{why}")
        return not bad

    def at_most(self, key: str, value: Any, high: float, why: str = "") -> bool:
        """Record an error when ``value`` is above ``high``."""
        if value > high:
            self.error(f"key '{key}' = {value!r}: expected at most {high:,}{why}")
            return False
        return True

    def within(self, key: str, value: Any, low: float, high: float, why: str = "",
               strict: bool = False) -> bool:
        """``at_least`` and ``at_most`` together (one error for one value)."""
        return self.at_least(key, value, low, why, strict) and self.at_most(key, value, high,
                                                                             why)

    def one_of(self, key: str, value: Any, allowed: tuple[Any, ...]) -> bool:
        if value not in allowed:
            shown = ", ".join(f'"{a}"' if isinstance(a, str) else str(a).lower()
                              for a in allowed)
            self.error(f"key '{key}' = {value!r}: expected one of {shown}")
            return False
        return True


def _plan(ctx: _Context, plan: dict[str, Any]) -> tuple[date | None, int]:
    ctx.no_unknown_keys(plan, {"start", "weeks"}, "plan")
    start = ctx.checked(plan, "start", date, "plan", None)
    if start is None and "start" not in plan:
        ctx.error("[plan] start is required (a Monday, e.g. 2027-01-04)")
    elif start is not None and start.weekday() != 0:
        monday = start - timedelta(days=start.weekday())
        ctx.error(f"key 'plan.start' = {start} is a {start:%A}; expected a Monday (e.g. "
                  f"{monday})")
        start = None
    weeks = ctx.checked(plan, "weeks", int, "plan", 26)
    low, high = PLAN_WEEKS
    if not low <= weeks <= high:
        ctx.error(f"key 'plan.weeks' = {weeks}: expected {low} to {high} weeks")
        weeks = 26
    return start, weeks


# --- inputs -------------------------------------------------------------------------------

_FILE_KEYS = {"path", "sheet", "header_row"}


def _inputs(ctx: _Context, table: dict[str, Any]) -> InputSettings:
    known = {f.name for f in fields(InputSettings)}
    ctx.no_unknown_keys(table, known, "inputs")
    if "accounts" not in table:
        ctx.error("[inputs] accounts is required (path to the CSV or XLSX export)")
    accounts, accounts_sheet, accounts_header = _input_file(ctx, table, "accounts")
    people, people_sheet, people_header = _input_file(ctx, table, "people")
    date_order = ctx.checked(table, "date_order", str, "inputs", None)
    if date_order is not None and date_order.upper() not in ("DMY", "MDY"):
        ctx.error(f"key 'inputs.date_order' = {date_order!r}: expected \"DMY\" or \"MDY\"")
        date_order = None
    missing_size = ctx.checked(table, "missing_size", str, "inputs", "report")
    ctx.one_of("inputs.missing_size", missing_size, ("report", "error"))
    salesforce = table.get("salesforce_ids", "auto")
    if salesforce not in ("auto", True, False) or isinstance(salesforce, int) and not \
            isinstance(salesforce, bool):
        ctx.error(f"key 'inputs.salesforce_ids' = {salesforce!r}: expected \"auto\", true or "
                  "false")
        salesforce = "auto"
    mappings = {}
    for key in ("account_columns", "people_columns", "owner_columns", "role_values"):
        mapping = ctx.section(lambda key=key: ctx.table(table, key), {})
        mappings[key] = {}
        for k, v in mapping.items():
            try:
                mappings[key][k] = ctx.convert(v, str, f"inputs.{key}.{k}")
            except ScenarioError as exc:
                ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
    for text, role in mappings["role_values"].items():
        if role not in ROLES:
            ctx.error(f"key 'inputs.role_values.{text}' = {role!r}: expected one of "
                      f"{', '.join(ROLES)}")
    for role in mappings["owner_columns"]:
        if role not in ROLES:
            ctx.error(f"key 'inputs.owner_columns.{role}': expected one of {', '.join(ROLES)}")
    if accounts is None:
        raise _Skip
    return InputSettings(
        accounts=accounts, people=people, accounts_sheet=accounts_sheet,
        people_sheet=people_sheet, date_order=date_order.upper() if date_order else None,
        missing_size=missing_size, accounts_header_row=accounts_header,
        people_header_row=people_header, salesforce_ids=salesforce, **mappings,
    )


def _input_file(ctx: _Context, table: dict[str, Any],
                which: str) -> tuple[Path | None, str | None, int | None]:
    """(path, sheet, header row) of ``accounts`` or ``people``: a path string, or an inline
    table ``{ path = "x.xlsx", sheet = "Accounts", header_row = 3 }``; the flat keys
    ``<which>_sheet`` and ``<which>_header_row`` say the same."""
    value = table.get(which)
    sheet = ctx.checked(table, f"{which}_sheet", str, "inputs", None)
    header = ctx.checked(table, f"{which}_header_row", int, "inputs", None)
    header_key = f"inputs.{which}_header_row"
    path = None
    if isinstance(value, dict):
        ctx.no_unknown_keys(value, _FILE_KEYS, f"inputs.{which}")
        if "path" not in value:
            ctx.error(f"key 'inputs.{which}' = {value!r}: expected a path, or a table with "
                      f"path (and optional sheet, header_row), e.g. {{ path = \"{which}.xlsx\", "
                      "sheet = \"Sheet1\" }")
        path = ctx.checked(value, "path", Path, f"inputs.{which}", None)
        inline_sheet = ctx.checked(value, "sheet", str, f"inputs.{which}", None)
        inline_header = ctx.checked(value, "header_row", int, f"inputs.{which}", None)
        for flat, inline, name in ((sheet, inline_sheet, "sheet"),
                                   (header, inline_header, "header_row")):
            if flat is not None and inline is not None and flat != inline:
                ctx.error(f"keys 'inputs.{which}_{name}' = {flat!r} and 'inputs.{which}.{name}' "
                          f"= {inline!r} disagree: expected one of them")
        sheet = sheet if sheet is not None else inline_sheet
        header = header if header is not None else inline_header
        header_key = f"inputs.{which}.header_row" if inline_header is not None else header_key
    elif value is not None:
        path = ctx.checked(table, which, Path, "inputs", None)
    if header is not None and not ctx.at_least(header_key, header, 1,
                                               " (a row number as the spreadsheet shows it)"):
        header = None
    if sheet is not None and path is not None and path.suffix.lower() not in (".xlsx", ".xlsm"):
        ctx.warn(f"inputs.{which}_sheet", sheet,
                 f"expected a sheet name only for an .xlsx file; {path.name} is not a "
                 "workbook, so the sheet is ignored")
        sheet = None
    return path, sheet, header


# --- segmentation and segments --------------------------------------------------------------


def _segmentation(ctx: _Context, table: dict[str, Any]) -> SegmentationSettings:
    ctx.no_unknown_keys(table, {"span", "levels", "below_smallest", "band_rule"}, "segmentation")
    span = ctx.checked(table, "span", int, "segmentation", None)
    if span is not None and span < 2:
        ctx.error(f"key 'segmentation.span' = {span}: expected an integer of at least 2")
        span = None
    levels = (3, 6)
    if "levels" in table:
        try:
            levels = parse_levels(table["levels"], ctx)
        except ScenarioError as exc:
            ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
    below = ctx.checked(table, "below_smallest", str, "segmentation", "exception")
    if not ctx.one_of("segmentation.below_smallest", below, ("lowest", "exception")):
        below = "exception"
    band_rule = ctx.checked(table, "band_rule", str, "segmentation", "lower")
    if not ctx.one_of("segmentation.band_rule", band_rule, ("lower", "midpoint", "upper")):
        band_rule = "lower"
    return SegmentationSettings(span, levels, below, band_rule)


#: Most reporting levels: one persona per level count, lettered A to Z. With the smallest
#: span (2), 26 levels already hold 67 million people, far beyond the largest employer.
MOST_LEVELS = 26


def parse_levels(value: Any, ctx: _Context | None = None) -> tuple[int, int]:
    """'3-6', [3, 6] -> (3, 6): the fewest and most reporting levels that get a segment."""
    try:
        if isinstance(value, str):
            low, high = (int(p) for p in value.split("-"))
        else:
            low, high = (int(p) for p in value)
        if not 1 <= low <= high <= MOST_LEVELS:
            raise ValueError
        return low, high
    except (TypeError, ValueError):
        message = (f"levels = {value!r}: expected a range like \"3-6\" (fewest-most levels, "
                   f"from 1 to {MOST_LEVELS}: one persona per level count, A to Z)")
        raise (ctx.fail(f"key 'segmentation.{message}") if ctx else ScenarioError(message)) \
            from None


def _segments(
    ctx: _Context, raw: Any, segmentation: SegmentationSettings
) -> tuple[Segment, ...]:
    from planner.segments import derived_segments  # local: segments imports this module

    if raw is None:
        if segmentation.span is not None:
            return derived_segments(segmentation.span, *segmentation.levels)
        return DEFAULT_SEGMENTS
    if segmentation.span is not None:
        ctx.error(f"key 'segmentation.span' = {segmentation.span} and [[segments]] both define "
                  "the segments: expected one of them (remove span to use the listed "
                  "segments, or remove [[segments]] to derive them from the span)")
    if not isinstance(raw, list) or not raw:
        raise ctx.fail(
            "'segments' must be a list of [[segments]] tables with name and min_employees"
        )
    names, mins, levels = [], [], []
    for i, item in enumerate(raw, start=1):
        where = f"segments[{i}]"
        if not isinstance(item, dict):
            raise ctx.fail(f"{where} must be a table, found {item!r}")
        ctx.no_unknown_keys(item, {"name", "min_employees", "levels"}, where)
        if "name" not in item or "min_employees" not in item:
            ctx.error(f"{where} needs both name and min_employees")
        name = ctx.checked(item, "name", str, where, "")
        low = ctx.checked(item, "min_employees", int, where, None)
        if "name" in item and not name.strip():
            ctx.error(f"key '{where}.name' = {name!r}: expected a segment name (not empty)")
        if low is not None:
            ctx.at_least(f"{where}.min_employees", low, 1, " (an employee count)")
        names.append(name.strip())
        mins.append(low)
        levels.append(str(item.get("levels", "")))
    if None in mins:
        raise _Skip
    if any(b <= a for a, b in zip(mins, mins[1:], strict=False)):
        ctx.error(f"segments min_employees must be strictly ascending, found {mins}")
    seen: dict[str, str] = {}
    for name in names:
        other = seen.get(name.casefold())
        if other is not None and name:
            clash = (f"'{other}' and '{name}' differ only by case" if other != name else
                     f"'{name}' appears twice")
            ctx.error(f"segment names must be unique (teams and sheets are named after them; "
                      f"case does not count): {clash}")
        seen.setdefault(name.casefold(), name)
    return tuple(
        Segment(name, low, (mins[i + 1] - 1) if i + 1 < len(mins) else None, levels[i])
        for i, (name, low) in enumerate(zip(names, mins, strict=True))
    )


def _coverage(ctx: _Context, raw: Any, segments: tuple[Segment, ...]) -> tuple[CoverageRule, ...]:
    names = {s.name for s in segments}
    if raw is None:
        if names == {s.name for s in DEFAULT_SEGMENTS}:
            return DEFAULT_COVERAGE
        return tuple(CoverageRule(s.name, "CSM") for s in segments)
    if not isinstance(raw, list):
        raise ctx.fail("'coverage' must be a list of [[coverage]] tables")
    rules = []
    for i, item in enumerate(raw, start=1):
        where = f"coverage[{i}]"
        if not isinstance(item, dict):
            ctx.error(f"{where} must be a table, found {item!r}")
            continue
        ctx.no_unknown_keys(item, {"segment", "role", "when", "months"}, where)
        segment = ctx.checked(item, "segment", str, where, None)
        role = ctx.checked(item, "role", str, where, None)
        when = ctx.checked(item, "when", str, where, "always")
        months = ctx.checked(item, "months", int, where, 12)
        ok = True
        if segment not in names:
            ctx.error(f"key '{where}.segment' = {segment!r}: expected one of the scenario's "
                      f"segments ({', '.join(s.name for s in segments)})")
            ok = False
        if role not in ROLES:
            ctx.error(f"key '{where}.role' = {role!r}: expected one of {', '.join(ROLES)}")
            ok = False
        if when not in ("always", "onboarding", "first_months", "after_months"):
            ctx.error(
                f"key '{where}.when' = {when!r}: expected always, onboarding, "
                "first_months or after_months"
            )
            ok = False
        ok = ctx.at_least(f"{where}.months", months, 0, " (months as a customer)") and ok
        if ok:
            rules.append(CoverageRule(segment, role, when, months))
    return tuple(rules)


# --- workload, rules, objective, solver ------------------------------------------------------


def _scalars(ctx: _Context, table: dict[str, Any], cls: type, where: str,
             nested: set[str]) -> dict[str, Any]:
    """The plain keys of table ``where`` converted to the type of their default in ``cls``
    (unknown keys and wrong types recorded); the ``nested`` keys are left to the caller."""
    known = {f.name for f in fields(cls)}
    ctx.no_unknown_keys(table, known, where)
    defaults = cls()
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name not in known or name in nested:
            continue
        current = getattr(defaults, name)
        kind = bool if isinstance(current, bool) else type(current)
        if isinstance(current, tuple):
            continue
        try:
            values[name] = ctx.convert(value, kind, f"{where}.{name}")
        except ScenarioError as exc:
            ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
    return values


def _mapping(ctx: _Context, value: Any, key: str, allowed: dict[str, str], what: str,
             kind: type, low: float, strict: bool = False,
             high: float = math.inf, why: str = "") -> dict[str, Any]:
    """A nested table ``{ name = number }`` whose names must be in ``allowed`` (casefolded
    -> canonical) and whose numbers must be from ``low`` to ``high``; canonical names
    returned."""
    if not isinstance(value, dict):
        ctx.error(f"key '{key}' = {value!r}: expected a table like {{ CSM = 2 }}")
        return {}
    out: dict[str, Any] = {}
    for name, number in value.items():
        canonical = allowed.get(str(name).casefold())
        if canonical is None:
            ctx.error(f"key '{name}' of table [{key}] in {ctx.path.name}: expected {what} "
                      f"({', '.join(allowed.values())})")
            continue
        try:
            converted = ctx.convert(number, kind, f"{key}.{name}")
        except ScenarioError as exc:
            ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
            continue
        if ctx.within(f"{key}.{name}", converted, low, high, why, strict):
            out[canonical] = converted
    return out


_ROLE_NAMES = {r.casefold(): r for r in ROLES}


def _workload(ctx: _Context, table: dict[str, Any],
              segments: tuple[Segment, ...]) -> WorkloadSettings:
    nested = {"points", "full_time_points", "team_sizes"}
    values = _scalars(ctx, table, WorkloadSettings, "workload", nested)
    if "capacity_unit" in values and not ctx.one_of("workload.capacity_unit",
                                                    values["capacity_unit"], ("fte", "points")):
        del values["capacity_unit"]
    defaults = WorkloadSettings()
    segment_names = {s.name.casefold(): s.name for s in segments}
    points = {name: dict(roles) for name, roles in defaults.points.items()}
    raw_points = table.get("points", {})
    if not isinstance(raw_points, dict):
        ctx.error(f"key 'workload.points' = {raw_points!r}: expected a table of segments")
        raw_points = {}
    for segment, roles in raw_points.items():
        canonical = segment_names.get(str(segment).casefold())
        if canonical is None:
            ctx.error(f"key '{segment}' of table [workload.points] in {ctx.path.name}: "
                      "expected one of the scenario's segments "
                      f"({', '.join(s.name for s in segments)})")
            continue
        given = _mapping(ctx, roles, f"workload.points.{segment}", _ROLE_NAMES, "a role",
                         float, 0, high=MOST_POINTS, why=" workload points per account")
        points[canonical] = {**points.get(canonical, {}), **given}
    full_time = dict(defaults.full_time_points)
    if "full_time_points" in table:
        full_time.update(_mapping(ctx, table["full_time_points"], "workload.full_time_points",
                                  _ROLE_NAMES, "a role", float, 0, strict=True,
                                  high=MOST_POINTS, why=" workload points per full-time "
                                  "person"))
    team_sizes: dict[str, int] = {}
    if "team_sizes" in table:
        teams = {f"{s.name} {r}".casefold(): f"{s.name} {r}" for s in segments for r in ROLES}
        team_sizes = _mapping(ctx, table["team_sizes"], "workload.team_sizes", teams,
                              "a team 'segment role'", int, 0, high=MOST_TEAM_SIZE,
                              why=" people")
    return WorkloadSettings(points=points, full_time_points=full_time, team_sizes=team_sizes,
                            **values)


#: rules key -> (lowest allowed, strictly above it?, highest allowed, why), checked after
#: the types. The highest values are far beyond any real plan; they keep dates and the
#: model's integers in range.
_RULE_RANGES: dict[str, tuple[float, bool, float, str]] = {
    "renewal_freeze_weeks": (0, False, PLAN_WEEKS[1], " (weeks before a renewal)"),
    "renewal_soft_weeks": (0, False, PLAN_WEEKS[1], " (weeks before the freeze)"),
    "max_handoffs_out_per_week": (1, False, MOST_PER_WEEK, "; 0 would stop every handoff (give "
                                  "one person 0 in the roster's Max Out Per Week column "
                                  "instead)"),
    "max_handoffs_in_per_week": (1, False, MOST_PER_WEEK, "; 0 would stop every handoff (give "
                                 "one person 0 in the roster's Max In Per Week column "
                                 "instead)"),
    "max_handoffs_per_team_week": (0, False, MOST_PER_WEEK, " (0 = no cap per team and week)"),
    "new_hire_ramp_weeks": (0, False, PLAN_WEEKS[1], " (weeks)"),
    "new_hire_ramp_max_in": (0, False, MOST_PER_WEEK,
                             " (0 = new hires take no handoffs while ramping)"),
    "load_tolerance": (0, True, 100, " (a factor of capacity, like 1.15)"),
    "wave_weeks": (1, False, PLAN_WEEKS[1], " (weeks per wave)"),
    "recent_move_months": (0, False, 1200, " (months)"),
    "renewal_soon_weeks": (0, False, 520, " (weeks)"),
    "low_health_below": (0, False, 100, " (a health score 0-100)"),
}


def _rules(ctx: _Context, table: dict[str, Any], start: date | None,
           weeks: int) -> RuleSettings:
    values = _scalars(ctx, table, RuleSettings, "rules", {"overlap_weeks"})
    for key, (low, strict, high, why) in _RULE_RANGES.items():
        if key in values and not ctx.within(f"rules.{key}", values[key], low, high, why,
                                            strict):
            del values[key]
    if 0 < values.get("load_tolerance", 1.0) < 1:
        ctx.warn("rules.load_tolerance", values["load_tolerance"],
                 "expected 1.0 or more: below 1 the limit during an overlap is lower than "
                 "capacity itself, so a person with a full book cannot take any handoff")
    overlap = dict(RuleSettings().overlap_weeks)
    if "overlap_weeks" in table:
        given = _mapping(ctx, table["overlap_weeks"], "rules.overlap_weeks", _ROLE_NAMES,
                         "a role", int, 1)
        for role, length in list(given.items()):
            if length > weeks:
                ctx.error(f"key 'rules.overlap_weeks.{role}' = {length}: expected at most the "
                          f"plan's {weeks} week{'' if weeks == 1 else 's'}")
                del given[role]
        overlap.update(given)
    values["overlap_weeks"] = overlap
    if "blackout_weeks" in table:
        values["blackout_weeks"] = _blackouts(ctx, table["blackout_weeks"], start, weeks)
    return RuleSettings(**values)


def _blackouts(ctx: _Context, raw: Any, start: date | None, weeks: int) -> tuple[date, ...]:
    """Blackout days (any day of each week); a day outside the plan is a warning."""
    if not isinstance(raw, list):
        ctx.error(f"key 'rules.blackout_weeks' = {raw!r}: expected a list of dates")
        return ()
    days = []
    for value in raw:
        try:
            day = ctx.convert(value, date, "rules.blackout_weeks")
        except ScenarioError as exc:
            ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
            continue
        days.append(day)
        if start is not None:
            end = start + timedelta(weeks=weeks, days=-1)
            if not start <= day <= end:
                ctx.warn("rules.blackout_weeks", day,
                         f"expected a day inside the plan ({start} to {end}); this blackout "
                         "week is outside it and has no effect")
    if start is not None and weeks > 0:
        weeks_out = {(day - start).days // 7 for day in days}
        if weeks_out >= set(range(weeks)):
            ctx.error(f"key 'rules.blackout_weeks': every one of the plan's {weeks} weeks is a "
                      "blackout week, so no handoff could start; keep at least one week open")
    return tuple(days)


def _objective(ctx: _Context, table: dict[str, Any]) -> ObjectiveWeights:
    values = _scalars(ctx, table, ObjectiveWeights, "objective", set())
    for key in list(values):
        if not ctx.at_least(f"objective.{key}", values[key], 0,
                            " (a weight; a negative one would reward disruption)"):
            del values[key]
        elif not ctx.at_most(f"objective.{key}", values[key], MOST_WEIGHT,
                             " (a weight; only the ratios between weights matter)"):
            del values[key]
    return ObjectiveWeights(**values)


def _solver(ctx: _Context, table: dict[str, Any]) -> SolverSettings:
    values = _scalars(ctx, table, SolverSettings, "solver", set())
    checks = {"time_limit_s": (0, True, MOST_SECONDS, " seconds"),
              "workers": (1, False, MOST_WORKERS, " worker threads"),
              "seed": (0, False, MOST_SEED, " (CP-SAT's random seed is a 32-bit integer)")}
    for key, (low, strict, high, why) in checks.items():
        if key in values and not ctx.within(f"solver.{key}", values[key], low, high, why,
                                            strict):
            del values[key]
    return SolverSettings(**values)


def _crm(ctx: _Context, table: dict[str, Any]) -> CrmSettings:
    """[crm] fields = { CSM = "CSM__c" }: role -> CRM owner field."""
    ctx.no_unknown_keys(table, {"fields"}, "crm")
    fields = {}
    for role, name in ctx.table(table, "fields").items():
        if role not in ROLES:
            ctx.error(f"key 'crm.fields.{role}': expected one of {', '.join(ROLES)}")
            continue
        try:
            fields[role] = ctx.convert(name, str, f"crm.fields.{role}")
        except ScenarioError as exc:
            ctx.error(str(exc).removeprefix(f"{ctx.path}: "))
    return CrmSettings(fields)
