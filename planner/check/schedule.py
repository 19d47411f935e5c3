"""Solver-free checker of a transition schedule: every rule re-verified from the dates,
and every objective term recomputed from the start weeks alone.

The checks are written from the rules' words (dates, Mondays, Fridays, the roster and the
scenario's ``[rules]``), not from the optimizer's helpers: nothing here imports the allowed
weeks, caps, load limits, groups or urgency the optimizer uses, so that a slip in one of
them shows up here. Only the plain week arithmetic (:func:`week_monday`) is shared.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from planner.domain import POINT_SCALE, Handoff, Person
from planner.scenario import Scenario
from planner.schedule import Schedule, ScheduleContext, week_monday

log = logging.getLogger(__name__)

#: Roles whose handoff waits for the account's go-live (HYBRID covers PM and SA).
WAIT_FOR_GO_LIVE = ("PM", "SA", "HYBRID")


# --- dates ----------------------------------------------------------------------------------


def _overlap(h: Handoff, sc: Scenario) -> int:
    """Overlap weeks of the handoff's role: the scenario's value, at least one week."""
    return max(1, sc.rules.overlap_weeks.get(h.role, 1))


def _week_first_day(sc: Scenario, day: date) -> date:
    """The first day of the plan week (7 days from the plan start) that contains ``day``."""
    return day - timedelta(days=(day - sc.start).days % 7)


def _in_week(sc: Scenario, s: int, days: Sequence[date]) -> bool:
    """True when one of ``days`` falls in plan week ``s`` (Monday to Sunday)."""
    monday = week_monday(sc, s)
    return any(monday <= d <= monday + timedelta(days=6) for d in days)


def _person(ctx: ScheduleContext, pid: str | None) -> Person | None:
    return ctx.by_id.get(pid) if pid else None


def _name(ctx: ScheduleContext, pid: str) -> str:
    person = _person(ctx, pid)
    return person.name if person is not None and person.name else pid


# --- per-handoff rules ----------------------------------------------------------------------


def _renewal_freeze(h: Handoff, sc: Scenario) -> tuple[date, date] | None:
    """First and last day in which no overlap may fall: the renewal's week and the
    ``renewal_freeze_weeks`` weeks before it."""
    freeze = sc.rules.renewal_freeze_weeks
    if h.renewal is None or freeze <= 0:
        return None
    renewal_week = _week_first_day(sc, h.renewal)
    return renewal_week - timedelta(weeks=freeze), renewal_week + timedelta(days=6)


def _handoff_rules(h: Handoff, s: int, ctx: ScheduleContext, sc: Scenario) -> list[str]:
    """The per-handoff rules for a handoff starting in week ``s`` (0-based)."""
    problems = []
    ov = _overlap(h, sc)
    monday = week_monday(sc, s)
    last_sunday = week_monday(sc, s + ov - 1) + timedelta(days=6)
    last_friday = last_sunday - timedelta(days=2)
    if last_sunday > sc.start + timedelta(weeks=sc.weeks, days=-1):
        problems.append(f"overlap weeks {s + 1}–{s + ov} end after the plan's "
                        f"{sc.weeks} weeks")
    freeze = _renewal_freeze(h, sc)
    if freeze is not None and monday <= freeze[1] and last_sunday >= freeze[0]:
        problems.append(f"overlap weeks {s + 1}–{s + ov} touch the renewal freeze")
    waits = WAIT_FOR_GO_LIVE + (("CSM",) if sc.rules.onboarding_csm_waits else ())
    if h.go_live is not None and h.role in waits and monday < h.go_live:
        problems.append(f"starts before go-live {h.go_live}")
    if _in_week(sc, s, sc.rules.blackout_weeks):
        problems.append(f"starts in blackout week {s + 1}")
    giver, receiver = _person(ctx, h.from_id), _person(ctx, h.to_id)
    if giver is not None:
        if (giver.last_day is not None and not _gone(giver, sc)
                and last_friday > giver.last_day):
            problems.append(f"overlap ends after {giver.name}'s last day {giver.last_day}")
        if _in_week(sc, s, giver.weeks_off):
            problems.append(f"starts in a week off of {giver.name}")
    if receiver is not None:
        if receiver.start_date is not None and monday < receiver.start_date:
            problems.append(f"starts before {receiver.name}'s start date {receiver.start_date}")
        if receiver.last_day is not None and monday + timedelta(days=4) > receiver.last_day:
            problems.append(f"starts after {receiver.name}'s last day {receiver.last_day}")
        if _in_week(sc, s, receiver.weeks_off):
            problems.append(f"starts in a week off of {receiver.name}")
    return problems


def _possible_weeks(h: Handoff, ctx: ScheduleContext, sc: Scenario) -> set[int]:
    """Weeks the per-handoff rules allow (a locked handoff: its week)."""
    if h.locked_week is not None:
        return {h.locked_week} if 0 <= h.locked_week < sc.weeks else set()
    return {s for s in range(sc.weeks) if not _handoff_rules(h, s, ctx, sc)}


def _coverage(handoffs: Sequence[Handoff], sc: Scenario, schedule: Schedule) -> list[str]:
    """Every handoff is scheduled once or listed as an exception, never both or neither."""
    problems = []
    ids = {h.id for h in handoffs}
    excepted = [e.handoff_id for e in schedule.exceptions]
    for hid in ids:
        if (hid in schedule.start_week) == (hid in excepted):
            problems.append(f"handoff {hid}: must be either scheduled or an exception")
    for hid in set(schedule.start_week) | set(excepted):
        if hid not in ids:
            problems.append(f"handoff {hid}: not one of the handoffs")
    for hid, s in schedule.start_week.items():
        if not 0 <= s < sc.weeks:
            problems.append(f"handoff {hid}: week {s + 1} outside the plan")
    return problems


# --- groups ---------------------------------------------------------------------------------


def _family_top(account: str, parents: dict[str, str]) -> str:
    """Follow parents up to an account without one; a loop ends at its smallest id."""
    path = [account]
    while path[-1] in parents:
        nxt = parents[path[-1]]
        if nxt in path:
            return min(path[path.index(nxt):])
        path.append(nxt)
    return path[-1]


def _groups(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario
            ) -> dict[str, list[Handoff]]:
    """Handoffs that must start in the same week: one account's role changes
    (``same_week_per_account``) or one family's (``family_same_week``)."""
    parents = dict(ctx.parent_of)
    for h in handoffs:
        if h.parent_id and h.parent_id != h.account_id:
            parents.setdefault(h.account_id, h.parent_id)
    groups: dict[str, list[Handoff]] = defaultdict(list)
    for h in handoffs:
        if sc.rules.family_same_week:
            groups["family " + _family_top(h.account_id, parents)].append(h)
        elif sc.rules.same_week_per_account:
            groups["account " + h.account_id].append(h)
    return groups


