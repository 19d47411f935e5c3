"""Who owns each (account, role) after the realignment: one CP-SAT model per team.

The problem splits by team (a person belongs to one team), so each team is a part solved
on its own, in parallel threads when there are several parts and workers (CP-SAT releases
the GIL while it searches; each part then gets one worker, which keeps it reproducible).

Per part, a *group* is what must share one owner: a single need, or, for CSM coverage with
``rules.family_same_csm``, all accounts of one parent/child family in the team. Booleans
exist only for eligible (group, person) pairs: the current owner when they may keep it,
and people who may receive new accounts. Large teams get a deterministic candidate list
per group (current owners, family holders, then same-region people, rotated) so the model
stays linear in the number of accounts.

Hard rules: exactly one owner per group (or the "unassigned" slack, which exists only for
groups without strategic or locked accounts, and only when the team is short of capacity),
capacity, locked accounts keep their owner, leavers hold nothing, people away for the whole
horizon receive nothing new, family same CSM.

Objective (named terms, model units = 1/POINT_SCALE of a weight unit):
- move: per need whose owner changes, move + per-ARR + strategic + low health + renewal
  soon + recently moved weights (forced moves are a constant part of this term);
- fit: per need given to a new owner: keep-with-family weight when the new owner holds no
  role on the account or its family today, region weight when the regions differ;
- balance: deviation of each person's load from the team target, where the target is the
  person's capacity times the team's utilization (sum of points / sum of capacity, at most
  1). Shapes measured in ``benchmarks/assign_bench.py --shape``: "deviation" (sum of
  |load - target|, the default), "bands" (the same with 4x weight beyond 10% of
  capacity), "spread" (max minus min of load - target, times team size);
- unassigned: per unassigned need, the unassigned weight plus its ARR in thousands.

How a part is solved (PERFORMANCE.md: the assignment LP is nearly integral):
1. the LP relaxation with GLOP, tightened by two valid cuts that use the part's grain
   (every load is a multiple of the gcd of the groups' points): capacity rounded down to
   the grain, and the chord under |load - target| between the grain multiples around the
   target. With them the LP of the benchmark teams is integral or nearly so;
2. the LP solution rounded (largest x per group, then overloaded people give away their
   least-chosen groups), and the greedy plan; the better feasible one is the hint;
3. CP-SAT from that complete hint for the rest of the part's time, unless the hint
   already meets the LP bound within RELATIVE_GAP. The bound reported is the larger of
   the LP bound and CP-SAT's bound.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.assignment import Assignment, PartStats, Shortfall, Unassigned, utilization_spread
from planner.coverage import Need, coverage_needs, months_between, need_points, released_roles
from planner.domain import POINT_SCALE, Account, Inputs, Person, Team
from planner.scenario import Scenario
from planner.segments import Placement
from planner.teams import TeamPlacement, place_people

log = logging.getLogger(__name__)

BALANCE_SHAPES = ("deviation", "bands", "spread")
#: Teams with more people than this get a candidate list per group of this many people.
PRUNE_ABOVE_PEOPLE = 24
CANDIDATES = 16
#: Stop a part when within this relative gap of its bound.
RELATIVE_GAP = 1e-4
GLOP_PARAMETERS = "use_dual_simplex: true\nperturb_costs_in_dual_simplex: true"
BAND_FRACTION = 0.10
BAND_STEEP = 4

Progress = Callable[[str, int, int, int, float], None]


# --- costs (model side; the checker recomputes them on its own) ---------------------------


def arr_k(account: Account) -> int:
    """ARR in whole thousands (0 when missing)."""
    return round((account.arr or 0.0) / 1000)


def move_units(account: Account, scenario: Scenario) -> int:
    """Weight units of moving one role on ``account`` to another owner."""
    w, rules, start = scenario.objective, scenario.rules, scenario.start
    units = w.move + w.move_per_arr_k * arr_k(account)
    if account.strategic:
        units += w.strategic_move
    if account.health is not None and account.health < rules.low_health_below:
        units += w.low_health_move
    if (
        account.renewal is not None
        and 0 <= (account.renewal - start).days < 7 * rules.renewal_soon_weeks
    ):
        units += w.renewal_soon_move
    if (
        account.last_owner_change is not None
        and months_between(account.last_owner_change, start) < rules.recent_move_months
    ):
        units += w.recent_move
    return units


def family_roots(accounts: dict[str, Account]) -> dict[str, str]:
    """Account id -> id of the top of its parent chain (cycles stop where they repeat)."""
    roots = {}
    for account_id in accounts:
        seen, current = {account_id}, account_id
        while True:
            parent = accounts[current].parent_id
            if not parent or parent not in accounts or parent in seen:
                break
            seen.add(parent)
            current = parent
        roots[account_id] = current
    return roots


@dataclass(slots=True)
class _Context:
    """Look-ups shared by all parts."""

    scenario: Scenario
    accounts: dict[str, Account]
    people: dict[str, Person]
    teams: dict[str, TeamPlacement]
    roots: dict[str, str]
    family_holders: dict[str, set[str]]
    pins: dict[tuple[str, str], str] = field(default_factory=dict)
    previous: dict[tuple[str, str], str] = field(default_factory=dict)

    def fit_units(self, need: Need, person_id: str) -> int:
        """Weight units of giving ``need`` to a new owner ``person_id``."""
        w = self.scenario.objective
        account = self.accounts[need.account_id]
        units = 0
        if person_id not in self.family_holders.get(self.roots[account.id], ()):
            units += w.keep_with_family
        region = self.people[person_id].region
        if account.region and region and account.region.casefold() != region.casefold():
            units += w.region_mismatch
        return units


def _context(inputs: Inputs, scenario: Scenario, teams: dict[str, TeamPlacement]) -> _Context:
    accounts = {a.id: a for a in inputs.accounts}
    roots = family_roots(accounts)
    holders: dict[str, set[str]] = {}
    for account in inputs.accounts:
        holders.setdefault(roots[account.id], set()).update(o for o in account.owners.values() if o)
    return _Context(scenario, accounts, {p.id: p for p in inputs.people}, teams, roots, holders)


# --- parts ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Group:
    """Needs that must share one owner, with their candidates and costs per candidate."""

    needs: tuple[Need, ...]
    points: int
    cands: list[int]
    move: list[int]
    fit: list[int]
    slack: bool
    u_move: int
    u_cost: int
    locked: bool
    strategic: bool


@dataclass(slots=True)
class Part:
    """One team's assignment problem."""

    team: Team
    people: list[str]
    capacity: list[int]
    target: list[int]
    groups: list[Group]
    total_points: int
    notes: list[str] = field(default_factory=list)
    need_grain: int = 1  # gcd of the single needs' points: every load is a multiple of it

    @property
    def label(self) -> str:
        return self.team.label

    @property
    def grain(self) -> int:
        """Greatest common divisor of the groups' points: every load is a multiple of it."""
        return math.gcd(*(g.points for g in self.groups)) or 1

    def usable(self, c: int) -> int:
        """Capacity of person ``c`` rounded down to the grain (a valid, tighter capacity)."""
        return self.capacity[c] // self.grain * self.grain

    @property
    def short(self) -> bool:
        """The team cannot hold its accounts: loads come in multiples of the accounts'
        common points, so a person's capacity is only usable down to such a multiple."""
        return self.total_points > usable_capacity(self.capacity, self.need_grain)

    @property
    def variables(self) -> int:
        return sum(len(g.cands) + g.slack for g in self.groups)


