"""CP-SAT model of the transition schedule: the week each handoff starts.

Handoffs that must start together (one account, or one family when asked) form a *unit*
with one boolean per week its members all allow. The problem splits into independent
parts by the connected components of the graph of units, people and (when a team rule or
team term is active) teams; each part is solved on its own, small parts in parallel.

Model per part: exactly one week per unit; weekly caps per person (out, in, new-hire ramp)
and per team; load during the transition; objective = named terms (early urgent moves,
near-renewal, peak weekly handoffs per team, distinct weeks per team).

Hint and bound: a cost-aware greedy schedule (urgent units first, each in its cheapest week
that respects caps and load). Parts of at least ``LP_MIN_UNITS`` units also solve the
model's LP relaxation (read from the CP-SAT proto, solved with HiGHS from OR-Tools): its
value is a lower bound, and since it is nearly integral its rounding (weeks tried by LP
value, repaired greedily) is usually a better hint. Measured reason: CP-SAT alone on 10,000
accounts did not improve on the greedy hint in 30 s (gap about 30%), while the rounded LP
is within 2% of the bound (see benchmarks/schedule_bench.py). Every part also has a bound
that needs no solver model (``_separable_bound``: per person, the cheapest weeks within
their weekly cap, as a min-cost flow; each team's handoffs spread evenly over its weeks),
weaker but there when the relaxation is skipped for size; its per-person weeks, rounded
like the relaxation's, are then tried as the start.

When a part is proved impossible, a second solve on one worker with one assumption literal
per rule family and person names the conflicting rules, and a third solve places as many
handoffs as fit; the rest go to the exceptions. A time limit keeps the best schedule found
(the solver's, or the start point if the solver found nothing better) and its gap.

Time and reproducibility: ``[solver] time_limit_s`` is the schedule stage's budget. It is
shared by the parts in proportion to their size (at least ``MIN_PART_SECONDS`` each). Within
a part it covers building the model, the LP relaxation (counted as ``LP_SHARE`` of the part's
seconds; skipped, by size, when the model is too large for that), the CP-SAT search (the
rest; skipped, by size, when a complete start exists and the model is too large for CP-SAT
to improve it in that time) and, for an impossible part, the diagnosis
(``DIAGNOSIS_SHARE``), the solve that places what fits (``PLACE_SHARE``) and the
re-optimization of what fits (what is left). Every limit is deterministic work, not wall
time: the relaxation runs to its end, and CP-SAT stops at ``max_deterministic_time``
(``DTIME_PER_SECOND`` units per second of budget), so the same inputs give the same schedule
on every run, whatever else the machine is doing. The wall time therefore follows the
machine's speed: on the 2-core machine the figures were measured on it stays near the
budget; wall-clock guards (``LP_GUARD`` and ``WALL_SAFETY`` x the budget) stop a much slower
machine, or a relaxation much harder than its size says, with a warning that the run may not
be reproducible.

Workers: with ``[solver] workers`` > 1 a large part whose start is complete is improved by an
interleaved large-neighbourhood search on that many workers (``interleave_search``, which is
reproducible); otherwise CP-SAT runs its full search on one worker (it can prove optimality
or impossibility), and small parts are solved side by side, one worker each. Measured on the
1,000-account benchmark (one part of 357 account groups): free parallel search (two workers,
wall-clock limit, not reproducible) 8,750 in 9 s; one worker 8,840 (no better than the LP
rounding) even after 17 s; interleaved neighbourhood search 8,760 in 2.5-4 s and 8,735 in 6 s.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import networkx as nx
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.domain import POINT_SCALE, Handoff
from planner.explain import (
    LOCKED_FIX,
    NO_GO_LIVE_FIX,
    SPLIT_FIX,
    CapConflict,
    cap_conflict_text,
    diagnosis_lines,
    exclusion_reason,
    locked_note,
    no_go_live_note,
    split_note,
)
from planner.scenario import Scenario
from planner.schedule import (
    ONBOARDING_ROLES,
    Exclusion,
    Schedule,
    ScheduleContext,
    ScheduleException,
    ScheduleWarning,
    StageStats,
    allowed_weeks,
    group_keys,
    in_cap,
    in_cap_by_week,
    in_soft_zone,
    load_limits,
    locked_conflicts,
    out_cap,
    overlap_weeks,
    relative_gap,
    scaled,
    split_group,
    teams_of,
    urgent_handoffs,
    waves,
    weeks_off,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
SMALL_PART = 300  # units; smaller parts are solved one worker each, in parallel
LP_MIN_UNITS = 200  # parts this large start from the LP relaxation (bound and rounding)
LP_SHARE = 0.6  # share of a part's seconds counted for the relaxation when it runs
#: The relaxation runs when the model has at most this many variables per second of its
#: share. Measured (HiGHS, 2 shared cores): 10,000-account benchmark 99k variables in 5.5 s,
#: reference plan 43k in 7 s, UK employers 283k not finished after 100 s.
LP_VARS_PER_SECOND = 10_000
SMALL_MODEL_VARS = 20_000  # models this small always get the relaxation (about 1 s) and search
#: Wall-clock guard of the relaxation, x the part's seconds. Its time does not grow with size
#: alone: the UK employers' (283k variables) had not finished after 240 s, while the
#: 50,000-account benchmark's (511k) finishes within its 100 s. A part whose relaxation is
#: stopped starts from the per-person weeks of the separable bound instead.
LP_GUARD = 1.0
#: CP-SAT improves a complete start only when the model has at most this many variables per
#: second of search. Measured: it improved the 1,000-account benchmark (10k variables) in
#: 2.5 s, and found nothing on the reference plan (43k) in 4 s or on the 10,000-account
#: benchmark (99k) in 10 s, where the time went to loading the model.
CP_VARS_PER_SECOND = 5_000
#: CP-SAT deterministic time units per second of budget. Measured on the reference plan and
#: the 1,000/10,000-account benchmarks (one worker, 2 shared cores): 0.4-0.6 units a second.
DTIME_PER_SECOND = 0.5
#: Hard wall-clock stop, as a multiple of a solve's seconds: only a much slower machine
#: reaches it, and then the run is no longer reproducible (logged as a warning).
WALL_SAFETY = 3.0
DIAGNOSIS_SHARE = 0.1  # share of a part's seconds for the assumption-literal solve
PLACE_SHARE = 0.2  # share for the solve that places as many handoffs as fit
MIN_PART_SECONDS = 0.2  # a tiny part still gets this much (it usually proves optimal at once)
LP_SOLVER = "HIGHS_LP"  # the relaxation: HiGHS (shipped with OR-Tools) solves it fastest


# --- problem data ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """Handoffs that start in the same week, and the weeks all of them allow."""

    index: int
    handoffs: tuple[Handoff, ...]
    weeks: tuple[int, ...]
    locked: bool = False


@dataclass(slots=True)
class _Problem:
    """Everything the parts share: units, per-person data, early exceptions and notes."""

    scenario: Scenario
    context: ScheduleContext
    units: list[_Unit]
    urgent: frozenset[str]
    limits: dict[str, int]
    base: dict[str, int]
    exceptions: list[ScheduleException] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[ScheduleWarning] = field(default_factory=list)
    team_rules: bool = False


def _prepare(handoffs: Sequence[Handoff], context: ScheduleContext, scenario: Scenario) -> _Problem:
    """Per-handoff rules -> allowed weeks; group into units; handoffs with no week become
    exceptions (and stay with their current owner for the load rule). A group whose
    members share no week is split into sub-groups that do, with a note."""
    weeks: dict[str, tuple[int, ...]] = {}
    exclusions: dict[str, tuple[Exclusion, ...]] = {}
    exceptions: list[ScheduleException] = []
    warnings: list[ScheduleWarning] = []
    for h in handoffs:
        if h.locked_week is not None:
            if 0 <= h.locked_week < scenario.weeks:
                weeks[h.id] = (h.locked_week,)
                conflicts = locked_conflicts(h, context, scenario)
                if conflicts:
                    warnings.append(ScheduleWarning(
                        h.account_id, locked_note(h, conflicts, scenario), LOCKED_FIX))
            else:
                exceptions.append(ScheduleException(
                    h.id, f"locked in week {h.locked_week + 1}, outside the plan's "
                          f"{scenario.weeks} weeks"))
            continue
        allowed, excluded = allowed_weeks(h, context, scenario)
        exclusions[h.id] = excluded
        if allowed:
            weeks[h.id] = allowed
        else:
            exceptions.append(ScheduleException(h.id, exclusion_reason(h, excluded, scenario)))
    keys = group_keys(handoffs, scenario, context.parent_of)
    groups: dict[str, list[Handoff]] = defaultdict(list)
    for h in handoffs:
        if h.id in weeks:
            groups[keys[h.id]].append(h)
    units: list[_Unit] = []
    for key, members in groups.items():
        common = set(weeks[members[0].id]).intersection(*(weeks[h.id] for h in members))
        subgroups = [members]
        if not common:  # no week suits all: split into sub-groups that share weeks
            by_id = {h.id: h for h in members}
            subgroups = [[by_id[i] for i in ids]
                         for ids in split_group({h.id: weeks[h.id] for h in members})]
            text = split_note(subgroups, weeks, exclusions, key.startswith("f:"), scenario)
            warnings.append(ScheduleWarning(members[0].account_id, text, SPLIT_FIX))
        for sub in subgroups:
            shared = set(weeks[sub[0].id]).intersection(*(weeks[h.id] for h in sub))
            locked = any(h.locked_week is not None for h in sub)
            units.append(_Unit(len(units), tuple(sub), tuple(sorted(shared)), locked))
    placed = {h.id for u in units for h in u.handoffs}
    base = {pid: scaled(v) for pid, v in context.base_load.items()}
    for h in handoffs:  # handoffs left out stay with their current owner
        if h.id not in placed and h.from_id:
            base[h.from_id] = base.get(h.from_id, 0) + scaled(h.points)
    rules, weights = scenario.rules, scenario.objective
    return _Problem(
        scenario, context, units, urgent_handoffs(handoffs, context),
        load_limits(handoffs, context, scenario), base, exceptions, warnings=warnings,
        team_rules=rules.max_handoffs_per_team_week > 0 or weights.peak_week > 0
        or weights.wave_spread > 0,
    )


def _parts(problem: _Problem) -> list[list[_Unit]]:
    """Connected components of units, people and (with team rules) teams, in input order."""
    graph = nx.Graph()
    for u in problem.units:
        graph.add_node(("u", u.index))
        for h in u.handoffs:
            for pid in (h.from_id, h.to_id):
                if pid:
                    graph.add_edge(("u", u.index), ("p", pid))
            if problem.team_rules:
                for team in teams_of(h, problem.context):
                    graph.add_edge(("u", u.index), ("t", team))
    parts = []
    for component in nx.connected_components(graph):
        idx = sorted(n[1] for n in component if n[0] == "u")
        parts.append([problem.units[i] for i in idx])
    return sorted(parts, key=lambda p: p[0].index)


# --- greedy ---------------------------------------------------------------------------------


def _greedy(problem: _Problem, units: Sequence[_Unit], *, costed: bool = False,
            lp: dict[tuple[int, int], float] | None = None) -> dict[int, int]:
    """Earliest allowed week per unit in order of urgency, respecting caps and load.
    Units that fit nowhere are left out, so the result always respects every rule. Locked
    units are placed first, in their week.
    With ``costed`` (the solver's hint), each unit takes the fitting week with the lowest
    added cost (early, near-renewal, raise of its teams' peak, a new week for a team).
    With ``lp`` (fractional week values of the relaxation), weeks are tried by LP value."""
    sc, ctx = problem.scenario, problem.context
    nweeks = sc.weeks
    out_used: dict[str, list[int]] = defaultdict(lambda: [0] * nweeks)
    in_used: dict[str, list[int]] = defaultdict(lambda: [0] * nweeks)
    team_used: dict[str, list[int]] = defaultdict(lambda: [0] * nweeks)
    in_caps = {p: in_cap_by_week(p, ctx, sc) for u in units for h in u.handoffs
               for p in [h.to_id] if p}
    out_caps = {p: out_cap(p, ctx, sc) for u in units for h in u.handoffs for p in [h.from_id] if p}
    team_cap = sc.rules.max_handoffs_per_team_week
    load: dict[str, list[int]] = {}
    for u in units:
        for h in u.handoffs:
            for p in (h.from_id, h.to_id):
                if p in problem.limits and p not in load:
                    load[p] = [problem.base.get(p, 0)] * nweeks
    for u in units:
        for h in u.handoffs:
            if h.from_id in load:
                load[h.from_id] = [v + scaled(h.points) for v in load[h.from_id]]

    def fits(u: _Unit, w: int) -> bool:
        outs, ins, teams = defaultdict(int), defaultdict(int), defaultdict(int)
        extra: dict[str, int] = defaultdict(int)
        for h in u.handoffs:
            if h.from_id:
                outs[h.from_id] += 1
            if h.to_id:
                ins[h.to_id] += 1
                extra[h.to_id] += scaled(h.points)
            for t in teams_of(h, ctx):
                teams[t] += 1
        if any(out_used[p][w] + n > out_caps[p] for p, n in outs.items()):
            return False
        if any(in_used[p][w] + n > in_caps[p][w] for p, n in ins.items()):
            return False
        if team_cap and any(team_used[t][w] + n > team_cap for t, n in teams.items()):
            return False
        return all(load[p][t] + pts <= problem.limits[p]
                   for p, pts in extra.items() if p in load for t in range(w, nweeks))

    def place(u: _Unit, w: int) -> None:
        for h in u.handoffs:
            pts = scaled(h.points)
            if h.from_id:
                out_used[h.from_id][w] += 1
                if h.from_id in load:
                    for t in range(w + overlap_weeks(h, sc), nweeks):
                        load[h.from_id][t] -= pts
            if h.to_id:
                in_used[h.to_id][w] += 1
                if h.to_id in load:
                    for t in range(w, nweeks):
                        load[h.to_id][t] += pts
            for t in teams_of(h, ctx):
                team_used[t][w] += 1

    def urgency(u: _Unit) -> tuple[int, int, int, int]:
        urgent = sum(h.id in problem.urgent for h in u.handoffs)
        return (not u.locked, -urgent, len(u.weeks), u.index)

    weights = sc.objective
    peak: dict[str, int] = defaultdict(int)

    def cost(u: _Unit, w: int) -> tuple[int, int]:
        total = 0
        teams: dict[str, int] = defaultdict(int)
        for h in u.handoffs:
            total += weights.early_forced * w * (h.id in problem.urgent)
            total += weights.near_renewal * in_soft_zone(h, sc, w)
            for t in teams_of(h, ctx):
                teams[t] += 1
        for t, n in teams.items():
            total += weights.peak_week * max(0, team_used[t][w] + n - peak[t])
            total += weights.wave_spread * (team_used[t][w] == 0)
        return total, w

    def best_week(u: _Unit) -> int | None:
        if u.locked:  # placed first, but only within the caps and load like any other
            return u.weeks[0] if fits(u, u.weeks[0]) else None
        if lp:
            order = sorted(u.weeks, key=lambda w: (-round(lp.get((u.index, w), 0.0), 3), w))
            return next((w for w in order if fits(u, w)), None)
        fitting = (w for w in u.weeks if fits(u, w))
        if not costed:
            return next(fitting, None)
        return min(fitting, key=lambda w: cost(u, w), default=None)

    chosen: dict[int, int] = {}
    pending = sorted(units, key=urgency)
    for _ in range(3):  # a later pass may fit a unit once its people's own moves are placed
        left = []
        for u in pending:
            week = best_week(u)
            if week is None:
                left.append(u)
            else:
                place(u, week)
                chosen[u.index] = week
                for t in {t for h in u.handoffs for t in teams_of(h, ctx)}:
                    peak[t] = max(peak[t], team_used[t][week])
        if len(left) in (0, len(pending)):
            break
        pending = left
    return chosen


# --- model ----------------------------------------------------------------------------------


class _PartModel:
    """Booleans per (unit, allowed week) and the constraint families of one part.

    With ``guarded`` each rule family and person gets an assumption literal that enforces
    it (diagnosis); with ``optional`` a unit may stay unplaced (last-resort solve).
    """

    def __init__(self, problem: _Problem, units: Sequence[_Unit], *, guarded: bool = False,
                 optional: bool = False):
        self.problem, self.units = problem, list(units)
        self.sc, self.ctx = problem.scenario, problem.context
        self.model = cp_model.CpModel()
        self.guarded, self.optional = guarded, optional
        self.guards: dict[tuple[str, str], cp_model.IntVar] = {}
        self.x: dict[tuple[int, int], cp_model.IntVar] = {
            (u.index, w): self.model.new_bool_var(f"x{u.index}_{w}") for u in units for w in u.weeks
        }
        self.terms: dict[str, cp_model.LinearExprT] = {}
        self.team_weeks: dict[str, list[cp_model.LinearExprT]] = {}
        self.team_counts: dict[str, dict[int, int]] = {}
        #: auxiliary variables and how to hint them from unit -> week choices
        self.aux: list[tuple[cp_model.IntVar, Callable[[dict[int, int]], int]]] = []
        self.unplaced: cp_model.LinearExprT = 0

    # queries
    def at(self, u: _Unit, w: int) -> cp_model.IntVar | int:
        return self.x.get((u.index, w), 0)

    def placed(self, u: _Unit) -> cp_model.LinearExprT:
        return 1 if not self.optional else sum(self.x[u.index, w] for w in u.weeks)

    def start(self, u: _Unit) -> cp_model.LinearExprT:
        return sum(w * self.x[u.index, w] for w in u.weeks)

    def guard(self, family: str, subject: str) -> list[cp_model.IntVar]:
        if not self.guarded:
            return []
        key = (family, subject)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"guard_{family}_{subject}")
        return [self.guards[key]]

    def add(self, ct: cp_model.BoundedLinearExpression, family: str, subject: str) -> None:
        constraint = self.model.add(ct)
        lits = self.guard(family, subject)
        if lits:
            constraint.only_enforce_if(lits)

    def count_by(self, key: Callable[[Handoff], Sequence[str]]) -> dict[str, dict[int, int]]:
        """subject -> unit index -> how many of the unit's handoffs count for the subject."""
        out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for u in self.units:
            for h in u.handoffs:
                for s in key(h):
                    out[s][u.index] += 1
        return out

    def week_sum(self, counts: dict[int, int], w: int) -> tuple[cp_model.LinearExprT, int]:
        """Expression counting handoffs starting in week w, and its largest value."""
        terms = [(n, self.x[i, w]) for i, n in counts.items() if (i, w) in self.x]
        return sum(n * v for n, v in terms), sum(n for n, _ in terms)


def add_one_week_each(m: _PartModel) -> None:
    """Every unit starts in exactly one of its allowed weeks (at most one when optional)."""
    for u in m.units:
        lits = [m.x[u.index, w] for w in u.weeks]
        if m.optional:
            m.model.add_at_most_one(lits)
        else:
            m.model.add_exactly_one(lits)
    if m.optional:
        m.unplaced = sum(len(u.handoffs) * (1 - m.placed(u)) for u in m.units)


def add_weekly_caps(m: _PartModel) -> None:
    """Per person and week: outgoing handoffs <= the out cap, incoming <= the in cap
    (per-person overrides from the roster)."""
    for pid, counts in m.count_by(lambda h: [h.from_id] if h.from_id else []).items():
        cap = out_cap(pid, m.ctx, m.sc)
        for w in range(m.sc.weeks):
            expr, most = m.week_sum(counts, w)
            if most > cap:
                m.add(expr <= cap, "out_cap", pid)
    for pid, counts in m.count_by(lambda h: [h.to_id] if h.to_id else []).items():
        cap = in_cap(pid, m.ctx, m.sc)
        for w in range(m.sc.weeks):
            expr, most = m.week_sum(counts, w)
            if most > cap:
                m.add(expr <= cap, "in_cap", pid)


def add_new_hire_ramp(m: _PartModel) -> None:
    """New hires: at most ``new_hire_ramp_max_in`` incoming handoffs a week in their first
    ``new_hire_ramp_weeks`` weeks (nothing before the start date is a per-handoff rule)."""
    for pid, counts in m.count_by(lambda h: [h.to_id] if h.to_id else []).items():
        person = m.ctx.person(pid)
        if person is None or person.start_date is None:
            continue
        for w, cap in enumerate(in_cap_by_week(pid, m.ctx, m.sc)):
            expr, most = m.week_sum(counts, w)
            if most > cap:
                m.add(expr <= cap, "ramp", pid)


def add_team_cap(m: _PartModel) -> None:
    """Per team and week: handoffs involving the team <= ``max_handoffs_per_team_week``."""
    cap = m.sc.rules.max_handoffs_per_team_week
    if cap <= 0:
        return
    for team, counts in m.count_by(lambda h: teams_of(h, m.ctx)).items():
        for w in range(m.sc.weeks):
            expr, most = m.week_sum(counts, w)
            if most > cap:
                m.add(expr <= cap, "team_cap", team)


def add_load_during_transition(m: _PartModel) -> None:
    """Every week, each person's load stays within the limit: the points kept, plus every
    outgoing account until its overlap ends, plus every incoming account from its start."""
    nweeks = m.sc.weeks
    out_of: dict[str, list[tuple[_Unit, Handoff]]] = defaultdict(list)
    in_of: dict[str, list[tuple[_Unit, Handoff]]] = defaultdict(list)
    for u in m.units:
        for h in u.handoffs:
            if h.from_id in m.problem.limits:
                out_of[h.from_id].append((u, h))
            if h.to_id in m.problem.limits:
                in_of[h.to_id].append((u, h))
    started: dict[tuple[int, int], cp_model.LinearExprT] = {}

    def started_by(u: _Unit, t: int) -> cp_model.LinearExprT:
        """1 when the unit has started in week t or before."""
        if t < u.weeks[0]:
            return 0
        if t >= u.weeks[-1]:
            return m.placed(u)
        if (u.index, t) not in started:
            var = m.model.new_bool_var(f"s{u.index}_{t}")
            m.model.add(var == started_by(u, t - 1) + m.at(u, t))
            started[u.index, t] = var
            m.aux.append((var, lambda c, i=u.index, t=t: int(i in c and c[i] <= t)))
        return started[u.index, t]

    for pid in sorted(set(out_of) | set(in_of)):
        free = m.problem.limits[pid] - m.problem.base.get(pid, 0)
        free -= sum(scaled(h.points) for _, h in out_of[pid])
        for t in range(nweeks):
            arriving = [(u, h) for u, h in in_of[pid] if u.weeks[0] <= t]
            if sum(scaled(h.points) for _, h in arriving) <= free:
                continue
            expr = sum(scaled(h.points) * started_by(u, t) for u, h in arriving)
            expr -= sum(scaled(h.points) * started_by(u, t - overlap_weeks(h, m.sc))
                        for u, h in out_of[pid])
            m.add(expr <= free, "load", pid)


def moved_from_previous(handoffs: Sequence[Handoff], week: int) -> int:
    """Handoffs that a re-plan would start in another week than the previous plan did."""
    return sum(h.previous_week is not None and h.previous_week != week for h in handoffs)


def handoff_costs(m: _PartModel, h: Handoff, w: int) -> tuple[int, int, int]:
    """What starting handoff ``h`` in week ``w`` costs in the per-week terms: (early_forced,
    near_renewal, previous_change), weighted."""
    weights = m.sc.objective
    return (weights.early_forced * w if h.id in m.problem.urgent else 0,
            weights.near_renewal if in_soft_zone(h, m.sc, w) else 0,
            weights.previous_change * moved_from_previous((h,), w))


def week_costs(m: _PartModel, u: _Unit, w: int) -> tuple[int, int, int]:
    """What starting unit ``u`` in week ``w`` costs in the per-week terms: the sum of its
    handoffs' ``handoff_costs``."""
    early = near = changed = 0
    for h in u.handoffs:
        cost_early, cost_near, cost_changed = handoff_costs(m, h, w)
        early, near, changed = early + cost_early, near + cost_near, changed + cost_changed
    return early, near, changed


def add_objective_terms(m: _PartModel) -> None:
    """Named terms: early urgent moves (weight x week), overlaps in a renewal soft zone,
    peak weekly handoffs per team, distinct weeks used per team."""
    weights, sc = m.sc.objective, m.sc
    early, near, changed = [], [], []
    for u in m.units:
        for w in u.weeks:
            x = m.x[u.index, w]
            cost_early, cost_near, cost_changed = week_costs(m, u, w)
            if cost_early:
                early.append(cost_early * x)
            if cost_near:
                near.append(cost_near * x)
            if cost_changed:
                changed.append(cost_changed * x)
    m.terms["early_forced"] = sum(early)
    m.terms["near_renewal"] = sum(near)
    m.terms["previous_change"] = sum(changed)
    peaks: list[cp_model.IntVar] = []
    used: list[cp_model.IntVar] = []
    for team, counts in sorted(m.count_by(lambda h: teams_of(h, m.ctx)).items()):
        weekly = [m.week_sum(counts, w) for w in range(sc.weeks)]
        m.team_weeks[team] = [expr for expr, most in weekly if most]
        m.team_counts[team] = dict(counts)
        if weights.peak_week:
            peak = m.model.new_int_var(0, sum(counts.values()), f"peak_{team}")
            for expr in m.team_weeks[team]:
                m.model.add(peak >= expr)
            peaks.append(peak)
            m.aux.append((peak, lambda c, n=dict(counts): max(
                [sum(k for i, k in n.items() if c.get(i) == w) for w in set(c.values())],
                default=0)))
    if weights.wave_spread:
        used = add_team_week_flags(m)
    m.terms["peak_week"] = weights.peak_week * sum(peaks)
    m.terms["wave_spread"] = weights.wave_spread * sum(used)


def add_team_week_flags(m: _PartModel) -> list[cp_model.IntVar]:
    """One flag per team and week that holds at least one of the team's handoffs.

    The flag is forced by one row per team member and direction: ``cap x flag >= the
    member's outgoing (or incoming) handoffs that week``, where cap is the member's weekly
    cap, so the row never cuts off a schedule within the caps. Measured on the reference
    scenario: the LP relaxation solves in 8 s instead of 36 s with one implication per
    (unit, week), and its bound is 0.5% weaker.
    """
    rows: dict[tuple[str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for u in m.units:
        for h in u.handoffs:
            for pid, direction in ((h.from_id, "out"), (h.to_id, "in")):
                team = m.ctx.team_of.get(pid) if pid else None
                if team:
                    rows[team, pid, direction][u.index] += 1
    members: dict[str, list[tuple[str, str, dict[int, int]]]] = defaultdict(list)
    for (team, pid, direction), counts in sorted(rows.items()):
        members[team].append((pid, direction, counts))
    flags = []
    for team, rows_of_team in sorted(members.items()):
        for w in range(m.sc.weeks):
            bounded = []
            for pid, direction, counts in rows_of_team:
                expr, most = m.week_sum(counts, w)
                if most:
                    cap = (out_cap(pid, m.ctx, m.sc) if direction == "out"
                           else in_cap_by_week(pid, m.ctx, m.sc)[w])
                    bounded.append((expr, max(1, min(cap, most))))
            if not bounded:
                continue
            flag = m.model.new_bool_var(f"used_{team}_{w}")
            for expr, cap in bounded:
                m.model.add(cap * flag >= expr)
            flags.append(flag)
            units = list(m.team_counts.get(team, ()))
            m.aux.append((flag, lambda c, n=units, w=w: int(any(c.get(i) == w for i in n))))
    return flags


def _evaluate(m: _PartModel, chosen: dict[int, int]) -> dict[str, int]:
    """The named terms of unit -> week choices, from the model's own data (the peak variable
    is only bounded below, so a non-optimal answer of the solver may overstate it)."""
    weights = m.sc.objective
    early = near = changed = 0
    for u in m.units:
        if u.index in chosen:
            cost_early, cost_near, cost_changed = week_costs(m, u, chosen[u.index])
            early, near, changed = early + cost_early, near + cost_near, changed + cost_changed
    peak = wave = 0
    for counts in m.team_counts.values():
        weekly: dict[int, int] = defaultdict(int)
        for i, n in counts.items():
            if i in chosen:
                weekly[chosen[i]] += n
        peak += max(weekly.values(), default=0)
        wave += len(weekly)
    return {"early_forced": early, "near_renewal": near, "previous_change": changed,
            "peak_week": weights.peak_week * peak if weights.peak_week else 0,
            "wave_spread": weights.wave_spread * wave if weights.wave_spread else 0}


def _separable_bound(m: _PartModel, capped: int) -> int:
    """A lower bound that needs no solver model (the only one where the relaxation is
    skipped or stopped): ``capped`` for the per-week terms (``capped_weeks``); each team's
    handoffs spread evenly over the weeks its units allow, for the peak; one week per team,
    for the waves. Every term is non-negative and bounded on its own, so their sum is a
    bound."""
    weights = m.sc.objective
    total = capped
    for counts in m.team_counts.values():
        if not counts:
            continue
        weeks = {w for u in m.units if u.index in counts for w in u.weeks}
        handoffs = sum(counts.values())
        total += weights.peak_week * max(-(-handoffs // len(weeks)), max(counts.values()))
        total += weights.wave_spread
    return total


def capped_weeks(m: _PartModel) -> tuple[int, dict[str, int]]:
    """A lower bound of the per-week terms (early, near renewal, previous change) and the
    weeks that reach it: each handoff counted with its giver (or, the other bound, its
    receiver), who starts at most their weekly cap of handoffs a week, each in a week its
    unit allows. Per person that relaxation is a transportation problem, solved exactly as
    a min-cost flow; the larger of the two sides is the bound."""
    best: tuple[int, dict[str, int]] = (-1, {})
    for side in ("out", "in"):
        by_person: dict[str, list[tuple[_Unit, Handoff]]] = defaultdict(list)
        total, weeks = 0, {}
        for u in m.units:
            for h in u.handoffs:
                pid = h.from_id if side == "out" else h.to_id
                if pid:
                    by_person[pid].append((u, h))
                else:  # nobody's cap applies: its cheapest week
                    week = _cheapest_week(m, u, h)
                    total += sum(handoff_costs(m, h, week))
                    weeks[h.id] = week
        for pid, items in by_person.items():
            cap = out_cap(pid, m.ctx, m.sc) if side == "out" else in_cap(pid, m.ctx, m.sc)
            cost, chosen = _least_cost_within_cap(m, items, cap)
            total += cost
            weeks.update(chosen)
        if total > best[0]:
            best = (total, weeks)
    return best


def _cheapest_week(m: _PartModel, u: _Unit, h: Handoff) -> int:
    """The week its unit allows where handoff ``h`` costs least (the earliest on a tie)."""
    return min(u.weeks, key=lambda w: (sum(handoff_costs(m, h, w)), w))


def _least_cost_within_cap(m: _PartModel, items: list[tuple[_Unit, Handoff]],
                           cap: int) -> tuple[int, dict[str, int]]:
    """The least cost of starting one person's handoffs, each in a week its unit allows,
    at most ``cap`` a week (below 1 counts as 1: a bound, never an error), and the weeks."""
    cheapest = {h.id: _cheapest_week(m, u, h) for u, h in items}
    alone = (sum(sum(handoff_costs(m, h, cheapest[h.id])) for _, h in items), cheapest)
    if len(items) <= max(1, cap):
        return alone  # the cap cannot bind
    flow = min_cost_flow.SimpleMinCostFlow()
    n, source, sink = len(items), len(items) + m.sc.weeks, len(items) + m.sc.weeks + 1
    for i, (u, h) in enumerate(items):
        flow.add_arc_with_capacity_and_unit_cost(source, i, 1, 0)
        for w in u.weeks:
            flow.add_arc_with_capacity_and_unit_cost(i, n + w, 1, sum(handoff_costs(m, h, w)))
    for w in range(m.sc.weeks):
        flow.add_arc_with_capacity_and_unit_cost(n + w, sink, max(1, cap), 0)
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    if flow.solve() != flow.OPTIMAL:
        return alone  # the caps leave no room (the model will say so): a weaker bound
    weeks = {items[flow.tail(a)][1].id: flow.head(a) - n for a in range(flow.num_arcs())
             if flow.flow(a) and flow.tail(a) < n}
    return flow.optimal_cost(), weeks


def _build(problem: _Problem, units: Sequence[_Unit], *, guarded: bool = False,
           optional: bool = False, objective: bool = True) -> _PartModel:
    m = _PartModel(problem, units, guarded=guarded, optional=optional)
    add_one_week_each(m)
    add_weekly_caps(m)
    add_new_hire_ramp(m)
    add_team_cap(m)
    add_load_during_transition(m)
    if objective:
        add_objective_terms(m)
        parts = list(m.terms.values())
        if optional:
            parts.append(problem.scenario.objective.unassigned * m.unplaced)
        m.model.minimize(cp_model.LinearExpr.sum(parts))  # a new expression; terms unchanged
    return m


# --- solving --------------------------------------------------------------------------------


@dataclass(slots=True)
class _PartResult:
    starts: dict[str, int]
    exceptions: list[ScheduleException]
    notes: list[str]
    terms: dict[str, int]
    stats: StageStats


def _solver(scenario: Scenario, seconds: float, lns_workers: int = 1) -> cp_model.CpSolver:
    """A CP-SAT solver whose limit is deterministic work (``DTIME_PER_SECOND`` x seconds),
    so that the same inputs give the same schedule on every run; a wall-clock stop at
    ``WALL_SAFETY`` x seconds guards a much slower machine. One worker with the full search
    (it can prove optimality or impossibility), or with ``lns_workers`` > 1 an interleaved
    (deterministic) search of that many large-neighbourhood workers that improve the hint."""
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = max(0.05, DTIME_PER_SECOND * seconds)
    solver.parameters.max_time_in_seconds = max(1.0, WALL_SAFETY * seconds)
    solver.parameters.num_workers = max(1, lns_workers)
    if lns_workers > 1:
        solver.parameters.interleave_search = True
        solver.parameters.use_lns_only = True
    solver.parameters.random_seed = scenario.solver.seed
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is the CLI's (planner.cli)
    if log.isEnabledFor(logging.DEBUG):
        solver.parameters.log_search_progress = True
        solver.log_callback = log.debug
    return solver


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel, what: str) -> int:
    """Solve, and warn when the wall-clock guard (not the deterministic limit) stopped it."""
    status = solver.solve(model)
    wall_limit = solver.parameters.max_time_in_seconds
    if solver.wall_time >= 0.99 * wall_limit and status in (cp_model.FEASIBLE,
                                                             cp_model.UNKNOWN):
        log.warning("%s stopped by the wall-clock guard after %.0f s: this machine is slower "
                    "than the calibration, and a re-run may give another schedule", what,
                    solver.wall_time)
    return status


def _lp_relaxation(
    m: _PartModel, seconds: float
) -> tuple[int | None, dict[tuple[int, int], float]]:
    """The model's linear relaxation, solved with HiGHS (shipped with OR-Tools): a lower
    bound (rounded up) and the fractional week values, whose rounding guides the hint. Read
    from the CP-SAT model itself so that both always describe the same rules. It runs to
    the end (its answer is then the same on every run); ``seconds`` is only a wall-clock
    guard. (0, {}) when the guard stops it; (None, {}) when the relaxation is infeasible,
    which proves that the rules cannot all hold."""
    proto = m.model.proto
    lp = pywraplp.Solver.CreateSolver(LP_SOLVER)
    if lp is None:  # pragma: no cover - HiGHS ships with OR-Tools
        return 0, {}
    lp.SuppressOutput()
    lp.SetSolverSpecificParametersAsString("output_flag=false")  # no HiGHS banner on stdout
    lp.SetTimeLimit(int(max(0.1, seconds) * 1000))
    # (the proto's repeated fields do not take negative indexes)
    xs = [lp.NumVar(float(v.domain[0]), float(v.domain[len(v.domain) - 1]), "")
          for v in proto.variables]

    def term(ref: int) -> tuple[pywraplp.Variable, float, float]:
        """literal -> (variable, sign, constant): x or 1 - x."""
        return (xs[ref], 1.0, 0.0) if ref >= 0 else (xs[-ref - 1], -1.0, 1.0)

    for ct in proto.constraints:
        if ct.has_exactly_one() or ct.has_at_most_one():
            lits = ct.exactly_one.literals if ct.has_exactly_one() else ct.at_most_one.literals
            row = lp.Constraint(1.0 if ct.has_exactly_one() else 0.0, 1.0)
            for ref in lits:
                row.SetCoefficient(xs[ref], 1.0)
        elif ct.has_linear():
            if len(ct.enforcement_literal):
                continue  # guarded rows only appear in the diagnosis model
            dom = list(ct.linear.domain)
            low = -lp.infinity() if dom[0] < -(2**53) else float(dom[0])
            high = lp.infinity() if dom[-1] > 2**53 else float(dom[-1])
            row = lp.Constraint(low, high)
            for ref, coeff in zip(ct.linear.vars, ct.linear.coeffs, strict=True):
                row.SetCoefficient(xs[ref], float(coeff))
        elif ct.has_bool_and() and len(ct.enforcement_literal) == 1:
            a, sa, ca = term(ct.enforcement_literal[0])
            for ref in ct.bool_and.literals:  # literal >= enforcement
                b, sb, cb = term(ref)
                row = lp.Constraint(ca - cb, lp.infinity())
                row.SetCoefficient(b, sb)
                row.SetCoefficient(a, row.GetCoefficient(a) - sa)
        elif ct.has_bool_or() and len(ct.enforcement_literal) == 1:
            a, sa, ca = term(ct.enforcement_literal[0])
            row = lp.Constraint(ca, lp.infinity())  # sum of literals >= enforcement
            const = 0.0
            for ref in ct.bool_or.literals:
                b, sb, cb = term(ref)
                row.SetCoefficient(b, row.GetCoefficient(b) + sb)
                const += cb
            row.SetCoefficient(a, row.GetCoefficient(a) - sa)
            row.SetBounds(ca - const, lp.infinity())
    objective = lp.Objective()
    for ref, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[ref], float(coeff))
    objective.SetMinimization()
    status = lp.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None, {}
    if status != pywraplp.Solver.OPTIMAL:
        log.warning("the schedule's LP relaxation did not finish in %.0f s (a larger [solver] "
                    "time_limit_s gives it longer): the plan starts from the per-person weeks "
                    "instead, and a re-run may give another schedule", lp.wall_time() / 1000)
        return 0, {}
    bound = int(-(-(objective.Value() + proto.objective.offset - 1e-6) // 1))
    values = {key: var.solution_value() for key, var in
              ((key, xs[var.index]) for key, var in m.x.items())}
    return bound, values


def _hint(m: _PartModel, chosen: dict[int, int]) -> None:
    m.model.clear_hints()
    for (i, w), var in m.x.items():
        m.model.add_hint(var, chosen.get(i) == w)
    for var, value in m.aux:
        m.model.add_hint(var, value(chosen))


def _chosen(m: _PartModel, solver: cp_model.CpSolver) -> dict[int, int]:
    """unit index -> week at the solver's answer (placed units only)."""
    out = {}
    for u in m.units:
        week = next((w for w in u.weeks if solver.boolean_value(m.x[u.index, w])), None)
        if week is not None:
            out[u.index] = week
    return out


def _starts(units: Sequence[_Unit], chosen: dict[int, int]) -> dict[str, int]:
    return {h.id: chosen[u.index] for u in units if u.index in chosen for h in u.handoffs}


def _conflicts(problem: _Problem, units: Sequence[_Unit],
               keys: Sequence[tuple[str, str]]) -> list[CapConflict]:
    """Figures for each (family, subject) in an infeasible core, for the business words."""
    sc, ctx = problem.scenario, problem.context
    out = []
    for family, subject in keys:
        if family == "team_cap":
            hs = [(u, h) for u in units for h in u.handoffs if subject in teams_of(h, ctx)]
        elif family == "out_cap":
            hs = [(u, h) for u in units for h in u.handoffs if h.from_id == subject]
        else:
            hs = [(u, h) for u in units for h in u.handoffs if h.to_id == subject]
        open_weeks = sorted({w for u, _ in hs for w in u.weeks})
        person = ctx.person(subject)
        off = len([w for w in weeks_off(sc, person) if 0 <= w < sc.weeks])
        if family == "out_cap":
            cap = out_cap(subject, ctx, sc)
            fit = cap * len(open_weeks)
        elif family == "in_cap":
            cap = in_cap(subject, ctx, sc)
            fit = cap * len(open_weeks)
        elif family == "ramp":
            caps = in_cap_by_week(subject, ctx, sc)
            cap, fit = sc.rules.new_hire_ramp_max_in, sum(caps[w] for w in open_weeks)
        elif family == "team_cap":
            cap = sc.rules.max_handoffs_per_team_week
            fit = cap * len(open_weeks)
        else:
            cap, fit = 0, 0
        start = person.start_date.isoformat() if person and person.start_date else ""
        name = subject if family == "team_cap" else ctx.name(subject)
        leaves = person.last_day.isoformat() if person and person.last_day else ""
        given = [h for u in units for h in u.handoffs if h.from_id == subject]
        out.append(CapConflict(
            family, name, len(hs), fit, cap, len(open_weeks), off, start,
            problem.limits.get(subject, 0) / POINT_SCALE, leaves,
            kept_points=problem.base.get(subject, 0) / POINT_SCALE,
            in_points=sum(h.points for _, h in hs) if family == "load" else 0.0,
            handed_over=len(given) if family == "load" else 0,
            out_points=sum(h.points for h in given) if family == "load" else 0.0))
    return out


def _ramp_in_plan(person_id: str, problem: _Problem) -> bool:
    """True when the person's new-hire ramp lowers the intake in some week of the plan:
    someone who started years ago has no ramp to blame."""
    ctx, sc = problem.context, problem.scenario
    plain = in_cap(person_id, ctx, sc)
    return any(cap < plain for cap in in_cap_by_week(person_id, ctx, sc))


def _counting_conflicts(problem: _Problem, units: Sequence[_Unit]) -> list[CapConflict]:
    """Caps that cannot hold even alone: more handoffs than the cap times the open weeks
    (a pigeonhole the solver is slow to prove), the binding ones first.

    Binding: conflicts are taken by shortfall (handoffs - fit), largest first; a later cap
    is left out when the caps already named on the other side of its handoffs leave it no
    more than it can hold (five receivers of one leaver whose own out cap lets only 12 go
    are not short of room: the leaver's cap is the one to raise). A new hire's ramp counts
    only when it falls inside the plan and the plain in cap alone would fit."""
    ctx, rules = problem.context, problem.scenario.rules
    keys: set[tuple[str, str]] = set()
    for u in units:
        for h in u.handoffs:
            if h.from_id:
                keys.add(("out_cap", h.from_id))
            if h.to_id:
                keys.add(("in_cap", h.to_id))
                if _ramp_in_plan(h.to_id, problem):
                    keys.add(("ramp", h.to_id))
            if rules.max_handoffs_per_team_week > 0:
                keys.update(("team_cap", t) for t in teams_of(h, ctx))
    found = {(c.family, key[1]): c for key, c in
             zip(sorted(keys), _conflicts(problem, units, sorted(keys)), strict=True)
             if c.fit < c.handoffs}
    for (family, pid) in list(found):  # the ramp only when the plain cap alone would fit
        if family == "ramp" and ("in_cap", pid) in found:
            del found[family, pid]
    pairs: dict[tuple[str, str], int] = defaultdict(int)  # (giver, receiver) -> handoffs
    for u in units:
        for h in u.handoffs:
            if h.from_id and h.to_id:
                pairs[h.from_id, h.to_id] += 1
    named: dict[tuple[str, str], CapConflict] = {}
    for (family, pid), c in sorted(found.items(),
                                   key=lambda kv: (kv[1].fit - kv[1].handoffs, kv[0])):
        if family != "team_cap" and _counted(family, pid, c, pairs, named) <= c.fit:
            continue  # the caps named on the other side already hold these back
        named[family, pid] = c
    return list(named.values())


def _counted(family: str, pid: str, conflict: CapConflict,
             pairs: dict[tuple[str, str], int],
             named: dict[tuple[str, str], CapConflict]) -> int:
    """How many of a person's handoffs could reach the cap, given the caps already named
    for the people on the other side (each lets at most its own fit through)."""
    total = conflict.handoffs
    for (giver, receiver), n in pairs.items():
        if family == "out_cap" and giver == pid:
            other = named.get(("in_cap", receiver)) or named.get(("ramp", receiver))
        elif family in ("in_cap", "ramp") and receiver == pid:
            other = named.get(("out_cap", giver))
        else:
            continue
        if other is not None:
            total -= n - min(n, other.fit)
    return total


def _diagnose(problem: _Problem, units: Sequence[_Unit], seconds: float) -> list[CapConflict]:
    """The conflicting rules: caps that cannot hold alone, else one assumption literal per
    rule family and person, solved on one worker, mapped back to the rules."""
    counted = _counting_conflicts(problem, units)
    if counted:
        return counted
    m = _build(problem, units, guarded=True, objective=False)
    keys = list(m.guards)
    m.model.add_assumptions([m.guards[k] for k in keys])
    solver = _solver(problem.scenario, seconds)
    if _solve(solver, m.model, "the diagnosis") != cp_model.INFEASIBLE:
        return []
    core = set(solver.sufficient_assumptions_for_infeasibility())
    chosen = [k for k in keys if m.guards[k].index in core]
    return _conflicts(problem, units, sorted(chosen))


def _start_point(m: _PartModel, seconds: float
                 ) -> tuple[dict[int, int], int | None, bool]:
    """The hint and a bound: the cost-aware greedy, or the rounding of the LP relaxation
    (large parts only; the LP is nearly integral there) when that is complete and cheaper.
    The bound is the larger of the relaxation's and ``_separable_bound``; None when the
    relaxation proves the part impossible. The relaxation is skipped (deterministically, by
    size) when the model is too large for the part's seconds: the per-person weeks of the
    separable bound are rounded instead. The last value says whether the relaxation ran."""
    best = _greedy(m.problem, m.units, costed=True)
    capped, weeks = capped_weeks(m)
    simple = _separable_bound(m, capped)
    if len(m.units) < LP_MIN_UNITS:
        return best, simple, False
    size = len(m.model.proto.variables)
    if size > max(SMALL_MODEL_VARS, LP_VARS_PER_SECOND * LP_SHARE * seconds):
        log.info("schedule LP relaxation skipped: %d variables for %.0f s; starting from the "
                 "per-person weeks of the bound", size, seconds)
        return _cheaper(m, best, _greedy(m.problem, m.units, lp=_unit_values(m, weeks))), \
            simple, False
    bound, values = _lp_relaxation(m, LP_GUARD * seconds)
    if bound is not None and not values:  # stopped by its guard: as if skipped
        values = _unit_values(m, weeks)
    if values:
        best = _cheaper(m, best, _greedy(m.problem, m.units, lp=values))
    return best, None if bound is None else max(bound, simple), True


def _unit_values(m: _PartModel, weeks: dict[str, int]) -> dict[tuple[int, int], float]:
    """Handoff -> week choices as the share of each unit's handoffs per week (the form of the
    relaxation's values, which ``_greedy`` rounds)."""
    values: dict[tuple[int, int], float] = defaultdict(float)
    for u in m.units:
        for h in u.handoffs:
            if h.id in weeks:
                values[u.index, weeks[h.id]] += 1 / len(u.handoffs)
    return values


def _cheaper(m: _PartModel, best: dict[int, int], other: dict[int, int]) -> dict[int, int]:
    """``other`` when it places every unit and costs less than ``best`` (or best does not
    place every unit), else ``best``."""
    if len(other) < len(m.units):
        return best
    if len(best) < len(m.units) or sum(_evaluate(m, other).values()) < sum(
            _evaluate(m, best).values()):
        return other
    return best


def _solve_part(problem: _Problem, number: int, units: Sequence[_Unit], seconds: float,
                workers: int = 1, retry: bool = True, guard: float | None = None
                ) -> _PartResult:
    """Schedule one part within ``seconds`` of budget (see the module docstring for how the
    budget is spent). ``workers`` > 1: a complete start is improved by that many interleaved
    neighbourhood-search workers. ``guard``: the seconds the relaxation's wall-clock guard
    is based on (the whole part's, also when re-optimizing what fits with the rest)."""
    began = time.perf_counter()
    m = _build(problem, units)
    start, relaxed, lp_ran = _start_point(m, guard or seconds)
    _hint(m, start)
    complete = len(start) == len(units)
    lp_bound = relaxed or 0
    spent = LP_SHARE if lp_ran else 0.0  # shares of the budget
    if relaxed is None:  # the LP relaxation is infeasible: proved impossible already
        status = cp_model.INFEASIBLE
    elif complete and _too_large(m, (1 - spent) * seconds):
        status = cp_model.UNKNOWN  # the search would not get past loading the model
    else:  # without a complete start the rules may be impossible: keep time for the rest
        share = 1 - spent if complete else PLACE_SHARE
        spent += share
        solver = _solver(problem.scenario, share * seconds, workers if complete else 1)
        status = _solve(solver, m.model, f"schedule part {number}")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = _chosen(m, solver)
        if complete and sum(_evaluate(m, start).values()) < sum(_evaluate(m, chosen).values()):
            chosen = start
        label = "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE"
        bound = max(lp_bound, int(-(-(solver.best_objective_bound - 1e-6) // 1)))
    elif status == cp_model.UNKNOWN and complete:
        chosen, label, bound = start, "FEASIBLE", lp_bound  # the solver ran out of time
    else:
        return _set_aside(problem, number, units, (seconds, spent, workers), start, status,
                          began, retry)
    terms = _evaluate(m, chosen)
    return _result(number, units, chosen, terms, label, bound, began)


def _too_large(m: _PartModel, seconds: float) -> bool:
    """True when the model is too large for CP-SAT to improve a complete start in
    ``seconds`` (``CP_VARS_PER_SECOND``): the start (LP rounding or greedy) is kept."""
    size = len(m.model.proto.variables)
    if size <= max(SMALL_MODEL_VARS, CP_VARS_PER_SECOND * seconds):
        return False
    log.info("schedule search skipped: %d variables for %.0f s; the start is kept", size,
             seconds)
    return True


def _set_aside(problem: _Problem, number: int, units: Sequence[_Unit],
               budget: tuple[float, float, int], start: dict[int, int], status: int,
               began: float, retry: bool) -> _PartResult:
    """A part whose rules cannot all hold (or no schedule found in time): name the
    conflicting rules, place as many handoffs as fit, set the rest aside as exceptions, and
    optimize what fits on its own with what is left of the part's budget.
    ``budget``: the part's seconds, the share of them already spent, the workers."""
    seconds, spent, workers = budget
    conflicts: list[CapConflict] = []
    notes: list[str] = []
    chosen = start
    if status == cp_model.INFEASIBLE:  # proved: name the rules, then place what fits
        conflicts = _diagnose(problem, units, DIAGNOSIS_SHARE * seconds)
        m = _build(problem, units, optional=True)
        _hint(m, start)
        solver = _solver(problem.scenario, PLACE_SHARE * seconds)
        if _solve(solver, m.model, f"placing part {number}") in (cp_model.OPTIMAL,
                                                                  cp_model.FEASIBLE):
            found = _chosen(m, solver)
            chosen = found if len(found) >= len(start) else start
    else:  # nothing in time: the greedy start, which respects every rule
        notes.append(f"part {number}: the solver found no schedule in time; the greedy "
                     "schedule is kept and what it could not place is listed")
    unplaced = [u for u in units if u.index not in chosen]
    placed = [u for u in units if u.index in chosen]
    notes.extend(diagnosis_lines(conflicts, sum(len(u.handoffs) for u in unplaced),
                                 problem.scenario))
    exceptions = _set_aside_reasons(problem, unplaced, conflicts)
    set_aside = sum(len(u.handoffs) for u in unplaced)
    if retry and placed and unplaced:
        # Optimize what fits as a part of its own, so its figures (and gap) are real; it
        # gets the part's budget minus what the first attempt, diagnosis and placing took.
        spent += DIAGNOSIS_SHARE + PLACE_SHARE if conflicts else 0.0
        again = _solve_part(_keeping(problem, unplaced), number, placed,
                            max(0.1, 1 - spent) * seconds, workers, retry=False,
                            guard=seconds)
        # A proved conflict: what fits is optimized on its own. A time-out: the set
        # aside was not proved necessary, so the part is at best FEASIBLE.
        stats = replace(again.stats, handoffs=sum(len(u.handoffs) for u in units),
                        status=again.stats.status if conflicts else "FEASIBLE",
                        seconds=time.perf_counter() - began, set_aside=set_aside)
        kept = [n for n in notes if "greedy schedule is kept" not in n]
        return _PartResult(again.starts, exceptions + list(again.exceptions),
                           kept + list(again.notes), again.terms, stats)
    label = "FEASIBLE" if placed else "INFEASIBLE" if conflicts else "UNKNOWN"
    # the optional model's bound counts unplaced penalties; not comparable: no bound
    terms = _evaluate(_build(problem, placed), chosen) if placed else {}
    result = _result(number, units, chosen, terms, label, 0, began, set_aside)
    return replace(result, exceptions=exceptions, notes=notes)


def _keeping(problem: _Problem, unplaced: Sequence[_Unit]) -> _Problem:
    """The problem with the set-aside handoffs' points kept by their current owners for the
    whole plan (they no longer appear as units, but the accounts do not leave)."""
    base = dict(problem.base)
    for u in unplaced:
        for h in u.handoffs:
            if h.from_id:
                base[h.from_id] = base.get(h.from_id, 0) + scaled(h.points)
    return replace(problem, base=base)


def _set_aside_reasons(problem: _Problem, unplaced: Sequence[_Unit],
                       conflicts: Sequence[CapConflict]) -> list[ScheduleException]:
    """Each set-aside handoff with the conflicting rules of its own people (or all)."""
    out = []
    for u in unplaced:
        people = {problem.context.name(p) for h in u.handoffs for p in (h.from_id, h.to_id)
                  if p}
        own = [c for c in conflicts if c.subject in people]
        text = "; ".join(cap_conflict_text(c, problem.scenario, len(conflicts) == 1)
                         for c in own or conflicts)
        reason = ("does not fit the weekly caps and load limits" if conflicts else
                  "no week found within the weekly caps and load limits in the time "
                  "limit (raise [solver] time_limit_s for a longer search)")
        out.extend(ScheduleException(h.id, reason + (f": {text}" if text else ""))
                   for h in u.handoffs)
    return out


def _result(number: int, units: Sequence[_Unit], chosen: dict[int, int],
            terms: dict[str, int], label: str, bound: int, began: float,
            set_aside: int = 0) -> _PartResult:
    """A part's schedule and figures; the bound never exceeds the objective."""
    objective = sum(terms.values())
    bound = objective if label == "OPTIMAL" else min(bound, objective)
    stats = StageStats(number, sum(len(u.handoffs) for u in units), label, objective, bound,
                       relative_gap(objective, bound), time.perf_counter() - began, set_aside)
    log.info("schedule part %d: %d handoffs, %s, objective %d, bound %d, %.1f s",
             number, stats.handoffs, label, objective, bound, stats.seconds)
    return _PartResult(_starts(units, chosen), [], [], terms, stats)


def schedule_handoffs(
    handoffs: Sequence[Handoff],
    context: ScheduleContext,
    scenario: Scenario,
    progress: Progress | None = None,
) -> Schedule:
    """The start week of every handoff, within the rules, minimizing the named terms.

    Handoffs no week allows, and handoffs the caps cannot hold, are returned as exceptions
    with the reason; the rest is always scheduled. Time: ``[solver] time_limit_s`` shared
    by the parts in proportion to their size, spent as deterministic work so that a re-run
    gives the same schedule (see the module docstring).
    """
    problem = _prepare(handoffs, context, scenario)
    parts = _parts(problem)
    total = max(1, sum(len(p) for p in parts))
    workers = scenario.solver.workers
    budget = scenario.solver.time_limit_s
    small = [(n, p) for n, p in enumerate(parts, 1) if len(p) < SMALL_PART]
    large = [(n, p) for n, p in enumerate(parts, 1) if len(p) >= SMALL_PART]
    log.info("scheduling %d handoffs in %d parts (%d large)", len(handoffs), len(parts),
             len(large))
    results: dict[int, _PartResult] = {}
    for n, p in large:
        if progress:
            progress(f"scheduling part {n} of {len(parts)} ({len(p)} account groups)")
        results[n] = _solve_part(problem, n, p, max(MIN_PART_SECONDS, budget * len(p) / total),
                                 workers)
    if small:
        if progress:
            progress(f"scheduling {len(small)} small parts")

        def run(item: tuple[int, list[_Unit]]) -> tuple[int, _PartResult]:
            n, p = item
            return n, _solve_part(problem, n, p, max(MIN_PART_SECONDS, budget * len(p) / total))

        if workers > 1 and len(small) > 1:  # each part is one worker: same answer either way
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results.update(pool.map(run, small))
        else:
            results.update(run(item) for item in small)
    return _assemble(problem, [results[n] for n in sorted(results)])


def _assemble(problem: _Problem, results: Sequence[_PartResult]) -> Schedule:
    starts: dict[str, int] = {}
    terms = {"early_forced": 0, "near_renewal": 0, "previous_change": 0, "peak_week": 0,
             "wave_spread": 0}
    exceptions = list(problem.exceptions)
    notes = [w.text for w in problem.warnings] + list(problem.notes)
    for r in results:
        starts.update(r.starts)
        exceptions.extend(r.exceptions)
        notes.extend(r.notes)
        for k, v in r.terms.items():
            terms[k] += v
    late = _no_go_live_notes(problem, starts)
    notes.extend(w.text for w in late)
    return Schedule(
        start_week=starts,
        exceptions=tuple(exceptions),
        waves=waves(starts, problem.scenario),
        diagnosis=tuple(notes),
        stages=tuple(r.stats for r in results),
        terms=terms,
        warnings=tuple(problem.warnings + late),
    )


def _no_go_live_notes(problem: _Problem, starts: dict[str, int]) -> list[ScheduleWarning]:
    """One note per account still onboarding without a go-live date whose go-live-bound
    handoffs (PM, SA, HYBRID; the CSM when it waits too) were scheduled without waiting."""
    roles = ONBOARDING_ROLES + (("CSM",) if problem.scenario.rules.onboarding_csm_waits else ())
    by_account: dict[str, list[Handoff]] = defaultdict(list)
    for u in problem.units:
        for h in u.handoffs:
            if (h.onboarding and h.go_live is None and h.role in roles and h.id in starts
                    and h.locked_week is None):
                by_account[h.account_id].append(h)
    return [ScheduleWarning(account, no_go_live_note(hs, min(starts[h.id] for h in hs),
                                                     problem.scenario), NO_GO_LIVE_FIX)
            for account, hs in by_account.items()]


def greedy_schedule(
    handoffs: Sequence[Handoff], context: ScheduleContext, scenario: Scenario
) -> Schedule:
    """The baseline: earliest allowed week in order of urgency, respecting caps and load;
    handoffs that fit nowhere become exceptions. No solver; terms are left to the checker."""
    problem = _prepare(handoffs, context, scenario)
    chosen = _greedy(problem, problem.units)
    starts = _starts(problem.units, chosen)
    exceptions = list(problem.exceptions) + [
        ScheduleException(h.id, "the greedy baseline found no week within the caps")
        for u in problem.units if u.index not in chosen for h in u.handoffs
    ]
    return Schedule(starts, tuple(exceptions), waves(starts, scenario),
                    tuple(w.text for w in problem.warnings) + tuple(problem.notes),
                    warnings=tuple(problem.warnings))
