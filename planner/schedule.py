"""The transition schedule, free of solver objects: inputs, per-handoff rules and the result.

Weeks are 0-based indices from the scenario's plan start (a Monday); week ``w`` runs from
``scenario.start + 7 * w`` to the Sunday after. A date's week is the week containing it.
Texts for people count weeks from 1 (see :mod:`planner.explain`).

A handoff *starts* in a week and lasts the overlap weeks of its role (at least one week).

Horizon rule: a handoff starts within the plan's weeks and its whole overlap ends within
them too, so that every handoff the plan shows is finished by the plan's last day (a plan of
N weeks cannot hold a CSM handoff with 2 overlap weeks that starts in week N). A handoff that
cannot fit then is an exception ("the plan is 1 week; a CSM handoff needs 2 overlap weeks").
Every other rule that limits the overlap (renewal freeze, a leaver's last day) also applies
to the whole overlap.

Onboarding: PM, SA and HYBRID handoffs start on or after the account's go-live date (the CSM
too with ``onboarding_csm_waits``). An account still onboarding with no go-live date gives
no date to wait for: its handoffs may start from week 1 like any other, and the schedule
adds a note per account (see :func:`planner.explain.no_go_live_note`) so that the manager
confirms the timing with the onboarding team or fills in the go-live date and plans again.

Groups: an account's role changes start in the same week (``same_week_per_account``), and so
do all accounts of a family (``family_same_week``; a family is every account that leads to
the same root through its parent chain). When the per-handoff rules leave a group no week in
common (a leaver's CSM handoff must happen before the last day, the PM and SA must wait for
go-live), the group is split into the fewest sub-groups that do share weeks, and a note says
so; see :func:`split_group`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from planner.domain import POINT_SCALE, Handoff, Person
from planner.scenario import Scenario
from planner.teams import is_gone_before_plan

#: Roles whose handoff waits for the account's go-live (HYBRID covers PM and SA).
ONBOARDING_ROLES: tuple[str, ...] = ("PM", "SA", "HYBRID")

#: Rule families that couple handoffs; each is one assumption literal per person/team
#: when an infeasible part is diagnosed.
CAP_FAMILIES: tuple[str, ...] = ("out_cap", "in_cap", "team_cap", "ramp", "load")


@dataclass(frozen=True, slots=True)
class ScheduleContext:
    """What the schedule needs beyond the handoffs.

    people: the roster (weeks off, last day, start date, per-person weekly caps, manager).
    team_of: person id -> team label after the realignment ("Venus CSM").
    capacity: person id -> capacity in workload points (after ramp and part time).
    base_load: person id -> points of the accounts the person keeps (that do not move).
    parent_of: account id -> parent account id, for every account of the export (families
    are followed through accounts that have no handoff of their own); a handoff's own
    ``parent_id`` counts too.
    A person missing from ``capacity`` has no load rule; missing from ``people`` has no
    weeks off and the scenario's default caps.
    """

    people: tuple[Person, ...] = ()
    team_of: dict[str, str] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    base_load: dict[str, float] = field(default_factory=dict)
    parent_of: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, Person] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {p.id: p for p in self.people})

    def person(self, person_id: str | None) -> Person | None:
        return self.by_id.get(person_id) if person_id else None

    def name(self, person_id: str | None) -> str:
        person = self.person(person_id)
        return person.name if person and person.name else (person_id or "nobody")


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One rule that rules out some start weeks of a handoff.

    rule: "renewal_freeze", "onboarding", "blackout", "plan_end", "giver_leaves",
    "giver_off", "receiver_starts", "receiver_off", "receiver_leaves".
    weeks: the excluded start weeks within the horizon (0-based).
    detail: a date or name the explanation needs (renewal date, last day, person name).
    """

    rule: str
    weeks: tuple[int, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleException:
    """A handoff the schedule could not place, and why in business words."""

    handoff_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScheduleWarning:
    """An account that is scheduled, but not the way the rules usually want: its role
    changes split over several weeks, a week locked against a rule, PM/SA handoffs of an
    onboarding account without a go-live date. ``text`` is also a line of the diagnosis;
    ``fix`` says what a manager may do about it."""

    account_id: str
    text: str
    fix: str


@dataclass(frozen=True, slots=True)
class StageStats:
    """Solver figures of one part: status, objective, bound, relative gap, seconds.

    status: the schedule of the handoffs placed: "OPTIMAL" (proved), "FEASIBLE" (time
    limit: best found, gap = how far it may be from the best possible), "INFEASIBLE"
    (nothing could be placed) or "UNKNOWN" (nothing found in time). bound: a proved lower
    bound of the objective (the LP relaxation or the solver's), never above the objective.
    set_aside: handoffs of the part left to the exceptions because the caps and load rules
    cannot all hold (the diagnosis names them) or no week was found in the time limit.
    """

    part: int
    handoffs: int
    status: str
    objective: int
    bound: int
    gap: float
    seconds: float
    set_aside: int = 0


@dataclass(frozen=True, slots=True)
class Schedule:
    """The result: the start week of every placed handoff, waves, exceptions, figures.

    start_week: handoff id -> 0-based start week.
    waves: handoff id -> wave number (1 = first wave, in date order).
    terms: objective term name -> cost (integers, weights applied).
    diagnosis: business-words lines about conflicting rules, locks and splits.
    warnings: the diagnosis lines that are warnings about a scheduled account (with the fix),
    as opposed to rules in conflict.
    """

    start_week: dict[str, int]
    exceptions: tuple[ScheduleException, ...] = ()
    waves: dict[str, int] = field(default_factory=dict)
    diagnosis: tuple[str, ...] = ()
    stages: tuple[StageStats, ...] = ()
    terms: dict[str, int] = field(default_factory=dict)
    warnings: tuple[ScheduleWarning, ...] = ()

    @property
    def objective(self) -> int:
        return sum(self.terms.values())

    @property
    def bound(self) -> int:
        return sum(s.bound for s in self.stages)

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    @property
    def status(self) -> str:
        statuses = {s.status for s in self.stages}
        if not statuses:
            return "OPTIMAL"
        for worst in ("UNKNOWN", "INFEASIBLE", "FEASIBLE"):
            if worst in statuses:
                return worst
        return "OPTIMAL"


def relative_gap(objective: int, bound: int) -> float:
    """(objective - bound) / objective, 0 when both are 0."""
    if objective <= 0:
        return 0.0
    return max(0.0, (objective - bound) / objective)


# --- weeks --------------------------------------------------------------------------------


def week_monday(scenario: Scenario, week: int) -> date:
    """The Monday that starts plan week ``week`` (0-based)."""
    return scenario.start + timedelta(weeks=week)


def week_of(scenario: Scenario, day: date) -> int:
    """The plan week containing ``day`` (may be negative or past the horizon)."""
    return (day - scenario.start).days // 7


def first_week_from(scenario: Scenario, day: date) -> int:
    """The first plan week whose Monday is on or after ``day``."""
    return math.ceil((day - scenario.start).days / 7)


def last_full_week(scenario: Scenario, day: date) -> int:
    """The last plan week worked through its Friday by someone whose last day is ``day``."""
    week = week_of(scenario, day)
    return week if day.weekday() >= 4 else week - 1


def overlap_weeks(handoff: Handoff, scenario: Scenario) -> int:
    """Weeks both owners carry the account (scenario ``[rules] overlap_weeks``, at least 1)."""
    return max(1, scenario.rules.overlap_weeks.get(handoff.role, 1))


def end_week(handoff: Handoff, scenario: Scenario, start: int) -> int:
    """The last week of the overlap of a handoff starting in ``start`` (may pass the horizon)."""
    return start + overlap_weeks(handoff, scenario) - 1


def blackout_week_set(scenario: Scenario) -> frozenset[int]:
    return frozenset(week_of(scenario, d) for d in scenario.rules.blackout_weeks)


def weeks_off(scenario: Scenario, person: Person | None) -> frozenset[int]:
    if person is None:
        return frozenset()
    return frozenset(week_of(scenario, d) for d in person.weeks_off)


def renewal_freeze_zone(handoff: Handoff, scenario: Scenario) -> tuple[int, int] | None:
    """Weeks (first, last) in which no overlap may fall: the renewal's week and the
    ``renewal_freeze_weeks`` weeks before it. None without a renewal or a freeze."""
    freeze = scenario.rules.renewal_freeze_weeks
    if handoff.renewal is None or freeze <= 0:
        return None
    renewal_week = week_of(scenario, handoff.renewal)
    return renewal_week - freeze, renewal_week


def in_soft_zone(handoff: Handoff, scenario: Scenario, start: int) -> bool:
    """True when the overlap starting in ``start`` touches the soft zone: the
    ``renewal_soft_weeks`` weeks just before the freeze or just after the renewal week."""
    zone = renewal_freeze_zone(handoff, scenario)
    soft = scenario.rules.renewal_soft_weeks
    if zone is None or soft <= 0:
        return False
    first, last = start, start + overlap_weeks(handoff, scenario) - 1
    before = (zone[0] - soft, zone[0] - 1)
    after = (zone[1] + 1, zone[1] + soft)
    return any(first <= hi and last >= lo for lo, hi in (before, after))


# --- per-handoff rules ----------------------------------------------------------------------


def _excl_renewal(h: Handoff, scenario: Scenario, horizon: range) -> Exclusion | None:
    """Renewal freeze: no part of the overlap in the freeze weeks or the renewal's week."""
    zone = renewal_freeze_zone(h, scenario)
    if zone is None:
        return None
    ov = overlap_weeks(h, scenario)
    weeks = tuple(s for s in horizon if s <= zone[1] and s + ov - 1 >= zone[0])
    return Exclusion("renewal_freeze", weeks, h.renewal.isoformat() if h.renewal else "")


def _excl_onboarding(h: Handoff, scenario: Scenario, horizon: range) -> Exclusion | None:
    """Onboarding: PM, SA (and HYBRID) handoffs start on or after go-live; the CSM too
    when ``onboarding_csm_waits``. Without a go-live date there is nothing to wait for (the
    schedule adds a note for accounts still onboarding, see the module docstring)."""
    roles = ONBOARDING_ROLES + (("CSM",) if scenario.rules.onboarding_csm_waits else ())
    if h.go_live is None or h.role not in roles:
        return None
    first = first_week_from(scenario, h.go_live)
    return Exclusion("onboarding", tuple(s for s in horizon if s < first), h.go_live.isoformat())


def _excl_plan_end(h: Handoff, scenario: Scenario, horizon: range) -> Exclusion | None:
    """Horizon: the whole overlap ends within the plan's weeks."""
    ov = overlap_weeks(h, scenario)
    return Exclusion("plan_end", tuple(s for s in horizon if s + ov > scenario.weeks),
                     f"{h.role}|{ov}")


def _excl_blackout(h: Handoff, scenario: Scenario, horizon: range) -> Exclusion | None:
    """Blackout weeks: no handoff starts in a week containing a blackout date."""
    blackout = blackout_week_set(scenario)
    return Exclusion("blackout", tuple(s for s in horizon if s in blackout))


def _excl_giver(h: Handoff, ctx: ScheduleContext, scenario: Scenario,
                horizon: range) -> list[Exclusion]:
    """The current owner: the overlap ends by the last day; no start in a week off."""
    person = ctx.person(h.from_id)
    if person is None:
        return []
    out = []
    if person.last_day is not None and not is_gone_before_plan(person, scenario):  # (gone:
        # nobody to overlap with; the new owner takes over alone, as early as allowed)
        last = last_full_week(scenario, person.last_day)
        ov = overlap_weeks(h, scenario)
        out.append(Exclusion("giver_leaves", tuple(s for s in horizon if s + ov - 1 > last),
                             f"{person.name}|{person.last_day.isoformat()}"))
    off = weeks_off(scenario, person)
    out.append(Exclusion("giver_off", tuple(s for s in horizon if s in off), person.name))
    return out


def _excl_receiver(h: Handoff, ctx: ScheduleContext, scenario: Scenario,
                   horizon: range) -> list[Exclusion]:
    """The new owner: nothing before the start date, in a week off, or past the last day."""
    person = ctx.person(h.to_id)
    if person is None:
        return []
    out = []
    if person.start_date is not None:
        first = first_week_from(scenario, person.start_date)
        out.append(Exclusion("receiver_starts", tuple(s for s in horizon if s < first),
                             f"{person.name}|{person.start_date.isoformat()}"))
    if person.last_day is not None:
        last = last_full_week(scenario, person.last_day)
        out.append(Exclusion("receiver_leaves", tuple(s for s in horizon if s > last),
                             f"{person.name}|{person.last_day.isoformat()}"))
    off = weeks_off(scenario, person)
    out.append(Exclusion("receiver_off", tuple(s for s in horizon if s in off), person.name))
    return out


def allowed_weeks(
    handoff: Handoff, context: ScheduleContext, scenario: Scenario
) -> tuple[tuple[int, ...], tuple[Exclusion, ...]]:
    """Start weeks the per-handoff rules allow, and the rules that exclude the others.

    Rules: renewal freeze, onboarding go-live, blackout weeks, the giver's last day and
    weeks off, the receiver's start date, last day and weeks off; the overlap within the
    horizon.
    Only exclusions that rule out at least one week are returned. A locked week is not
    applied here (see :func:`locked_conflicts`).
    """
    horizon = range(scenario.weeks)
    found: list[Exclusion | None] = [
        _excl_renewal(handoff, scenario, horizon),
        _excl_onboarding(handoff, scenario, horizon),
        _excl_blackout(handoff, scenario, horizon),
        _excl_plan_end(handoff, scenario, horizon),
        *_excl_giver(handoff, context, scenario, horizon),
        *_excl_receiver(handoff, context, scenario, horizon),
    ]
    exclusions = tuple(e for e in found if e is not None and e.weeks)
    excluded = {w for e in exclusions for w in e.weeks}
    return tuple(w for w in horizon if w not in excluded), exclusions


def locked_conflicts(
    handoff: Handoff, context: ScheduleContext, scenario: Scenario
) -> tuple[Exclusion, ...]:
    """Per-handoff rules broken by a manager's locked week (the lock still wins)."""
    if handoff.locked_week is None:
        return ()
    _, exclusions = allowed_weeks(handoff, context, scenario)
    return tuple(e for e in exclusions if handoff.locked_week in e.weeks)


# --- caps, urgency and load -----------------------------------------------------------------


#: The out "cap" of someone who left before the plan: nobody hands over, so no limit.
NO_CAP = 1_000_000


def out_cap(person_id: str, context: ScheduleContext, scenario: Scenario) -> int:
    """Outgoing handoffs allowed a week: the roster's or the scenario's; no limit for
    someone already gone when the plan starts."""
    person = context.person(person_id)
    if person is not None and is_gone_before_plan(person, scenario):
        return NO_CAP
    if person is not None and person.max_out_per_week is not None:
        return person.max_out_per_week
    return scenario.rules.max_handoffs_out_per_week


def in_cap(person_id: str, context: ScheduleContext, scenario: Scenario) -> int:
    """Incoming handoffs allowed a week before any ramp: the roster's or the scenario's."""
    person = context.person(person_id)
    if person is not None and person.max_in_per_week is not None:
        return person.max_in_per_week
    return scenario.rules.max_handoffs_in_per_week


def in_cap_by_week(person_id: str, context: ScheduleContext, scenario: Scenario) -> list[int]:
    """Incoming handoffs allowed per plan week: the weekly cap, lowered to
    ``new_hire_ramp_max_in`` in the first ``new_hire_ramp_weeks`` weeks after a start date."""
    person = context.person(person_id)
    cap = in_cap(person_id, context, scenario)
    caps = [cap] * scenario.weeks
    if person is not None and person.start_date is not None:
        first = first_week_from(scenario, person.start_date)
        last = min(scenario.weeks, first + scenario.rules.new_hire_ramp_weeks)
        for w in range(max(0, first), last):
            caps[w] = min(cap, scenario.rules.new_hire_ramp_max_in)
    return caps


def teams_of(handoff: Handoff, context: ScheduleContext) -> tuple[str, ...]:
    """Teams whose manager coordinates the handoff: the giver's and the receiver's."""
    teams = {context.team_of.get(p) for p in (handoff.from_id, handoff.to_id) if p}
    return tuple(sorted(t for t in teams if t))


def scaled(points: float) -> int:
    return round(points * POINT_SCALE)


def load_limits(
    handoffs: Iterable[Handoff], context: ScheduleContext, scenario: Scenario
) -> dict[str, int]:
    """Scaled load limit per person with a capacity: capacity x ``load_tolerance``, or the
    load at the plan start (base + outgoing) when that is already higher, because nobody
    can be brought under the tolerance before their handoffs happen."""
    outgoing: dict[str, int] = {}
    for h in handoffs:
        if h.from_id:
            outgoing[h.from_id] = outgoing.get(h.from_id, 0) + scaled(h.points)
    limits = {}
    for pid, cap in context.capacity.items():
        tol = math.floor(cap * scenario.rules.load_tolerance * POINT_SCALE + 1e-6)
        limits[pid] = max(tol, scaled(context.base_load.get(pid, 0.0)) + outgoing.get(pid, 0))
    return limits


def urgent_handoffs(handoffs: Iterable[Handoff], context: ScheduleContext) -> frozenset[str]:
    """Handoffs that should happen early: forced moves, and accounts whose current owner
    leaves or is overloaded (base + outgoing points above capacity)."""
    handoffs = list(handoffs)
    outgoing: dict[str, float] = {}
    for h in handoffs:
        if h.from_id:
            outgoing[h.from_id] = outgoing.get(h.from_id, 0.0) + h.points
    urgent = set()
    for h in handoffs:
        giver = context.person(h.from_id)
        cap = context.capacity.get(h.from_id or "")
        overloaded = cap is not None and (
            context.base_load.get(h.from_id or "", 0.0) + outgoing.get(h.from_id or "", 0.0) > cap
        )
        if h.forced or overloaded or (giver is not None and giver.last_day is not None):
            urgent.add(h.id)
    return frozenset(urgent)


def family_root(account_id: str, parent_of: dict[str, str]) -> str:
    """The top of an account's family: follow the parent chain to an account without a
    parent. A chain that loops back (bad data) ends at the smallest id of the loop, so that
    every account of the loop gets the same root."""
    seen: list[str] = []
    current = account_id
    while current in parent_of and current not in seen:
        seen.append(current)
        current = parent_of[current]
    if current in seen:  # a loop: its members are seen[index(current):]
        return min(seen[seen.index(current):])
    return current


def group_keys(
    handoffs: Iterable[Handoff], scenario: Scenario, parent_of: dict[str, str] | None = None
) -> dict[str, str]:
    """Handoff id -> key of the group that must start in the same week: its account when
    ``same_week_per_account``, its family root when ``family_same_week`` (a grandchild
    moves with its grandparent). ``parent_of`` (account -> parent) completes the handoffs'
    own ``parent_id`` for accounts that have no handoff."""
    rules = scenario.rules
    handoffs = list(handoffs)
    parents = dict(parent_of or {})
    for h in handoffs:
        if h.parent_id and h.parent_id != h.account_id:
            parents.setdefault(h.account_id, h.parent_id)
    keys = {}
    for h in handoffs:
        if rules.family_same_week:
            keys[h.id] = "f:" + family_root(h.account_id, parents)
        elif rules.same_week_per_account:
            keys[h.id] = "a:" + h.account_id
        else:
            keys[h.id] = "h:" + h.id
    return keys


def split_group(weeks: dict[str, tuple[int, ...]]) -> list[list[str]]:
    """Handoffs that should share a week but have none in common, split into few sub-groups
    that each share at least one week (handoff id -> allowed weeks, all non-empty).

    Greedy cover: the week most of the remaining handoffs allow (the earliest on a tie)
    takes all of them, until none is left. Handoffs with the same weeks always stay
    together, so an account usually splits by role (the CSM apart from PM and SA).
    """
    left = list(weeks)
    groups: list[list[str]] = []
    while left:
        counts: dict[int, int] = {}
        for hid in left:
            for w in weeks[hid]:
                counts[w] = counts.get(w, 0) + 1
        best = min(counts, key=lambda w: (-counts[w], w))
        groups.append([hid for hid in left if best in weeks[hid]])
        left = [hid for hid in left if best not in weeks[hid]]
    return groups


def waves(start_week: dict[str, int], scenario: Scenario) -> dict[str, int]:
    """Handoff id -> wave: blocks of ``wave_weeks`` weeks, numbered 1, 2, ... in date
    order over the blocks that hold at least one handoff."""
    size = max(1, scenario.rules.wave_weeks)
    blocks = sorted({w // size for w in start_week.values()})
    number = {b: i + 1 for i, b in enumerate(blocks)}
    return {hid: number[w // size] for hid, w in start_week.items()}