def _same_week(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario,
               starts: dict[str, int]) -> list[str]:
    """A group's handoffs start in one week. A group may only be split when the rules leave
    it no week in common, and then only into sub-groups no two of which could have shared a
    week (the handoffs starting in week a and those in week b have no allowed week in
    common)."""
    problems = []
    for key, members in _groups(handoffs, ctx, sc).items():
        by_week: dict[int, list[Handoff]] = defaultdict(list)
        for h in members:
            if h.id in starts:
                by_week[starts[h.id]].append(h)
        if len(by_week) < 2:
            continue
        possible = {h.id: _possible_weeks(h, ctx, sc) for hs in by_week.values() for h in hs}
        used = sorted(by_week)
        for i, a in enumerate(used):
            for b in used[i + 1:]:
                both = [possible[h.id] for h in by_week[a] + by_week[b]]
                common = set.intersection(*both)
                if common:
                    problems.append(
                        f"{key}: role changes start in weeks {[w + 1 for w in used]} although "
                        f"those in weeks {a + 1} and {b + 1} could all start in week "
                        f"{min(common) + 1}")
    return problems


# --- caps and load --------------------------------------------------------------------------


def _teams(h: Handoff, ctx: ScheduleContext) -> set[str]:
    """The giver's and the receiver's teams after the realignment."""
    return {ctx.team_of[p] for p in (h.from_id, h.to_id) if p and p in ctx.team_of}


