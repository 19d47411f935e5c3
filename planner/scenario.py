"""Scenario TOML -> typed settings. Every default lives here, in one place.

A scenario file is strict: an unknown key is an error naming the key and the file,
and a value of the wrong type names the key, the value and what was expected.
See ``scenarios/reference.toml`` for every key, commented.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from planner.domain import ROLES, Segment


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message names file and key."""


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

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


# --- loading ----------------------------------------------------------------------------

TOP_KEYS = {
    "name", "plan", "inputs", "segments", "segmentation", "coverage",
    "workload", "rules", "objective", "solver",
}


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; paths inside it are relative to the file."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    ctx = _Context(path)
    ctx.no_unknown_keys(raw, TOP_KEYS, "")
    name = ctx.get(raw, "name", str, "", path.stem)
    plan = ctx.table(raw, "plan")
    ctx.no_unknown_keys(plan, {"start", "weeks"}, "plan")
    start = ctx.get(plan, "start", date, "plan", None)
    if start is None:
        raise ScenarioError(f"{path}: [plan] start is required (a Monday, e.g. 2027-01-04)")
    if start.weekday() != 0:
        raise ScenarioError(
            f"{path}: [plan] start = {start} is a {start:%A}; expected a Monday"
        )
    weeks = ctx.get(plan, "weeks", int, "plan", 26)
    if not 1 <= weeks <= 156:
        raise ScenarioError(f"{path}: [plan] weeks = {weeks}; expected 1 to 156")
    segmentation = _segmentation(ctx, ctx.table(raw, "segmentation"))
    segments = _segments(ctx, raw.get("segments"), segmentation)
    return Scenario(
        name=name,
        path=path,
        start=start,
        weeks=weeks,
        inputs=_inputs(ctx, ctx.table(raw, "inputs")),
        segments=segments,
        segmentation=segmentation,
        coverage=_coverage(ctx, raw.get("coverage"), segments),
        workload=ctx.dataclass_table(raw, "workload", WorkloadSettings),
        rules=ctx.dataclass_table(raw, "rules", RuleSettings),
        objective=ctx.dataclass_table(raw, "objective", ObjectiveWeights),
        solver=ctx.dataclass_table(raw, "solver", SolverSettings),
    )