def usable_capacity(capacity: list[int], grain: int) -> int:
    """Total capacity a team can fill with loads that are multiples of ``grain``."""
    return sum(c // grain * grain for c in capacity)


def _targets(capacity: list[int], total: int) -> list[int]:
    """Balance target per person: capacity x team utilization (capped at 100%)."""
    cap = sum(capacity)
    if cap <= 0:
        return [0] * len(capacity)
    return [round(c * min(total, cap) / cap) for c in capacity]


def build_parts(
    ctx: _Context, needs: tuple[Need, ...], max_candidates: int | None = None
) -> list[Part]:
    """One Part per team that has needs, in segment then role order."""
    by_team: dict[Team, list[Need]] = {}
    for need in needs:
        by_team.setdefault(Team(need.segment, need.role), []).append(need)
    members: dict[Team, list[str]] = {}
    for pid in sorted(ctx.teams):
        placement = ctx.teams[pid]
        if placement.team is not None and placement.can_keep:
            members.setdefault(placement.team, []).append(pid)
    order = {s: i for i, s in enumerate(ctx.scenario.segment_names)}
    parts = []
    for team in sorted(by_team, key=lambda t: (order.get(t.segment, 99), t.role)):
        people = members.get(team, [])
        capacity = [ctx.teams[p].capacity for p in people]
        team_needs = by_team[team]
        total = sum(n.points for n in team_needs)
        part = Part(team, people, capacity, _targets(capacity, total), [], total,
                    need_grain=math.gcd(*(n.points for n in team_needs)) or 1)
        limit = max_candidates
        if limit is None:
            limit = CANDIDATES if len(people) > PRUNE_ABOVE_PEOPLE else 0
        part.groups = _groups(ctx, part, team_needs, limit)
        parts.append(part)
    return parts


def _eligible(
    ctx: _Context, part: Part, need: Need, index: dict[str, int]
) -> tuple[list[int], bool]:
    """Person indexes that may own ``need``, and whether a lock binds it to its owner."""
    account = ctx.accounts[need.account_id]
    pinned = ctx.pins.get(need.key)
    if pinned is not None:
        if pinned in index:
            return [index[pinned]], True
        part.notes.append(f"{account.id} {need.role}: locked owner {pinned} is not in {part.label}")
    owner = account.owners.get(need.role)
    keeper = index.get(owner) if owner else None
    if account.locked:
        if keeper is not None:
            return [keeper], True
        part.notes.append(
            f"{account.id} {need.role}: lock cannot be honoured, owner {owner or 'none'} "
            f"is not in {part.label}"
        )
    receivers = {i for i, p in enumerate(part.people) if ctx.teams[p].can_receive}
    if keeper is not None:
        receivers.add(keeper)
    return sorted(receivers), False


def _groups(ctx: _Context, part: Part, needs: list[Need], limit: int) -> list[Group]:
    """Groups of the part: families for CSM when family_same_csm, else single needs."""
    index = {p: i for i, p in enumerate(part.people)}
    eligible = {n.key: _eligible(ctx, part, n, index) for n in needs}
    families: dict[str, list[Need]] = {}
    for need in needs:
        family = need.role == "CSM" and ctx.scenario.rules.family_same_csm
        key = ctx.roots[need.account_id] if family else f"{need.account_id}\0{need.role}"
        families.setdefault(key, []).append(need)
    bundles: list[list[Need]] = []
    for key in sorted(families):
        members = families[key]
        common = set.intersection(*(set(eligible[n.key][0]) for n in members))
        if len(members) > 1 and not common:
            part.notes.append(f"family {key}: no one may hold all its accounts; split")
            bundles.extend([n] for n in members)
        else:
            bundles.append(members)
    groups = []
    for position, members in enumerate(bundles):
        cands = sorted(set.intersection(*(set(eligible[n.key][0]) for n in members)))
        locked = any(eligible[n.key][1] for n in members)
        if limit and len(cands) > limit:
            cands = _prune(ctx, part, members, cands, limit, position)
        groups.append(_group(ctx, part, tuple(members), cands, locked))
    return groups


def _prune(ctx, part, members, cands, limit, position) -> list[int]:
    """Current owners and family holders, then same-region people, then others, rotated."""
    owners = {ctx.accounts[n.account_id].owners.get(n.role) for n in members}
    holders = ctx.family_holders.get(ctx.roots[members[0].account_id], set())
    must = [c for c in cands if part.people[c] in owners or part.people[c] in holders]
    region = ctx.accounts[members[0].account_id].region.casefold()
    rest = [c for c in cands if c not in must]
    same = [c for c in rest if ctx.people[part.people[c]].region.casefold() == region]
    other = [c for c in rest if ctx.people[part.people[c]].region.casefold() != region]
    chosen = list(must)
    for pool in (same, other):
        if pool:
            shift = (position * 7) % len(pool)
            chosen.extend((pool[shift:] + pool[:shift])[: max(0, limit - len(chosen))])
    return sorted(set(chosen))


def _group(
    ctx: _Context, part: Part, members: tuple[Need, ...], cands: list[int], locked: bool
) -> Group:
    """Costs per candidate for a group of needs."""
    moves = [(n, ctx.accounts[n.account_id]) for n in members]
    move, fit = [], []
    for c in cands:
        pid = part.people[c]
        m = f = 0
        for need, account in moves:
            owner = account.owners.get(need.role)
            earlier = ctx.previous.get(need.key)
            if earlier is not None and pid != earlier:
                f += ctx.scenario.objective.previous_change  # re-plan: keep the last plan
            if pid != owner:
                f += ctx.fit_units(need, pid)
                if owner:
                    m += move_units(account, ctx.scenario)
        move.append(m)
        fit.append(f)
    strategic = any(a.strategic for _, a in moves)
    w = ctx.scenario.objective
    return Group(
        needs=members,
        points=sum(n.points for n in members),
        cands=cands,
        move=move,
        fit=fit,
        slack=not cands or (part.short and not strategic and not locked),
        u_move=sum(move_units(a, ctx.scenario) for n, a in moves if a.owners.get(n.role)),
        u_cost=sum(w.unassigned + w.move_per_arr_k * arr_k(a) for _, a in moves),
        locked=locked,
        strategic=strategic,
    )


# --- evaluation, greedy ------------------------------------------------------------------


def evaluate(part: Part, choice: list[int], scenario: Scenario, shape: str) -> dict[str, int]:
    """Term costs (model units) of a choice (candidate position per group, -1 = unassigned)."""
    move = fit = unassigned = 0
    loads = [0] * len(part.people)
    for g, pos in zip(part.groups, choice, strict=True):
        if pos < 0:
            move += g.u_move
            unassigned += g.u_cost
        else:
            move += g.move[pos]
            fit += g.fit[pos]
            loads[g.cands[pos]] += g.points
    balance = balance_value(loads, part.target, part.capacity, shape)
    return {
        "move": move * POINT_SCALE,
        "fit": fit * POINT_SCALE,
        "balance": balance * scenario.objective.balance,
        "unassigned": unassigned * POINT_SCALE,
    }


def balance_value(loads: list[int], target: list[int], capacity: list[int], shape: str) -> int:
    """The balance expression's value (scaled points) for given loads."""
    devs = [load - t for load, t in zip(loads, target, strict=True)]
    if not devs:
        return 0
    if shape == "spread":
        return (max(devs) - min(devs)) * len(devs)
    if shape == "bands":
        total = 0
        for dev, cap in zip(devs, capacity, strict=True):
            band = int(cap * BAND_FRACTION)
            total += min(abs(dev), band) + BAND_STEEP * max(0, abs(dev) - band)
        return total
    return sum(abs(d) for d in devs)


def greedy(part: Part) -> list[int]:
    """Baseline: keep the owner when allowed and room remains, else the least-loaded candidate.

    Locked groups first, then keeps, then the rest by points (largest first).
    """
    loads = [0] * len(part.people)
    choice = [-1] * len(part.groups)
    keep_first = sorted(
        range(len(part.groups)),
        key=lambda i: (
            not part.groups[i].locked,
            min(part.groups[i].move, default=1) > 0,
            -part.groups[i].points,
            i,
        ),
    )
    for i in keep_first:
        g = part.groups[i]
        if not g.cands:
            continue
        room = [p for p, c in enumerate(g.cands) if loads[c] + g.points <= part.capacity[c]]
        keeps = [p for p in range(len(g.cands)) if g.move[p] == 0] if g.u_move else []
        pos = None
        if g.locked:
            pos = 0
        elif keeps and keeps[0] in room:
            pos = keeps[0]
        elif room:
            pos = min(
                room,
                key=lambda p: (
                    (loads[g.cands[p]] + g.points) / max(1, part.capacity[g.cands[p]]),
                    g.move[p] + g.fit[p],
                    p,
                ),
            )
        elif not g.slack:
            pos = min(
                range(len(g.cands)),
                key=lambda p: (loads[g.cands[p]] / max(1, part.capacity[g.cands[p]]), p),
            )
        if pos is not None:
            choice[i] = pos
            loads[g.cands[pos]] += g.points
    return choice


# --- CP-SAT ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Model:
    model: cp_model.CpModel
    x: list[list[cp_model.IntVar]]
    u: list[cp_model.IntVar | None]
    terms: list[tuple[str, cp_model.LinearExpr, int]]
    aux: list[tuple] = field(default_factory=list)  # per person: (over, under, bands or None)
    spread: tuple = ()  # (zmax, zmin) for the "spread" shape


def add_choice(model: cp_model.CpModel, part: Part) -> tuple[list, list]:
    """Exactly one owner per group, or the unassigned slack where the group allows it."""
    x = [[model.new_bool_var(f"x{i}_{c}") for c in g.cands] for i, g in enumerate(part.groups)]
    u = [model.new_bool_var(f"u{i}") if g.slack else None for i, g in enumerate(part.groups)]
    for xs, slack in zip(x, u, strict=True):
        model.add_exactly_one(xs + ([slack] if slack is not None else []))
    return x, u


def add_capacity(model: cp_model.CpModel, part: Part, x: list) -> list:
    """Load of each person (scaled points) stays within capacity; returns the load expressions."""
    terms: list[list] = [[] for _ in part.people]
    for g, xs in zip(part.groups, x, strict=True):
        for c, var in zip(g.cands, xs, strict=True):
            terms[c].append((var, g.points))
    loads = []
    for c, items in enumerate(terms):
        load = cp_model.LinearExpr.weighted_sum([v for v, _ in items], [p for _, p in items])
        if items:
            model.add(load <= part.usable(c))
        loads.append(load)
    return loads


def add_balance(
    model: cp_model.CpModel, part: Part, loads: list, shape: str, aux: list, spread: list
):
    """Balance expression (scaled points) of the chosen shape over the team's people.

    Fills ``aux`` with each person's (over, under, bands) variables and ``spread`` with
    (zmax, zmin), so that a hint can be made complete.
    """
    if not part.people:
        return cp_model.LinearExpr.constant(0)
    devs = []
    for c, load in enumerate(loads):
        cap, t = part.capacity[c], part.target[c]
        hi = max(cap, t) + 1
        if shape == "spread":
            devs.append(load - t)
            continue
        over, under = model.new_int_var(0, hi, f"over{c}"), model.new_int_var(0, hi, f"under{c}")
        model.add(load - t == over - under)
        if shape == "bands":
            band = int(cap * BAND_FRACTION)
            o1, u1 = model.new_int_var(0, band, f"o1_{c}"), model.new_int_var(0, band, f"u1_{c}")
            o2, u2 = model.new_int_var(0, hi, f"o2_{c}"), model.new_int_var(0, hi, f"u2_{c}")
            model.add(over == o1 + o2)
            model.add(under == u1 + u2)
            devs.append(o1 + u1 + BAND_STEEP * (o2 + u2))
            aux.append((over, under, (o1, u1, o2, u2)))
        else:
            devs.append(over + under)
            aux.append((over, under, None))
            a, b, grain = _chord(t, part.grain)
            if grain:
                model.add(grain * (over + under) >= grain * (t - a) + (load - a) * (a + b - 2 * t))
    if shape == "spread":
        lo = -max(part.target) - 1
        hi = max(part.capacity) + 1
        zmax, zmin = model.new_int_var(lo, hi, "zmax"), model.new_int_var(lo, hi, "zmin")
        for d in devs:
            model.add(zmax >= d)
            model.add(zmin <= d)
        spread.extend((zmax, zmin))
        return (zmax - zmin) * len(devs)
    return sum(devs)


def _chord(target: int, grain: int) -> tuple[int, int, int]:
    """Multiples a <= target < b = a + grain of the grain around the target (grain 0: no cut).

    Loads are multiples of the grain, so |load - target| lies above the chord through
    (a, target - a) and (b, b - target): a valid cut that tightens the LP relaxation.
    """
    if grain <= 1:
        return 0, 0, 0
    a = target // grain * grain
    return a, a + grain, grain


def build_model(part: Part, scenario: Scenario, shape: str) -> _Model:
    """The part's CP-SAT model: choice, capacity, balance; objective as named terms."""
    model = cp_model.CpModel()
    x, u = add_choice(model, part)
    loads = add_capacity(model, part, x)
    aux: list = []
    spread: list = []
    balance = add_balance(model, part, loads, shape, aux, spread)
    move, fit, unassigned = [], [], []
    for g, xs, slack in zip(part.groups, x, u, strict=True):
        move += [(v, m) for v, m in zip(xs, g.move, strict=True) if m]
        fit += [(v, f) for v, f in zip(xs, g.fit, strict=True) if f]
        if slack is not None:
            if g.u_move:
                move.append((slack, g.u_move))
            unassigned.append((slack, g.u_cost))

    def wsum(items):
        return cp_model.LinearExpr.weighted_sum([v for v, _ in items], [c for _, c in items])

    terms = [
        ("move", wsum(move), POINT_SCALE),
        ("fit", wsum(fit), POINT_SCALE),
        ("balance", balance, scenario.objective.balance),
        ("unassigned", wsum(unassigned), POINT_SCALE),
    ]
    model.minimize(sum(expr * weight for _, expr, weight in terms))
    return _Model(model, x, u, terms, aux, tuple(spread))


@dataclass(slots=True)
class PartResult:
    part: Part
    choice: list[int]
    stats: PartStats
    terms: dict[str, int]


def solve_part(
    part: Part, scenario: Scenario, shape: str, workers: int, time_limit: float
) -> PartResult:
    """Solve one part: LP relaxation (bound and rounded plan), then CP-SAT from the best hint.

    The hint is the better of the greedy plan and the rounded LP plan. CP-SAT is skipped
    when the hint already meets the LP bound within RELATIVE_GAP. The reported terms are
    recomputed from the chosen plan (a non-optimal CP-SAT solution may carry slack in its
    balance variables).
    """
    began = time.perf_counter()
    notes = list(part.notes)
    if not part.groups or not part.people:
        choice = greedy(part)
        terms = evaluate(part, choice, scenario, shape)
        total = sum(terms.values())
        stats = PartStats(
            part.label,
            "EMPTY",
            total,
            total,
            0.0,
            _n_needs(part),
            len(part.people),
            0,
            "; ".join(notes),
        )
        return PartResult(part, choice, stats, terms)
    lp_value, values = lp_relaxation(part, scenario, shape)
    bound = math.ceil(lp_value - 1e-6) if values is not None else 0
    plans = [("greedy", greedy(part))]
    if values is not None:
        plans.append(("LP rounding", round_lp(part, values)))
    scored = sorted(
        (
            (not feasible(part, c), sum(evaluate(part, c, scenario, shape).values()), k, name, c)
            for k, (name, c) in enumerate(plans)
        ),
    )
    infeasible_hint, cost, _, source, choice = scored[0]
    status = "FEASIBLE"
    left = time_limit - (time.perf_counter() - began)
    if infeasible_hint or cost - bound > RELATIVE_GAP * cost:
        found = _cpsat(part, scenario, shape, workers, max(0.1, left), choice)
        if found is not None:
            cp_status, cp_choice, cp_bound = found
            bound = max(bound, cp_bound)
            cp_cost = sum(evaluate(part, cp_choice, scenario, shape).values())
            if cp_cost <= cost or infeasible_hint:
                choice, cost, source, status = cp_choice, cp_cost, "CP-SAT", cp_status
                infeasible_hint = False
        if infeasible_hint and _release_strategic(part):
            log.warning("%s: strategic and locked accounts exceed capacity", part.label)
            return solve_part(
                part, scenario, shape, workers, time_limit - (time.perf_counter() - began)
            )
        if infeasible_hint:
            notes.append("no feasible plan found: greedy plan used, check the capacity")
            log.warning("%s: no feasible plan found; greedy plan used", part.label)
            status = "INFEASIBLE"
    if cost <= bound and not infeasible_hint:
        status = "OPTIMAL"
    terms = evaluate(part, choice, scenario, shape)
    seconds = time.perf_counter() - began
    notes.append(f"plan from {source}")
    stats = PartStats(
        part.label,
        status,
        cost,
        min(bound, cost),
        round(seconds, 3),
        _n_needs(part),
        len(part.people),
        part.variables,
        "; ".join(notes),
    )
    log.info(
        "%s: %s objective %d bound %d in %.2fs (%d vars, %s)",
        part.label,
        status,
        cost,
        stats.bound,
        seconds,
        part.variables,
        source,
    )
    return PartResult(part, choice, stats, terms)


def _release_strategic(part: Part) -> bool:
    """Allow the slack on strategic groups when strategic and locked work alone exceeds capacity.

    Returns True when something changed (the part is then solved again). The plan then
    lists strategic accounts as unassigned: a leader must add people or move accounts.
    """
    must = sum(g.points for g in part.groups if g.strategic or g.locked)
    if must <= sum(part.capacity):
        return False
    changed = False
    for g in part.groups:
        if g.strategic and not g.locked and not g.slack:
            g.slack = changed = True
    if changed:
        part.notes.append(
            f"{part.label}: strategic and locked accounts alone exceed capacity; "
            "some strategic accounts are left for a decision"
        )
    return changed


def _cpsat(
    part: Part, scenario: Scenario, shape: str, workers: int, time_limit: float, hint: list[int]
) -> tuple[str, list[int], int] | None:
    """CP-SAT on the part from a complete hint: (status, choice, bound), or None if no solution."""
    built = build_model(part, scenario, shape)
    loads = [0] * len(part.people)
    for g, xs, slack, pos in zip(part.groups, built.x, built.u, hint, strict=True):
        for p, var in enumerate(xs):
            built.model.add_hint(var, p == pos)
        if slack is not None:
            built.model.add_hint(slack, pos < 0)
        if pos >= 0:
            loads[g.cands[pos]] += g.points
    _hint_balance(built, part, loads, shape)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = scenario.solver.seed
    solver.parameters.relative_gap_limit = RELATIVE_GAP
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is the CLI's (planner.cli)
    status = solver.solve(built.model)
    log.debug("%s: %s", part.label, solver.response_stats())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.info("%s: CP-SAT %s", part.label, solver.status_name(status))
        return None
    choice = [_chosen(solver, xs, slack) for xs, slack in zip(built.x, built.u, strict=True)]
    return solver.status_name(status), choice, math.ceil(solver.best_objective_bound - 1e-6)


def _hint_balance(built: _Model, part: Part, loads: list[int], shape: str) -> None:
    """Hint the balance variables consistently with the hinted loads (a complete hint)."""
    devs = [load - t for load, t in zip(loads, part.target, strict=True)]
    for c, (over, under, bands) in enumerate(built.aux):
        dev = devs[c]
        built.model.add_hint(over, max(dev, 0))
        built.model.add_hint(under, max(-dev, 0))
        if bands:
            o1, u1, o2, u2 = bands
            band = int(part.capacity[c] * BAND_FRACTION)
            built.model.add_hint(o1, min(max(dev, 0), band))
            built.model.add_hint(o2, max(dev - band, 0))
            built.model.add_hint(u1, min(max(-dev, 0), band))
            built.model.add_hint(u2, max(-dev - band, 0))
    if built.spread and devs:
        built.model.add_hint(built.spread[0], max(devs))
        built.model.add_hint(built.spread[1], min(devs))


def _n_needs(part: Part) -> int:
    return sum(len(g.needs) for g in part.groups)


def _chosen(solver: cp_model.CpSolver, xs: list, slack) -> int:
    for p, var in enumerate(xs):
        if solver.boolean_value(var):
            return p
    return -1


# --- LP relaxation --------------------------------------------------------------------------


def lp_bound_part(part: Part, scenario: Scenario, shape: str) -> float:
    """Optimal value of the part's LP relaxation (GLOP): a lower bound on its objective."""
    if not part.groups or not part.people:
        return float(sum(evaluate(part, greedy(part), scenario, shape).values()))
    return lp_relaxation(part, scenario, shape)[0]


def lp_relaxation(
    part: Part, scenario: Scenario, shape: str
) -> tuple[float, list[list[float]] | None]:
    """The part's LP relaxation with GLOP: (optimal value, x values per group and candidate)."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    # Measured on the benchmark's largest team (315k columns): primal simplex 64 s, dual
    # simplex 20 s, dual simplex with perturbed costs 7 s, same optimum.
    lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    xs: list[list] = []
    objective = lp.Objective()
    per_person: list[list] = [[] for _ in part.people]
    w_bal = scenario.objective.balance
    for g in part.groups:
        row = lp.Constraint(1, 1)
        xs.append([])
        for p, c in enumerate(g.cands):
            v = lp.NumVar(0, 1, "")
            xs[-1].append(v)
            row.SetCoefficient(v, 1)
            objective.SetCoefficient(v, (g.move[p] + g.fit[p]) * POINT_SCALE)
            per_person[c].append((v, g.points))
        if g.slack:
            v = lp.NumVar(0, 1, "")
            row.SetCoefficient(v, 1)
            objective.SetCoefficient(v, (g.u_move + g.u_cost) * POINT_SCALE)
    inf = lp.infinity()
    zmax = zmin = None
    if shape == "spread":
        zmax, zmin = lp.NumVar(-inf, inf, ""), lp.NumVar(-inf, inf, "")
        objective.SetCoefficient(zmax, w_bal * len(part.people))
        objective.SetCoefficient(zmin, -w_bal * len(part.people))
    for c, items in enumerate(per_person):
        cap, t = part.capacity[c], part.target[c]
        capacity = lp.Constraint(-inf, part.usable(c))
        for v, pts in items:
            capacity.SetCoefficient(v, pts)
        if shape == "spread":
            upper, lower = lp.Constraint(-inf, t), lp.Constraint(t, inf)
            upper.SetCoefficient(zmax, -1)  # load - zmax <= t
            lower.SetCoefficient(zmin, -1)  # load - zmin >= t
            for v, pts in items:
                upper.SetCoefficient(v, pts)
                lower.SetCoefficient(v, pts)
            continue
        bands = (
            [(int(cap * BAND_FRACTION), 1), (inf, BAND_STEEP)] if shape == "bands" else [(inf, 1)]
        )
        dev_vars = []
        for direction in (1, -1):  # over: sum(d) >= load - t ; under: sum(d) >= t - load
            row = lp.Constraint(-direction * t, inf)
            for v, pts in items:
                row.SetCoefficient(v, -direction * pts)
            for size, slope in bands:
                d = lp.NumVar(0, size, "")
                row.SetCoefficient(d, 1)
                objective.SetCoefficient(d, w_bal * slope)
                dev_vars.append(d)
        a, b, grain = _chord(t, part.grain)
        if shape == "deviation" and grain:  # grain*dev - (a+b-2t)*load >= grain*(t-a) - a*(a+b-2t)
            row = lp.Constraint(grain * (t - a) - a * (a + b - 2 * t), inf)
            for d in dev_vars:
                row.SetCoefficient(d, grain)
            for v, pts in items:
                row.SetCoefficient(v, -(a + b - 2 * t) * pts)
    objective.SetMinimization()
    status = lp.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        log.warning("%s: LP relaxation status %s", part.label, status)
        return 0.0, None
    return objective.Value(), [[v.solution_value() for v in row] for row in xs]


def round_lp(part: Part, values: list[list[float]]) -> list[int]:
    """Integer plan from LP values: the largest x per group, then moves off overloaded people.

    Groups whose largest x is under 1/2 (unassigned in the LP) stay unassigned only when
    they may; overloaded people give their smallest-x groups to candidates with room.
    """
    loads = [0] * len(part.people)
    choice = [-1] * len(part.groups)
    for i, (g, row) in enumerate(zip(part.groups, values, strict=True)):
        if not row:
            continue
        pos = max(range(len(row)), key=lambda p: (row[p], -p))
        if g.slack and row[pos] < 0.5 and sum(row) < 0.5:
            continue
        choice[i] = pos
        loads[g.cands[pos]] += g.points
    by_person: dict[int, list[int]] = {}
    for i, pos in enumerate(choice):
        if pos >= 0:
            by_person.setdefault(part.groups[i].cands[pos], []).append(i)
    for c in range(len(part.people)):
        mine = sorted(by_person.get(c, []), key=lambda i: (values[i][choice[i]], -i))
        for i in mine:
            if loads[c] <= part.capacity[c]:
                break
            g = part.groups[i]
            if g.locked:
                continue
            room = [
                p
                for p, d in enumerate(g.cands)
                if d != c and loads[d] + g.points <= part.capacity[d]
            ]
            if room:
                pos = min(room, key=lambda p: (g.move[p] + g.fit[p], loads[g.cands[p]], p))
            elif g.slack:
                pos = -1
            else:
                continue
            loads[c] -= g.points
            choice[i] = pos
            if pos >= 0:
                loads[g.cands[pos]] += g.points
    return choice


def feasible(part: Part, choice: list[int]) -> bool:
    """Capacity and the no-slack rule hold for a choice."""
    loads = [0] * len(part.people)
    for g, pos in zip(part.groups, choice, strict=True):
        if pos < 0:
            if not g.slack:
                return False
        else:
            loads[g.cands[pos]] += g.points
    return all(load <= cap for load, cap in zip(loads, part.capacity, strict=True))


# --- the stage ------------------------------------------------------------------------------


def assign(
    inputs: Inputs,
    placements: dict[str, Placement],
    scenario: Scenario,
    progress: Progress | None = None,
    *,
    balance_shape: str = "deviation",
    max_candidates: int | None = None,
    method: str = "cpsat",
    pins: dict[tuple[str, str], str] | None = None,
    previous: dict[tuple[str, str], str] | None = None,
) -> Assignment:
    """Decide the owner of every covered (account, role); see the module doc for the model.

    progress(stage, part_index, n_parts, best_objective, gap) is called as parts finish.
    method: "cpsat" (the model) or "greedy" (the baseline, for benchmarks and comparison).
    pins: (account id, role) -> owner a manager locked in a previous plan; kept like a lock.
    previous: (account id, role) -> owner in the previous plan; choosing anyone else costs
        ``[objective] previous_change`` (counted in the "fit" term).
    """
    if balance_shape not in BALANCE_SHAPES:
        raise ValueError(f"balance_shape {balance_shape!r}: expected one of {BALANCE_SHAPES}")
    began = time.perf_counter()
    needs = coverage_needs(inputs, placements, scenario)
    teams = place_people(inputs, placements, scenario, needs)
    ctx = _context(inputs, scenario, teams)
    ctx.pins = dict(pins or {})
    ctx.previous = dict(previous or {})
    parts = build_parts(ctx, needs, max_candidates)
    log.info(
        "assignment: %d needs in %d parts, %d variables",
        len(needs),
        len(parts),
        sum(p.variables for p in parts),
    )
    if method == "greedy":
        results = [_greedy_result(p, scenario, balance_shape) for p in parts]
    else:
        spent = time.perf_counter() - began
        results = _solve_all(parts, scenario, balance_shape, progress, spent)
        results = [_without_shortlist(r, ctx, needs, scenario, balance_shape) for r in results]
    return _assemble(
        inputs,
        placements,
        scenario,
        ctx,
        needs,
        results,
        balance_shape,
        time.perf_counter() - began,
    )


def lp_relaxation_bound(
    inputs: Inputs,
    placements: dict[str, Placement],
    scenario: Scenario,
    *,
    balance_shape: str = "deviation",
    max_candidates: int | None = None,
) -> float:
    """Sum over parts of the LP relaxation value (max_candidates=0: the full model)."""
    needs = coverage_needs(inputs, placements, scenario)
    ctx = _context(inputs, scenario, place_people(inputs, placements, scenario, needs))
    return sum(
        lp_bound_part(p, scenario, balance_shape) for p in build_parts(ctx, needs, max_candidates)
    )


def _greedy_result(part: Part, scenario: Scenario, shape: str) -> PartResult:
    began = time.perf_counter()
    choice = greedy(part)
    terms = evaluate(part, choice, scenario, shape)
    total = sum(terms.values())
    stats = PartStats(
        part.label,
        "GREEDY",
        total,
        0,
        round(time.perf_counter() - began, 3),
        _n_needs(part),
        len(part.people),
        part.variables,
        "; ".join(part.notes),
    )
    return PartResult(part, choice, stats, terms)


def _without_shortlist(
    result: PartResult, ctx: _Context, needs: tuple[Need, ...], scenario: Scenario, shape: str
) -> PartResult:
    """Solve a team again with every member as a candidate when its shortlist proved too
    narrow (no plan within capacity): shortlists keep large teams fast, never infeasible."""
    pruned = any(len(g.cands) < len(result.part.people) for g in result.part.groups)
    if result.stats.status != "INFEASIBLE" or not pruned:
        return result
    log.warning("%s: shortlist too narrow; solving with every member as a candidate",
                result.part.label)
    team = result.part.team
    (part,) = build_parts(ctx, tuple(n for n in needs if Team(n.segment, n.role) == team), 0)
    return solve_part(part, scenario, shape, max(1, scenario.solver.workers),
                      max(5.0, scenario.solver.time_limit_s))


def _solve_all(
    parts: list[Part],
    scenario: Scenario,
    shape: str,
    progress: Progress | None,
    spent: float = 0.0,
) -> list[PartResult]:
    """Solve every part: threads with one worker each when several parts share the workers.

    The scenario's time limit covers the whole stage: ``spent`` (building) is taken off,
    and each part gets a share of the rest proportional to its variables.
    """
    workers = max(1, scenario.solver.workers)
    total_vars = max(1, sum(p.variables for p in parts))
    limit = max(1.0, scenario.solver.time_limit_s - spent)  # the stage's budget

    def part_limit(part: Part, threads: int) -> float:
        share = part.variables / total_vars
        return min(limit, max(1.0, limit * threads * share))

    results: list[PartResult | None] = [None] * len(parts)
    best = 0
    if workers == 1 or len(parts) <= 1:
        for k, part in enumerate(parts):
            results[k] = solve_part(part, scenario, shape, workers, part_limit(part, 1))
            best += results[k].stats.objective
            if progress:
                progress("assign", k + 1, len(parts), best, results[k].stats.gap)
        return [r for r in results if r is not None]
    # Biggest parts first so that the threads finish together.
    order = sorted(range(len(parts)), key=lambda i: -parts[i].variables)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(solve_part, parts[i], scenario, shape, 1, part_limit(parts[i], workers)): i
            for i in order
        }
        for k, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            results[i] = future.result()
            best += results[i].stats.objective
            if progress:
                progress("assign", k, len(parts), best, results[i].stats.gap)
    return [r for r in results if r is not None]


def _assemble(inputs, placements, scenario, ctx, needs, results, shape, seconds) -> Assignment:
    """Turn part choices into the Assignment result with loads, spreads and shortfalls."""
    owners: dict[tuple[str, str], str] = {}
    unassigned: list[Unassigned] = []
    shortfalls: list[Shortfall] = []
    terms = {"move": 0, "fit": 0, "balance": 0, "unassigned": 0}
    notes: list[str] = []
    for result in results:
        part = result.part
        for name, value in result.terms.items():
            terms[name] += value
        notes.extend(part.notes)
        for g, pos in zip(part.groups, result.choice, strict=True):
            for need in g.needs:
                if pos >= 0:
                    owners[need.key] = part.people[g.cands[pos]]
                else:
                    unassigned.append(_unassigned(ctx, part, g, need))
        if part.short:
            usable = usable_capacity(part.capacity, part.need_grain)
            points = (part.total_points - usable) / POINT_SCALE
            full = scenario.workload.full_time_points.get(part.team.role, 100.0)
            shortfalls.append(Shortfall(part.label, points, points / full))
    capacity = {pid: t.capacity for pid, t in ctx.teams.items() if t.team is not None}
    before = load_before(inputs, placements, scenario, ctx.teams)
    after: dict[str, int] = dict.fromkeys(capacity, 0)
    by_key = {n.key: n for n in needs}
    for key, pid in owners.items():
        after[pid] = after.get(pid, 0) + by_key[key].points
    spread_before, spread_after = {}, {}
    for result in results:
        people = result.part.people
        spread_before[result.part.label] = utilization_spread(before, capacity, people)
        spread_after[result.part.label] = utilization_spread(after, capacity, people)
    return Assignment(
        teams=ctx.teams,
        needs=needs,
        owners=owners,
        unassigned=tuple(sorted(unassigned, key=lambda u: (u.account_id, u.role))),
        shortfalls=tuple(shortfalls),
        released=released_roles(inputs, placements, scenario),
        load_before=before,
        load_after=after,
        capacity=capacity,
        spread_before=spread_before,
        spread_after=spread_after,
        stages=tuple(r.stats for r in results),
        terms=terms,
        balance_shape=shape,
        notes=tuple(notes),
        seconds=round(seconds, 3),
        pins=dict(ctx.pins),
        previous=dict(ctx.previous),
    )


def _unassigned(ctx: _Context, part: Part, g: Group, need: Need) -> Unassigned:
    account = ctx.accounts[need.account_id]
    if not g.cands:
        reason = f"no one in {part.label} can take it"
    else:
        reason = f"{part.label} capacity short; lowest priority (ARR {account.arr or 0:,.0f})"
    return Unassigned(need.account_id, need.role, part.label, need.points / POINT_SCALE, reason)


def load_before(
    inputs: Inputs,
    placements: dict[str, Placement],
    scenario: Scenario,
    teams: dict[str, TeamPlacement],
) -> dict[str, int]:
    """Scaled points each person holds today, valued at the accounts' new segment points."""
    loads = {pid: 0 for pid, t in teams.items() if t.team is not None}
    for account in inputs.accounts:
        placement = placements.get(account.id)
        if placement is None or placement.segment is None:
            continue
        for role, owner in account.owners.items():
            if owner in loads:
                loads[owner] += need_points(placement.segment, role, scenario)
    return loads