def _in_cap(person: Person | None, s: int, sc: Scenario) -> int:
    """Incoming handoffs allowed in week ``s``: the roster's cap or the scenario's, at most
    ``new_hire_ramp_max_in`` in the first ``new_hire_ramp_weeks`` weeks from the start."""
    cap = sc.rules.max_handoffs_in_per_week
    if person is not None and person.max_in_per_week is not None:
        cap = person.max_in_per_week
    if person is not None and person.start_date is not None:
        first = person.start_date
        if _week_first_day(sc, first) != first:  # starts mid-week: from the next week
            first = _week_first_day(sc, first) + timedelta(weeks=1)
        ramp_end = first + timedelta(weeks=sc.rules.new_hire_ramp_weeks)
        if first <= week_monday(sc, s) < ramp_end:
            cap = min(cap, sc.rules.new_hire_ramp_max_in)
    return cap


def _gone(person: Person, sc: Scenario) -> bool:
    """Left before the plan starts: nobody to overlap with, nobody handing over."""
    return person.last_day is not None and person.last_day < sc.start


def _out_cap(person: Person | None, sc: Scenario) -> int:
    if person is not None and _gone(person, sc):
        return 10**9  # already gone: no weekly limit
    if person is not None and person.max_out_per_week is not None:
        return person.max_out_per_week
    return sc.rules.max_handoffs_out_per_week


def _caps(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario,
          starts: dict[str, int]) -> list[str]:
    """Weekly out/in caps per person (roster overrides), new-hire ramp, team cap."""
    outs: dict[tuple[str, int], int] = defaultdict(int)
    ins: dict[tuple[str, int], int] = defaultdict(int)
    teams: dict[tuple[str, int], int] = defaultdict(int)
    for h in handoffs:
        if h.id not in starts:
            continue
        s = starts[h.id]
        if h.from_id:
            outs[h.from_id, s] += 1
        if h.to_id:
            ins[h.to_id, s] += 1
        for t in _teams(h, ctx):
            teams[t, s] += 1
    problems = []
    for (pid, s), n in sorted(outs.items()):
        if n > _out_cap(_person(ctx, pid), sc):
            problems.append(f"{_name(ctx, pid)}: {n} outgoing handoffs in week {s + 1}")
    for (pid, s), n in sorted(ins.items()):
        if n > _in_cap(_person(ctx, pid), s, sc):
            problems.append(f"{_name(ctx, pid)}: {n} incoming handoffs in week {s + 1}")
    team_cap = sc.rules.max_handoffs_per_team_week
    for (team, s), n in sorted(teams.items()):
        if team_cap and n > team_cap:
            problems.append(f"{team}: {n} handoffs in week {s + 1}")
    return problems


def _points(value: float) -> int:
    return round(value * POINT_SCALE)


def _load(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario,
          starts: dict[str, int]) -> list[str]:
    """Every week, base + outgoing (until the overlap ends; for ever if not scheduled) +
    incoming (from the start) stays within capacity x ``load_tolerance``, or within the
    load at the plan start (base + every outgoing account) when that is already higher."""
    load: dict[str, list[int]] = {}
    limits: dict[str, int] = {}
    outgoing: dict[str, int] = defaultdict(int)
    for h in handoffs:
        if h.from_id:
            outgoing[h.from_id] += _points(h.points)
    for pid, capacity in ctx.capacity.items():
        at_start = _points(ctx.base_load.get(pid, 0.0)) + outgoing[pid]
        tolerated = math.floor(capacity * sc.rules.load_tolerance * POINT_SCALE + 1e-6)
        limits[pid] = max(tolerated, at_start)
        load[pid] = [_points(ctx.base_load.get(pid, 0.0))] * sc.weeks
    for h in handoffs:
        s = starts.get(h.id)
        for t in range(sc.weeks):
            if h.from_id in load and (s is None or t < s + _overlap(h, sc)):
                load[h.from_id][t] += _points(h.points)
            if h.to_id in load and s is not None and t >= s:
                load[h.to_id][t] += _points(h.points)
    return [f"{_name(ctx, pid)}: load {v / POINT_SCALE:g} points in week {t + 1} above "
            f"{limits[pid] / POINT_SCALE:g}"
            for pid, weeks in sorted(load.items()) for t, v in enumerate(weeks)
            if v > limits[pid]]


