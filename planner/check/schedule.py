"""Solver-free checker of a transition schedule: every rule re-verified from the dates,
and every objective term recomputed from the start weeks alone.

The checks are written from the rules' words (dates, Mondays, Fridays), not from the
optimizer's allowed-week lists, so that a modelling slip shows up here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from planner.domain import Handoff
from planner.scenario import Scenario
from planner.schedule import (
    ONBOARDING_ROLES,
    Schedule,
    ScheduleContext,
    group_keys,
    in_cap_by_week,
    in_soft_zone,
    load_limits,
    out_cap,
    overlap_weeks,
    renewal_freeze_zone,
    scaled,
    teams_of,
    urgent_handoffs,
    week_monday,
    week_of,
)

log = logging.getLogger(__name__)


def _handoff_rules(h: Handoff, s: int, ctx: ScheduleContext, sc: Scenario) -> list[str]:
    """The per-handoff rules for a handoff starting in week ``s``."""
    problems = []
    ov = overlap_weeks(h, sc)
    monday = week_monday(sc, s)
    last_friday = week_monday(sc, s + ov - 1) + timedelta(days=4)
    zone = renewal_freeze_zone(h, sc)
    if zone is not None and s <= zone[1] and s + ov - 1 >= zone[0]:
        problems.append(f"overlap weeks {s + 1}–{s + ov} touch the renewal freeze")
    roles = ONBOARDING_ROLES + (("CSM",) if sc.rules.onboarding_csm_waits else ())
    if h.go_live is not None and h.role in roles and monday < h.go_live:
        problems.append(f"starts before go-live {h.go_live}")
    if any(week_of(sc, d) == s for d in sc.rules.blackout_weeks):
        problems.append(f"starts in blackout week {s + 1}")
    giver, receiver = ctx.person(h.from_id), ctx.person(h.to_id)
    if giver is not None:
        if giver.last_day is not None and last_friday > giver.last_day:
            problems.append(f"overlap ends after {giver.name}'s last day {giver.last_day}")
        if any(week_of(sc, d) == s for d in giver.weeks_off):
            problems.append(f"starts in a week off of {giver.name}")
    if receiver is not None:
        if receiver.start_date is not None and monday < receiver.start_date:
            problems.append(f"starts before {receiver.name}'s start date {receiver.start_date}")
        if receiver.last_day is not None and monday + timedelta(days=4) > receiver.last_day:
            problems.append(f"starts after {receiver.name}'s last day {receiver.last_day}")
        if any(week_of(sc, d) == s for d in receiver.weeks_off):
            problems.append(f"starts in a week off of {receiver.name}")
    return problems


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


def _caps(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario,
          starts: dict[str, int]) -> list[str]:
    """Weekly out/in caps per person, new-hire ramp, team cap."""
    outs, ins, teams = defaultdict(int), defaultdict(int), defaultdict(int)
    for h in handoffs:
        if h.id not in starts:
            continue
        s = starts[h.id]
        if h.from_id:
            outs[h.from_id, s] += 1
        if h.to_id:
            ins[h.to_id, s] += 1
        for t in teams_of(h, ctx):
            teams[t, s] += 1
    problems = []
    for (pid, s), n in sorted(outs.items()):
        if n > out_cap(pid, ctx, sc):
            problems.append(f"{ctx.name(pid)}: {n} outgoing handoffs in week {s + 1}")
    for (pid, s), n in sorted(ins.items()):
        if n > in_cap_by_week(pid, ctx, sc)[s]:
            problems.append(f"{ctx.name(pid)}: {n} incoming handoffs in week {s + 1}")
    team_cap = sc.rules.max_handoffs_per_team_week
    for (team, s), n in sorted(teams.items()):
        if team_cap and n > team_cap:
            problems.append(f"{team}: {n} handoffs in week {s + 1}")
    return problems


def _load(handoffs: Sequence[Handoff], ctx: ScheduleContext, sc: Scenario,
          starts: dict[str, int]) -> list[str]:
    """Every week, base + outgoing (until the overlap ends; for ever if not scheduled) +
    incoming (from the start) stays within the load limit."""
    limits = load_limits(handoffs, ctx, sc)
    load = {pid: [scaled(ctx.base_load.get(pid, 0.0))] * sc.weeks for pid in limits}
    for h in handoffs:
        s = starts.get(h.id)
        for t in range(sc.weeks):
            if h.from_id in load and (s is None or t < s + overlap_weeks(h, sc)):
                load[h.from_id][t] += scaled(h.points)
            if h.to_id in load and s is not None and t >= s:
                load[h.to_id][t] += scaled(h.points)
    return [f"{ctx.name(pid)}: load {v / 100:g} points in week {t + 1} above {limits[pid] / 100:g}"
            for pid, weeks in sorted(load.items()) for t, v in enumerate(weeks) if v > limits[pid]]


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
    groups: dict[str, set[int]] = defaultdict(set)
    for hid, key in group_keys(handoffs, scenario).items():
        if hid in starts:
            groups[key].add(starts[hid])
    problems.extend(f"group {key}: role changes start in weeks {sorted(w)}"
                    for key, w in groups.items() if len(w) > 1)
    problems.extend(_caps(handoffs, context, scenario, starts))
    problems.extend(_load(handoffs, context, scenario, starts))
    blocks = sorted({s // max(1, scenario.rules.wave_weeks) for s in starts.values()})
    for hid, s in starts.items():
        expected = blocks.index(s // max(1, scenario.rules.wave_weeks)) + 1
        if schedule.waves.get(hid) != expected:
            problems.append(f"handoff {hid}: wave {schedule.waves.get(hid)}, expected {expected}")
    return problems


def schedule_objective(
    handoffs: Sequence[Handoff], context: ScheduleContext, scenario: Scenario,
    schedule: Schedule,
) -> dict[str, int]:
    """Each named objective term recomputed from the start weeks alone."""
    w = scenario.objective
    starts = schedule.start_week
    urgent = urgent_handoffs(handoffs, context)
    placed = [h for h in handoffs if h.id in starts]
    per_team: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for h in placed:
        for team in teams_of(h, context):
            per_team[team][starts[h.id]] += 1
    return {
        "early_forced": w.early_forced * sum(starts[h.id] for h in placed if h.id in urgent),
        "near_renewal": w.near_renewal * sum(in_soft_zone(h, scenario, starts[h.id])
                                             for h in placed),
        "previous_change": w.previous_change * sum(
            h.previous_week is not None and h.previous_week != starts[h.id] for h in placed
        ),
        "peak_week": w.peak_week * sum(max(c.values()) for c in per_team.values()),
        "wave_spread": w.wave_spread * sum(len(c) for c in per_team.values()),
    }