class _Context:
    """Type-checked access to a parsed TOML document, with messages naming the file."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {message}")

    def no_unknown_keys(self, table: dict[str, Any], known: set[str], where: str) -> None:
        for key in table:
            if key not in known:
                full = f"{where}.{key}" if where else key
                allowed = ", ".join(sorted(known))
                raise self.fail(f"unknown key '{full}' (known keys here: {allowed})")

    def table(self, raw: dict[str, Any], key: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"'{key}' must be a table ([{key}]), found {value!r}")
        return value

    def get(self, table: dict[str, Any], key: str, kind: Any, where: str, default: Any) -> Any:
        if key not in table:
            return default
        return self.convert(table[key], kind, f"{where}.{key}" if where else key)

    def convert(self, value: Any, kind: Any, key: str) -> Any:
        """Check ``value`` against a simple type description and convert where lossless."""
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is date and isinstance(value, date):
            return value
        if kind is Path and isinstance(value, str):
            return (self.path.parent / value).resolve()
        if kind in (int, float, str, bool) and type(value) is kind:
            return value
        expected = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                    date: "a date like 2027-01-04", Path: "a file path"}.get(kind, str(kind))
        raise self.fail(f"key '{key}' = {value!r}: expected {expected}")

    def dataclass_table(self, raw: dict[str, Any], key: str, cls: type) -> Any:
        """Fill dataclass ``cls`` from table ``key``, checking names and types of every key."""
        table = self.table(raw, key)
        known = {f.name: f for f in fields(cls)}
        self.no_unknown_keys(table, set(known), key)
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in table.items():
            current = getattr(defaults, name)
            values[name] = self.like(value, current, f"{key}.{name}")
        return cls(**values)

    def like(self, value: Any, current: Any, key: str) -> Any:
        """Convert ``value`` to the type of the default ``current``."""
        if isinstance(current, bool):
            return self.convert(value, bool, key)
        if isinstance(current, (int, float, str)):
            return self.convert(value, type(current), key)
        if isinstance(current, tuple):  # tuple of dates (blackout weeks)
            if not isinstance(value, list):
                raise self.fail(f"key '{key}' = {value!r}: expected a list of dates")
            return tuple(self.convert(v, date, key) for v in value)
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise self.fail(f"key '{key}' = {value!r}: expected a table")
            sample = next(iter(current.values()), None)
            out = {}
            for k, v in value.items():
                if isinstance(sample, dict):
                    out[k] = {
                        r: self.convert(p, float, f"{key}.{k}.{r}") for r, p in self.dict_of(v, key)
                    }
                elif isinstance(sample, float):
                    out[k] = self.convert(v, float, f"{key}.{k}")
                else:
                    out[k] = self.convert(v, int, f"{key}.{k}")
            return out
        raise self.fail(f"key '{key}' cannot be set")  # pragma: no cover

    def dict_of(self, value: Any, key: str) -> list[tuple[str, Any]]:
        if not isinstance(value, dict):
            raise self.fail(f"key '{key}' = {value!r}: expected a table")
        return list(value.items())


def _inputs(ctx: _Context, table: dict[str, Any]) -> InputSettings:
    known = {f.name for f in fields(InputSettings)}
    ctx.no_unknown_keys(table, known, "inputs")
    if "accounts" not in table:
        raise ctx.fail("[inputs] accounts is required (path to the CSV or XLSX export)")
    date_order = ctx.get(table, "date_order", str, "inputs", None)
    if date_order is not None and date_order.upper() not in ("DMY", "MDY"):
        raise ctx.fail(f"key 'inputs.date_order' = {date_order!r}: expected \"DMY\" or \"MDY\"")
    missing_size = ctx.get(table, "missing_size", str, "inputs", "report")
    if missing_size not in ("report", "error"):
        raise ctx.fail(
            f"key 'inputs.missing_size' = {missing_size!r}: expected \"report\" or \"error\""
        )
    mappings = {}
    for key in ("account_columns", "people_columns", "owner_columns", "role_values"):
        mapping = ctx.table(table, key)
        mappings[key] = {k: ctx.convert(v, str, f"inputs.{key}.{k}") for k, v in mapping.items()}
    for text, role in mappings["role_values"].items():
        if role not in ROLES:
            raise ctx.fail(
                f"key 'inputs.role_values.{text}' = {role!r}: expected one of {', '.join(ROLES)}"
            )
    for role in mappings["owner_columns"]:
        if role not in ROLES:
            raise ctx.fail(f"key 'inputs.owner_columns.{role}': expected one of {', '.join(ROLES)}")
    return InputSettings(
        accounts=ctx.get(table, "accounts", Path, "inputs", None),
        people=ctx.get(table, "people", Path, "inputs", None),
        accounts_sheet=ctx.get(table, "accounts_sheet", str, "inputs", None),
        people_sheet=ctx.get(table, "people_sheet", str, "inputs", None),
        date_order=date_order.upper() if date_order else None,
        missing_size=missing_size,
        accounts_header_row=ctx.get(table, "accounts_header_row", int, "inputs", None),
        people_header_row=ctx.get(table, "people_header_row", int, "inputs", None),
        **mappings,
    )


def _segmentation(ctx: _Context, table: dict[str, Any]) -> SegmentationSettings:
    ctx.no_unknown_keys(table, {"span", "levels", "below_smallest", "band_rule"}, "segmentation")
    span = ctx.get(table, "span", int, "segmentation", None)
    if span is not None and span < 2:
        raise ctx.fail(f"key 'segmentation.span' = {span}: expected an integer of at least 2")
    levels = (3, 6)
    if "levels" in table:
        levels = parse_levels(table["levels"], ctx)
    below = ctx.get(table, "below_smallest", str, "segmentation", "exception")
    if below not in ("lowest", "exception"):
        raise ctx.fail(
            f"key 'segmentation.below_smallest' = {below!r}: expected \"lowest\" or \"exception\""
        )
    band_rule = ctx.get(table, "band_rule", str, "segmentation", "lower")
    if band_rule not in ("lower", "midpoint", "upper"):
        raise ctx.fail(
            f"key 'segmentation.band_rule' = {band_rule!r}: "
            "expected \"lower\", \"midpoint\" or \"upper\""
        )
    return SegmentationSettings(span, levels, below, band_rule)


def parse_levels(value: Any, ctx: _Context | None = None) -> tuple[int, int]:
    """'3-6', [3, 6] -> (3, 6): the fewest and most reporting levels that get a segment."""
    try:
        if isinstance(value, str):
            low, high = (int(p) for p in value.split("-"))
        else:
            low, high = (int(p) for p in value)
        if not 1 <= low <= high:
            raise ValueError
        return low, high
    except (TypeError, ValueError):
        message = f"levels = {value!r}: expected a range like \"3-6\" (fewest-most levels)"
        raise (ctx.fail(message) if ctx else ScenarioError(message)) from None


def _segments(
    ctx: _Context, raw: Any, segmentation: SegmentationSettings
) -> tuple[Segment, ...]:
    from planner.segments import derived_segments  # local: segments imports this module

    if raw is None:
        if segmentation.span is not None:
            return derived_segments(segmentation.span, *segmentation.levels)
        return DEFAULT_SEGMENTS
    if not isinstance(raw, list) or not raw:
        raise ctx.fail(
            "'segments' must be a list of [[segments]] tables with name and min_employees"
        )
    names, mins = [], []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ctx.fail(f"segments #{i} must be a table, found {item!r}")
        ctx.no_unknown_keys(item, {"name", "min_employees", "levels"}, f"segments[{i}]")
        if "name" not in item or "min_employees" not in item:
            raise ctx.fail(f"segments #{i} needs both name and min_employees")
        names.append(ctx.convert(item["name"], str, f"segments[{i}].name"))
        mins.append(ctx.convert(item["min_employees"], int, f"segments[{i}].min_employees"))
    if any(b <= a for a, b in zip(mins, mins[1:], strict=False)):
        raise ctx.fail(f"segments min_employees must be strictly ascending, found {mins}")
    if len({n.casefold() for n in names}) != len(names):
        raise ctx.fail(f"segment names must be unique, found {names}")
    levels = [str(item.get("levels", "")) for item in raw]
    return tuple(
        Segment(name, low, (mins[i + 1] - 1) if i + 1 < len(mins) else None, levels[i])
        for i, (name, low) in enumerate(zip(names, mins, strict=True))
    )


def _coverage(ctx: _Context, raw: Any, segments: tuple[Segment, ...]) -> tuple[CoverageRule, ...]:
    names = {s.name for s in segments}
    if raw is None:
        if names == {s.name for s in DEFAULT_SEGMENTS}:
            return DEFAULT_COVERAGE
        return tuple(CoverageRule(name, "CSM") for name in names)
    if not isinstance(raw, list):
        raise ctx.fail("'coverage' must be a list of [[coverage]] tables")
    rules = []
    for i, item in enumerate(raw, start=1):
        where = f"coverage[{i}]"
        ctx.no_unknown_keys(item, {"segment", "role", "when", "months"}, where)
        segment = ctx.get(item, "segment", str, where, None)
        role = ctx.get(item, "role", str, where, None)
        when = ctx.get(item, "when", str, where, "always")
        months = ctx.get(item, "months", int, where, 12)
        if segment not in names:
            raise ctx.fail(f"key '{where}.segment' = {segment!r}: expected one of {sorted(names)}")
        if role not in ROLES:
            raise ctx.fail(f"key '{where}.role' = {role!r}: expected one of {', '.join(ROLES)}")
        if when not in ("always", "onboarding", "first_months", "after_months"):
            raise ctx.fail(
                f"key '{where}.when' = {when!r}: expected always, onboarding, "
                "first_months or after_months"
            )
        rules.append(CoverageRule(segment, role, when, months))
    return tuple(rules)