def _waves(sc: Scenario, schedule: Schedule) -> list[str]:
    """Waves are blocks of ``wave_weeks`` weeks, numbered 1, 2, ... over the used blocks."""
    size = max(1, sc.rules.wave_weeks)
    blocks = sorted({s // size for s in schedule.start_week.values()})
    problems = []
    for hid, s in schedule.start_week.items():
        expected = blocks.index(s // size) + 1
        if schedule.waves.get(hid) != expected:
            problems.append(f"handoff {hid}: wave {schedule.waves.get(hid)}, expected {expected}")
    return problems


def check_schedule(
    handoffs: Sequence[Handoff], context: ScheduleContext, scenario: Scenario,
    schedule: Schedule,
) -> list[str]:
    """Every rule verified on the schedule; an empty list means the schedule is valid.
    A locked handoff must keep its week and is exempt from the per-handoff rules."""
    starts = schedule.start_week
    problems = _coverage(handoffs, scenario, schedule)
    for h in handoffs:
        if h.id not in starts:
            continue
        if h.locked_week is not None:
            if starts[h.id] != h.locked_week:
                problems.append(f"handoff {h.id}: locked in week {h.locked_week + 1}, "
                                f"scheduled in week {starts[h.id] + 1}")
            continue
        problems.extend(f"handoff {h.id}: {p}"
                        for p in _handoff_rules(h, starts[h.id], context, scenario))
    problems.extend(_same_week(handoffs, context, scenario, starts))
    problems.extend(_caps(handoffs, context, scenario, starts))
    problems.extend(_load(handoffs, context, scenario, starts))
    problems.extend(_waves(scenario, schedule))
    return problems


# --- objective ------------------------------------------------------------------------------


def _urgent(handoffs: Sequence[Handoff], ctx: ScheduleContext) -> set[str]:
    """Forced handoffs, and those whose current owner leaves or is above capacity with
    every outgoing account still on the book."""
    book: dict[str, float] = defaultdict(float)
    for h in handoffs:
        if h.from_id:
            book[h.from_id] += h.points
    urgent = set()
    for h in handoffs:
        giver = _person(ctx, h.from_id)
        leaves = giver is not None and giver.last_day is not None
        capacity = ctx.capacity.get(h.from_id) if h.from_id else None
        overloaded = capacity is not None and (
            ctx.base_load.get(h.from_id or "", 0.0) + book[h.from_id or ""] > capacity)
        if h.forced or leaves or overloaded:
            urgent.add(h.id)
    return urgent


def _near_renewal(h: Handoff, s: int, sc: Scenario) -> bool:
    """The overlap touches the ``renewal_soft_weeks`` weeks just before the freeze or just
    after the renewal's week."""
    freeze, soft = _renewal_freeze(h, sc), sc.rules.renewal_soft_weeks
    if freeze is None or soft <= 0:
        return False
    first = week_monday(sc, s)
    last = week_monday(sc, s + _overlap(h, sc) - 1) + timedelta(days=6)
    before = (freeze[0] - timedelta(weeks=soft), freeze[0] - timedelta(days=1))
    after = (freeze[1] + timedelta(days=1), freeze[1] + timedelta(weeks=soft))
    return any(first <= hi and last >= lo for lo, hi in (before, after))


def schedule_objective(
    handoffs: Sequence[Handoff], context: ScheduleContext, scenario: Scenario,
    schedule: Schedule,
) -> dict[str, int]:
    """Each named objective term recomputed from the start weeks alone."""
    w = scenario.objective
    starts = schedule.start_week
    urgent = _urgent(handoffs, context)
    placed = [h for h in handoffs if h.id in starts]
    per_team: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for h in placed:
        for team in _teams(h, context):
            per_team[team][starts[h.id]] += 1
    return {
        "early_forced": w.early_forced * sum(
            starts[h.id] for h in placed if h.id in urgent),
        "near_renewal": w.near_renewal * sum(
            _near_renewal(h, starts[h.id], scenario) for h in placed),
        "previous_change": w.previous_change * sum(
            h.previous_week is not None and h.previous_week != starts[h.id] for h in placed),
        "peak_week": w.peak_week * sum(max(c.values()) for c in per_team.values()),
        "wave_spread": w.wave_spread * sum(len(c) for c in per_team.values()),
    }
