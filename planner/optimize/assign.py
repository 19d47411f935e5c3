"""Who owns each (account, role) after the realignment: one CP-SAT model per team.

The problem splits by team (a person belongs to one team), so each team is a part solved
on its own, in parallel threads when there are several parts and workers (CP-SAT releases
the GIL while it searches; each part then gets one worker, which keeps it reproducible).

Per part, a *group* is what must share one owner: a single need, or, for CSM coverage with
``rules.family_same_csm``, all accounts of one parent/child family in the team. A family
that no single person can hold (its points exceed everyone's capacity beside the accounts
locked to them, or no one may hold all of it) is split into single needs and listed
(``Assignment.splits``). Booleans exist only for eligible (group, person) pairs: the
current owner when they may keep it, and people who may receive new accounts, in both
cases only when the group fits beside the accounts locked to that person. Teams of more
than PRUNE_ABOVE_PEOPLE people get a shortlist of CANDIDATES people per group (current
owners, family holders, the previous plan's owner, then same-region people, rotated).

Hard rules: exactly one owner per group, or the "unassigned, needs a decision" slack;
capacity; locked accounts keep their owner (a person whose locked accounts alone exceed
their capacity keeps them, receives nothing else, and is listed in
``Assignment.overloads``); leavers hold nothing; people away for the whole horizon receive
nothing new; family same CSM. The slack exists for every group that is neither locked nor
strategic (it costs the ``unassigned`` weight, so it is used only when the team cannot hold
the group), and for groups no one can take. Strategic groups get it only when their team's
strategic and locked work cannot all be placed, and then only for a group that fits no
eligible person beside the strategic and locked accounts that person holds. After solving,
an unassigned group is given to anyone with room for it (a plan never leaves an account
waiting while someone eligible could take it).

Objective (named terms; model units = weight units x POINT_SCALE):
- move: per need whose owner changes, move + move_per_arr_k x ARR in thousands + strategic
  + low health + renewal soon + recently moved weights (forced moves are a constant part
  of this term);
- fit: per need given to a new owner: ``keep_with_family`` when the new owner holds no
  role today on the account or on any account of its parent/child family, plus
  ``region_mismatch`` when both regions are known and differ; plus ``previous_change``
  when a re-plan departs from the previous plan's owner;
- balance: per team, each staying member has a target load = capacity x the team's
  utilization (the team's points / its members' capacity, at most 1), in points. With the
  default shape "bands" a person costs ``balance`` weight units per point their load is
  away from target (above or below) up to a band of 10% of their own capacity, and
  BAND_STEEP (8) x ``balance`` per point beyond it; the term sums that over every person of
  every team. A 1.0 FTE person (100 points) 15 points over target costs 10 x 20 + 5 x 160
  = 1,000 weight units at balance = 20. So an optional move that brings someone back
  toward their band pays as soon as it saves more than its move and fit cost, while inside
  the bands a move of a p-point account saves at most 2 x p x ``balance`` (200 for a
  5-point account at 20, 40 for a 1-point one, less than a move costs). Other shapes
  (``balance_shape``): "deviation", ``balance`` per point of |load - target|, no band;
  "spread", ``balance`` x (max - min over the team of load - target) x team size. In
  model units the term is ``balance`` x the value in scaled points (``balance_value``);
- unassigned: per unassigned need, the ``unassigned`` weight plus ARR in thousands (the
  owner who loses it is also charged a move).

How a part is solved (PERFORMANCE.md: the assignment LP is nearly integral):
1. the LP relaxation with GLOP, tightened by valid cuts that use the part's grain (every
   load is a multiple of the gcd of the groups' points): capacity rounded down to the
   grain, and the chord under each person's balance value between the grain multiples
   around each of its kinks (the target, and the band ends). With shortlists, the LP's
   duals price every left-out (group, person) pair: pairs with a negative reduced cost
   join the shortlists and the LP is solved again (up to PRICING_ROUNDS), and the bound
   is the LP value plus every group's most negative left-out reduced cost: a bound for
   the whole team, not the shortlists;
2. the LP solution rounded (largest x per group, then overloaded people give away their
   least-chosen groups), and the greedy plan; the better feasible one is the hint;
3. CP-SAT from that complete hint for the rest of the part's time, unless the hint
   already meets the bound within RELATIVE_GAP. The bound reported is the larger of the
   LP bound and CP-SAT's (CP-SAT's only without shortlists: it holds for them alone).
A part is OPTIMAL when its plan meets a bound that holds for the whole team; with
shortlists, a plan CP-SAT proved best among the shortlists but above that bound is
"OPTIMAL (candidate lists)".

Time: ``[solver] time_limit_s`` is the budget of the whole stage, counted from the call
of ``assign``: coverage, team placement and building the parts, then each part's LP
relaxations (GLOP gets the part's budget) and CP-SAT. Each part, when it starts, gets
the thread-seconds left (threads x time left, less what running parts were promised)
times its share of the variables not yet started, and never more than the time left; what
a part does not use goes back to the others. A part whose share is used up still gets its
quick plan (greedy or LP rounding, never over capacity), so the stage can end after the
limit by the time of those heuristics and of the final bookkeeping (under a second at
10,000 accounts).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.assignment import (
    Assignment,
    AssignProgress,
    FamilySplit,
    Overload,
    PartStats,
    Shortfall,
    Unassigned,
    utilization_spread,
)
from planner.coverage import Need, coverage_needs, months_between, need_points, released_roles
from planner.domain import POINT_SCALE, Account, Inputs, Person, Team
from planner.scenario import Scenario
from planner.segments import Placement
from planner.teams import TeamPlacement, place_people

log = logging.getLogger(__name__)

BALANCE_SHAPES = ("bands", "deviation", "spread")
DEFAULT_SHAPE = "bands"
#: Teams with more people than this get a candidate list per group of this many people.
PRUNE_ABOVE_PEOPLE = 24
CANDIDATES = 16
#: Stop a part when within this relative gap of its bound.
RELATIVE_GAP = 1e-4
GLOP_PARAMETERS = "use_dual_simplex: true\nperturb_costs_in_dual_simplex: true"
BAND_FRACTION = 0.10
BAND_STEEP = 8
#: LP rounds of pricing left-out candidates; columns added per group and round. Measured
#: at 50,000 accounts (benchmarks/assign_bench.py): after 3 rounds the PM and SA teams'
#: bounds were still 45-80% below their plans; 12 rounds (within the team's time) prove
#: them optimal, and the whole stage comes within 1.3% of the bound instead of 7.4%.
PRICING_ROUNDS = 12
PRICED_PER_GROUP = 2
#: Reduced costs above -PRICING_EPS (model units) count as non-negative.
PRICING_EPS = 1e-3
#: CP-SAT is not started with less time than this (seconds); the hint is kept instead.
MIN_SOLVE_SECONDS = 0.05
#: At most one "solving" progress report per this many seconds.
PROGRESS_INTERVAL = 1.0

#: Receives an AssignProgress for every report (see ``assign``).
Progress = Callable[[AssignProgress], None]


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
    """Needs that must share one owner, with their candidates and costs per candidate.

    keeper: index of the person who owns every need of the group today and may keep it
        (-1 when there is none); pruned: ``cands`` is a shortlist of the eligible people;
    guarded: a strategic group whose slack may be used only when no candidate has room
        beside the strategic and locked groups they hold.
    """

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
    keeper: int = -1
    pruned: bool = False
    guarded: bool = False


@dataclass(slots=True)
class Part:
    """One team's assignment problem.

    lock_load: per person, scaled points of the groups locked to them (kept even beyond
    capacity); receivers: people who may be given accounts they do not own today.
    """

    team: Team
    people: list[str]
    capacity: list[int]
    target: list[int]
    groups: list[Group]
    total_points: int
    notes: list[str] = field(default_factory=list)
    need_grain: int = 1  # gcd of the single needs' points: every load is a multiple of it
    lock_load: list[int] = field(default_factory=list)
    receivers: list[int] = field(default_factory=list)
    splits: list[FamilySplit] = field(default_factory=list)
    ctx: _Context | None = None
    index: int = 0  # position among the parts (segment then role order), from 0
    shortlist: int = 0  # candidates per group when the team has shortlists, else 0
    grain: int = 1  # gcd of the groups' points (set with the groups)
    limits: list[int] = field(default_factory=list)  # per person, see ``limit``

    @property
    def label(self) -> str:
        return self.team.label

    def set_groups(self, groups: list[Group]) -> None:
        """Install the groups, and what follows from their points: the grain (every load is
        a multiple of their gcd) and each person's load limit."""
        self.groups = groups
        self.grain = math.gcd(*(g.points for g in groups)) or 1
        locks = self.lock_load or [0] * len(self.people)
        self.limits = [max(self.usable(c), locks[c]) for c in range(len(self.people))]

    def usable(self, c: int) -> int:
        """Capacity of person ``c`` rounded down to the grain (a valid, tighter capacity)."""
        return self.capacity[c] // self.grain * self.grain

    def limit(self, c: int) -> int:
        """The load person ``c`` may carry: usable capacity, or their locked load if more."""
        return self.limits[c]

    def fits(self, g: Group, c: int) -> bool:
        """Group ``g`` fits person ``c`` beside the groups locked to them."""
        return g.points + self.lock_load[c] <= self.capacity[c]

    def pool(self, g: Group) -> list[int]:
        """Every eligible person for ``g`` (the group's candidates before any shortlist)."""
        if g.locked:
            return list(g.cands)
        people = set(self.receivers)
        if g.keeper >= 0:
            people.add(g.keeper)
        return [c for c in sorted(people) if self.fits(g, c)]

    @property
    def short(self) -> bool:
        """The team cannot hold its accounts: loads come in multiples of the accounts'
        common points, so a person's capacity is only usable down to such a multiple."""
        return self.total_points > usable_capacity(self.capacity, self.need_grain)

    @property
    def pruned(self) -> bool:
        return any(g.pruned for g in self.groups)

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
                    need_grain=math.gcd(*(n.points for n in team_needs)) or 1, ctx=ctx,
                    index=len(parts))
        limit = max_candidates
        if limit is None:
            limit = CANDIDATES if len(people) > PRUNE_ABOVE_PEOPLE else 0
        part.set_groups(_groups(ctx, part, team_needs, limit))
        part.shortlist = limit if part.pruned else 0
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
    """Groups of the part: families for CSM when family_same_csm, else single needs.

    A family that fits no one (see ``_family_split``) is split into single needs.
    """
    index = {p: i for i, p in enumerate(part.people)}
    eligible = {n.key: _eligible(ctx, part, n, index) for n in needs}
    need_lock = [0] * len(part.people)
    for need in needs:
        cands, locked = eligible[need.key]
        if locked:
            need_lock[cands[0]] += need.points
    families: dict[str, list[Need]] = {}
    for need in needs:
        family = need.role == "CSM" and ctx.scenario.rules.family_same_csm
        key = ctx.roots[need.account_id] if family else f"{need.account_id}\0{need.role}"
        families.setdefault(key, []).append(need)
    bundles: list[list[Need]] = []
    for key in sorted(families):
        members = families[key]
        split = _family_split(part, key, members, eligible, need_lock) if len(members) > 1 else None
        if split is not None:
            part.splits.append(split)
            bundles.extend([n] for n in members)
        else:
            bundles.append(members)
    commons = [sorted(set.intersection(*(set(eligible[n.key][0]) for n in m))) for m in bundles]
    locks = [any(eligible[n.key][1] for n in m) for m in bundles]
    part.lock_load = [0] * len(part.people)
    for members, common, locked in zip(bundles, commons, locks, strict=True):
        if locked:
            part.lock_load[common[0]] += sum(n.points for n in members)
    part.receivers = [i for i, p in enumerate(part.people) if ctx.teams[p].can_receive]
    groups = []
    for position, (members, common, locked) in enumerate(zip(bundles, commons, locks, strict=True)):
        points = sum(n.points for n in members)
        cands = common if locked else [
            c for c in common if points + part.lock_load[c] <= part.capacity[c]
        ]
        pruned = bool(limit) and len(cands) > limit
        if pruned:
            cands = _prune(ctx, part, members, cands, limit, position)
        group = _group(ctx, part, tuple(members), cands, locked)
        group.pruned = pruned
        owners = {ctx.accounts[n.account_id].owners.get(n.role) for n in members}
        if len(owners) == 1 and (owner := owners.pop()) in index and index[owner] in common:
            group.keeper = index[owner]
        groups.append(group)
    return groups


def _family_split(
    part: Part, root: str, members: list[Need], eligible, need_lock: list[int]
) -> FamilySplit | None:
    """A FamilySplit when no one may hold the whole family beside the needs locked to them
    (counted need by need, as the checker recomputes it); None when someone can."""
    common = set.intersection(*(set(eligible[n.key][0]) for n in members))
    points = sum(n.points for n in members)
    rooms = []
    for c in sorted(common):
        inside = sum(n.points for n in members if eligible[n.key] == ([c], True))
        room = part.capacity[c] - (need_lock[c] - inside)
        if points <= room:
            return None
        rooms.append(room)
    accounts = tuple(sorted({n.account_id for n in members}))
    split = FamilySplit(root, part.label, accounts, points / POINT_SCALE,
                        max(rooms) / POINT_SCALE if rooms else None)
    part.notes.append(f"{split.what}: {split.reason}")
    return split


def _prune(ctx, part, members, cands, limit, position) -> list[int]:
    """Current owners, family holders and the previous plan's owners, then same-region
    people, then others, rotated."""
    owners = {ctx.accounts[n.account_id].owners.get(n.role) for n in members}
    owners |= {ctx.previous.get(n.key) for n in members}
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


def candidate_costs(ctx: _Context, part: Part, needs: tuple[Need, ...], c: int) -> tuple[int, int]:
    """(move, fit) weight units of giving every need of a group to person ``c``."""
    pid = part.people[c]
    move = fit = 0
    for need in needs:
        account = ctx.accounts[need.account_id]
        owner = account.owners.get(need.role)
        earlier = ctx.previous.get(need.key)
        if earlier is not None and pid != earlier:
            fit += ctx.scenario.objective.previous_change  # re-plan: keep the last plan
        if pid != owner:
            fit += ctx.fit_units(need, pid)
            if owner:
                move += move_units(account, ctx.scenario)
    return move, fit


def add_candidate(part: Part, g: Group, c: int) -> int:
    """Add person ``c`` to the group's candidates (with their costs); returns the position."""
    assert part.ctx is not None
    move, fit = candidate_costs(part.ctx, part, g.needs, c)
    g.cands.append(c)
    g.move.append(move)
    g.fit.append(fit)
    return len(g.cands) - 1


def _group(
    ctx: _Context, part: Part, members: tuple[Need, ...], cands: list[int], locked: bool
) -> Group:
    """Costs per candidate for a group of needs."""
    moves = [(n, ctx.accounts[n.account_id]) for n in members]
    costs = [candidate_costs(ctx, part, members, c) for c in cands]
    strategic = any(a.strategic for _, a in moves)
    w = ctx.scenario.objective
    return Group(
        needs=members,
        points=sum(n.points for n in members),
        cands=list(cands),
        move=[m for m, _ in costs],
        fit=[f for _, f in costs],
        slack=not cands or not (strategic or locked),
        u_move=sum(move_units(a, ctx.scenario) for n, a in moves if a.owners.get(n.role)),
        u_cost=sum(w.unassigned + w.move_per_arr_k * arr_k(a) for _, a in moves),
        locked=locked,
        strategic=strategic,
    )


def must_place_exceeds(part: Part) -> bool:
    """Strategic and locked groups alone weigh more than what the team can carry."""
    must = sum(g.points for g in part.groups if (g.strategic or g.locked) and g.cands)
    return must > sum(part.limit(c) for c in range(len(part.people)))


def release_strategic(part: Part) -> bool:
    """Let strategic groups wait for a decision, each only when it fits no eligible person
    beside the strategic and locked groups they hold (``add_strategic_guard``). Their
    shortlists are widened to everyone eligible, so that the guard speaks of everyone.

    Returns True when something changed (the part is then solved again).
    """
    changed = False
    for g in part.groups:
        if g.strategic and not g.locked and not g.slack:
            for c in part.pool(g):
                if c not in g.cands:
                    add_candidate(part, g, c)
            g.pruned = False
            g.slack = g.guarded = changed = True
    if changed:
        why = (
            "strategic and locked accounts alone exceed capacity"
            if must_place_exceeds(part)
            else "strategic accounts cannot all be placed as whole accounts and families"
        )
        part.notes.append(
            f"{part.label}: {why}; a strategic account waits for a decision only when "
            "everyone who could take it is full with strategic and locked accounts"
        )
    return changed


# --- evaluation, greedy, repair ------------------------------------------------------------


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


def person_balance(dev: int, capacity: int, shape: str) -> int:
    """One person's balance value (scaled points) for a deviation ``dev`` from target.

    "bands": |dev| up to 10% of the person's capacity, and BAND_STEEP x every point beyond;
    "deviation": |dev|. ("spread" is a team value, see ``balance_value``.)
    """
    if shape == "bands":
        band = int(capacity * BAND_FRACTION)
        return min(abs(dev), band) + BAND_STEEP * max(0, abs(dev) - band)
    return abs(dev)


def balance_value(loads: list[int], target: list[int], capacity: list[int], shape: str) -> int:
    """The balance value (scaled points) of a team's loads.

    Each person's target is capacity x the team's utilization (its points / its capacity,
    at most 1). "bands" (the default) sums ``person_balance`` over the team: a load within
    10% of capacity of its target costs one unit per scaled point away, each point further
    BAND_STEEP units. "deviation" sums |load - target|. "spread" is (max - min of
    load - target) x team size.
    """
    devs = [load - t for load, t in zip(loads, target, strict=True)]
    if not devs:
        return 0
    if shape == "spread":
        return (max(devs) - min(devs)) * len(devs)
    return sum(person_balance(d, c, shape) for d, c in zip(devs, capacity, strict=True))


def greedy(part: Part) -> list[int]:
    """Baseline: keep the owner when allowed and room remains, else the least-loaded candidate.

    Locked groups first, then strategic ones, then keeps, then the rest by points (largest
    first). A group with no room stays unassigned (-1), even one without slack: the plan
    is then infeasible, never over capacity.
    """
    loads = [0] * len(part.people)
    choice = [-1] * len(part.groups)
    order = sorted(
        range(len(part.groups)),
        key=lambda i: (
            not part.groups[i].locked,
            not part.groups[i].strategic,
            min(part.groups[i].move, default=1) > 0,
            -part.groups[i].points,
            i,
        ),
    )
    for i in order:
        g = part.groups[i]
        if not g.cands:
            continue
        if g.locked:
            choice[i] = 0
            loads[g.cands[0]] += g.points
            continue
        room = [p for p, c in enumerate(g.cands) if loads[c] + g.points <= part.limit(c)]
        keeps = [p for p in range(len(g.cands)) if g.move[p] == 0] if g.u_move else []
        if keeps and keeps[0] in room:
            choice[i] = keeps[0]
        elif room:
            choice[i] = min(
                room,
                key=lambda p: (
                    (loads[g.cands[p]] + g.points) / max(1, part.capacity[g.cands[p]]),
                    g.move[p] + g.fit[p],
                    p,
                ),
            )
        if choice[i] >= 0:
            loads[g.cands[choice[i]]] += g.points
    return choice


def loads_of(part: Part, choice: list[int]) -> list[int]:
    """Scaled points per person of a choice."""
    loads = [0] * len(part.people)
    for g, pos in zip(part.groups, choice, strict=True):
        if pos >= 0:
            loads[g.cands[pos]] += g.points
    return loads


def fill_room(part: Part, choice: list[int]) -> int:
    """Give every unassigned group to an eligible person with room for it (cheapest move and
    fit first, then the lowest load), highest unassigned cost first. Returns how many."""
    loads = loads_of(part, choice)
    placed = 0
    waiting = sorted((i for i, pos in enumerate(choice) if pos < 0),
                     key=lambda i: (-part.groups[i].u_cost, i))
    for i in waiting:
        g = part.groups[i]
        room = [c for c in part.pool(g) if loads[c] + g.points <= part.limit(c)]
        if not room:
            continue
        position = {c: p for p, c in enumerate(g.cands)}
        for c in room:
            if c not in position:
                position[c] = add_candidate(part, g, c)
        best = min(room, key=lambda c: (g.move[position[c]] + g.fit[position[c]],
                                        loads[c] / max(1, part.capacity[c]), c))
        choice[i] = position[best]
        loads[best] += g.points
        placed += 1
    return placed


def feasible(part: Part, choice: list[int]) -> bool:
    """Capacity, the no-slack rule and the strategic guard hold for a choice."""
    loads = loads_of(part, choice)
    if any(load > part.limit(c) for c, load in enumerate(loads)):
        return False
    held = [0] * len(part.people)  # strategic and locked load per person
    for g, pos in zip(part.groups, choice, strict=True):
        if pos >= 0 and (g.strategic or g.locked):
            held[g.cands[pos]] += g.points
    for g, pos in zip(part.groups, choice, strict=True):
        if pos >= 0:
            continue
        if not g.slack:
            return False
        if g.guarded and any(held[c] + g.points <= part.capacity[c] for c in g.cands):
            return False
    return True


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
    """Load of each person (scaled points) stays within what they may carry (capacity, or
    their locked load when locks alone exceed it); returns the load expressions."""
    terms: list[list] = [[] for _ in part.people]
    for g, xs in zip(part.groups, x, strict=True):
        for c, var in zip(g.cands, xs, strict=True):
            terms[c].append((var, g.points))
    loads = []
    for c, items in enumerate(terms):
        load = cp_model.LinearExpr.weighted_sum([v for v, _ in items], [p for _, p in items])
        if items:
            model.add(load <= part.limit(c))
        loads.append(load)
    return loads


def add_strategic_guard(model: cp_model.CpModel, part: Part, x: list, u: list) -> None:
    """A guarded strategic group waits only if no candidate has room for it beside the
    strategic and locked groups that candidate holds."""
    held: list[list] = [[] for _ in part.people]
    for i, (g, xs) in enumerate(zip(part.groups, x, strict=True)):
        if g.strategic or g.locked:
            for c, var in zip(g.cands, xs, strict=True):
                held[c].append((i, var, g.points))
    for i, (g, slack) in enumerate(zip(part.groups, u, strict=True)):
        if not g.guarded or slack is None:
            continue
        for c in g.cands:
            others = [(v, p) for j, v, p in held[c] if j != i]
            expr = cp_model.LinearExpr.weighted_sum([v for v, _ in others], [p for _, p in others])
            model.add(expr >= part.capacity[c] - g.points + 1).only_enforce_if(slack)


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
        hi = max(part.limit(c), t) + 1
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
            value = o1 + u1 + BAND_STEEP * (o2 + u2)
            aux.append((over, under, (o1, u1, o2, u2)))
        else:
            value = over + under
            aux.append((over, under, None))
        devs.append(value)
        for a, fa, rise, grain in chords(t, part.grain, cap, shape):
            # grain * value >= grain * f(a) + (f(b) - f(a)) * (load - a)
            model.add(grain * value >= grain * fa + rise * (load - a))
    if shape == "spread":
        lo = -max(part.target) - 1
        hi = max(part.limit(c) for c in range(len(part.people))) + 1
        zmax, zmin = model.new_int_var(lo, hi, "zmax"), model.new_int_var(lo, hi, "zmin")
        for d in devs:
            model.add(zmax >= d)
            model.add(zmin <= d)
        spread.extend((zmax, zmin))
        return (zmax - zmin) * len(devs)
    return sum(devs)


def chords(target: int, grain: int, capacity: int, shape: str) -> list[tuple[int, int, int, int]]:
    """Cuts (a, f(a), f(b) - f(a), grain), f the person's balance value as a function of the
    load, one per kink of f (the target, and with bands the band's ends) that falls between
    two grain multiples a < kink < b = a + grain.

    Loads are multiples of the grain and f is convex, so f(load) lies above the chord
    through (a, f(a)) and (b, f(b)): valid cuts that tighten the LP relaxation, which
    otherwise lets a fractional load sit in a kink below the chord.
    """
    if grain <= 1 or shape == "spread":
        return []
    band = int(capacity * BAND_FRACTION)
    kinks = [target] + ([target - band, target + band] if shape == "bands" and band else [])
    cuts = []
    for kink in kinks:
        a = kink // grain * grain
        if a == kink and kink != target:
            continue  # the kink is a reachable load: f is linear between grain multiples
        fa = person_balance(a - target, capacity, shape)
        fb = person_balance(a + grain - target, capacity, shape)
        cuts.append((a, fa, fb - fa, grain))
    return cuts


def build_model(part: Part, scenario: Scenario, shape: str) -> _Model:
    """The part's CP-SAT model: choice, capacity, strategic guard, balance; objective as
    named terms."""
    model = cp_model.CpModel()
    x, u = add_choice(model, part)
    loads = add_capacity(model, part, x)
    add_strategic_guard(model, part, x, u)
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


class _Incumbents(cp_model.CpSolverSolutionCallback):
    """Passes each new CP-SAT solution's objective and bound to ``report`` (throttled there)."""

    def __init__(self, report: Callable[[int, int], None]):
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(round(self.objective_value), math.ceil(self.best_objective_bound - 1e-6))


def _cpsat(
    part: Part, scenario: Scenario, shape: str, workers: int, time_limit: float,
    hint: list[int], report: Callable[[int, int], None] | None = None,
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
    callback = _Incumbents(report) if report is not None else None
    status = solver.solve(built.model, callback)
    log.debug("%s: %s", part.label, solver.response_stats())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.debug("%s: CP-SAT found no plan (%s)", part.label, solver.status_name(status))
        return None
    choice = [_chosen(solver, xs) for xs in built.x]
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


def _chosen(solver: cp_model.CpSolver, xs: list) -> int:
    for p, var in enumerate(xs):
        if solver.boolean_value(var):
            return p
    return -1


# --- solving one part -------------------------------------------------------------------------


@dataclass(slots=True)
class PartResult:
    part: Part
    choice: list[int]
    stats: PartStats
    terms: dict[str, int]


@dataclass(slots=True)
class _Attempt:
    """The best plan of one model of a part, with what is known about it."""

    choice: list[int]
    cost: int
    bound: int  # holds for the whole team
    restricted_optimal: bool  # CP-SAT proved it best among the shortlists only
    source: str
    proven: bool  # CP-SAT proved optimality (of the model it was given)


def _cost(part: Part, choice: list[int], scenario: Scenario, shape: str) -> int:
    return sum(evaluate(part, choice, scenario, shape).values())


def _attempt(
    part: Part, scenario: Scenario, shape: str, workers: int, deadline: float,
    report: Callable[[int, int], None] | None,
) -> _Attempt | None:
    """LP (with pricing), hints, then CP-SAT: the part's best plan, or None when no plan
    within capacity was found (the strategic groups cannot all be placed)."""
    lp = priced_lp(part, scenario, shape, deadline)
    bound = math.ceil(lp.bound - 1e-6) if lp.solved else 0
    plans = [("greedy", greedy(part))]
    if lp.values is not None:
        plans.append(("LP rounding", round_lp(part, lp.values)))
    scored = sorted(
        (not feasible(part, c), _cost(part, c, scenario, shape), k, name, c)
        for k, (name, c) in enumerate(plans)
    )
    infeasible, cost, _, source, choice = scored[0]
    if lp.infeasible and infeasible:
        return None  # the LP proves that no plan within capacity exists
    restricted = proven = False
    left = deadline - time.perf_counter()
    if (infeasible or cost - bound > RELATIVE_GAP * cost) and left >= MIN_SOLVE_SECONDS:
        relay = None
        if report is not None:
            def relay(objective: int, cp_bound: int) -> None:
                report(objective, bound if part.pruned else max(bound, cp_bound))
        found = _cpsat(part, scenario, shape, workers, left, choice, relay)
        if found is not None:
            cp_status, cp_choice, cp_bound = found
            if not part.pruned:
                bound = max(bound, cp_bound)
            cp_cost = _cost(part, cp_choice, scenario, shape)
            if cp_cost <= cost or infeasible:
                choice, cost, source, infeasible = cp_choice, cp_cost, "CP-SAT", False
                proven = cp_status == "OPTIMAL"
                restricted = proven and part.pruned
    if infeasible:
        return None
    return _Attempt(choice, cost, bound, restricted, source, proven and not part.pruned)


def solve_part(
    part: Part, scenario: Scenario, shape: str, workers: int, time_limit: float,
    report: Callable[[int, int], None] | None = None,
) -> PartResult:
    """Solve one part within ``time_limit`` seconds (see the module doc for the steps).

    When no plan places every strategic group, the strategic groups are released (they may
    wait for a decision under the guard) and the part is solved again; the greedy plan of
    the released part is always feasible. Afterwards every unassigned group that fits
    someone is placed (``fill_room``). The reported terms are recomputed from the plan.
    """
    began = time.perf_counter()
    deadline = began + max(0.0, time_limit)
    if not part.groups or not part.people:
        choice = [-1] * len(part.groups)
        fill_room(part, choice)
        terms = evaluate(part, choice, scenario, shape)
        total = sum(terms.values())
        stats = PartStats(part.label, "EMPTY", total, total, 0.0, _n_needs(part),
                          len(part.people), 0, "; ".join(part.notes))
        return PartResult(part, choice, stats, terms)
    if must_place_exceeds(part):
        release_strategic(part)
    found = _attempt(part, scenario, shape, workers, deadline, report)
    if found is None:
        release_strategic(part)
        found = _attempt(part, scenario, shape, workers, deadline, report)
    if found is None:  # released: the greedy plan is feasible by construction
        choice = greedy(part)
        found = _Attempt(choice, _cost(part, choice, scenario, shape), 0, False, "greedy", False)
    choice = found.choice
    if fill_room(part, choice):
        found.source += " + placed where room was left"
    terms = evaluate(part, choice, scenario, shape)
    cost = sum(terms.values())
    status = part_status(found, cost)
    seconds = time.perf_counter() - began
    notes = [*part.notes, f"plan from {found.source}"]
    if part.shortlist:
        notes.append(f"shortlists of {part.shortlist} candidates per account (LP pricing adds "
                     "anyone who could lower the bound); the bound holds for the whole team")
    stats = PartStats(
        part.label, status, cost, min(found.bound, cost), round(seconds, 3), _n_needs(part),
        len(part.people), part.variables, "; ".join(notes), shortlist=part.shortlist,
    )
    log.info("%s: %s, objective %d, bound %d, %.2f s, %d variables, plan from %s",
             part.label, status, cost, stats.bound, seconds, part.variables, found.source)
    return PartResult(part, choice, stats, terms)


def part_status(found: _Attempt, cost: int) -> str:
    """OPTIMAL when the plan meets a bound for the whole team (or CP-SAT proved it on a model
    without shortlists); "OPTIMAL (candidate lists)" when only the shortlists' model was
    proven; FEASIBLE otherwise."""
    if cost - found.bound <= RELATIVE_GAP * cost or (found.proven and cost == found.cost):
        return "OPTIMAL"
    if found.restricted_optimal and cost == found.cost:
        return "OPTIMAL (candidate lists)"
    return "FEASIBLE"


# --- LP relaxation --------------------------------------------------------------------------


@dataclass(slots=True)
class _LP:
    """An LP relaxation's answer: its value, x per group and candidate, the duals that price
    a (group, person) column (group rows; per person, the dual weight of one point of load)."""

    value: float = 0.0
    values: list[list[float]] | None = None
    group_duals: list[float] = field(default_factory=list)
    person_duals: list[float] = field(default_factory=list)
    infeasible: bool = False

    @property
    def solved(self) -> bool:
        return self.values is not None


@dataclass(slots=True)
class _Priced:
    """The LP bound after pricing: valid for the whole team when ``solved``."""

    bound: float = 0.0
    values: list[list[float]] | None = None
    infeasible: bool = False

    @property
    def solved(self) -> bool:
        return self.values is not None


def lp_bound_part(part: Part, scenario: Scenario, shape: str) -> float:
    """Optimal value of the part's LP relaxation (GLOP): a lower bound on its objective."""
    if not part.groups or not part.people:
        return float(_cost(part, greedy(part), scenario, shape))
    return lp_relaxation(part, scenario, shape).value


def priced_lp(part: Part, scenario: Scenario, shape: str, deadline: float) -> _Priced:
    """The LP bound for the whole team: the LP on the shortlists, then left-out columns with
    a negative reduced cost added and the LP solved again, up to PRICING_ROUNDS times.

    Each group row has Σx = 1, so a left-out column (group g, person c) can lower the LP by
    at most its reduced cost: LP value + Σ_g min(0, the least reduced cost of g's left-out
    columns) is a lower bound of the full team's LP, hence of its optimum.
    """
    best = _Priced()
    for _ in range(PRICING_ROUNDS + 1):
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        lp = lp_relaxation(part, scenario, shape, left)
        if not lp.solved:
            best.infeasible = lp.infeasible and best.values is None
            break
        if not part.pruned:
            return _Priced(lp.value, lp.values)
        shortfall, columns = price_columns(part, lp)
        bound = max(0.0, lp.value + shortfall)  # every term is >= 0
        best = _Priced(bound if best.values is None else max(best.bound, bound), lp.values)
        if not columns:
            break
        for i, c in columns:
            add_candidate(part, part.groups[i], c)
        log.debug("%s: %d candidates priced into the shortlists", part.label, len(columns))
    return best


def price_columns(part: Part, lp: _LP) -> tuple[float, list[tuple[int, int]]]:
    """(Σ over groups of the least negative reduced cost of a left-out column, the columns
    with negative reduced cost, at most PRICED_PER_GROUP per group)."""
    assert part.ctx is not None
    duals = lp.person_duals
    order = sorted(range(len(part.people)), key=lambda c: -duals[c])
    w = part.ctx.scenario.objective
    total, columns = 0.0, []
    for i, g in enumerate(part.groups):
        if not g.pruned:
            continue
        # A left-out person owns none of the group's needs and holds nothing in its family
        # (those are always shortlisted): this is the least they can cost.
        floor = POINT_SCALE * (g.u_move + sum(
            w.keep_with_family + (w.previous_change if part.ctx.previous.get(n.key) else 0)
            for n in g.needs))
        base = floor - lp.group_duals[i]
        taken = set(g.cands)
        least, found = 0.0, []
        for c in order:
            if base - g.points * duals[c] >= min(least, 0.0) - PRICING_EPS:
                break  # later people cost at least as much
            if c in taken or not part.fits(g, c) or c not in part.receivers:
                continue
            move, fit = candidate_costs(part.ctx, part, g.needs, c)
            reduced = POINT_SCALE * (move + fit) - lp.group_duals[i] - g.points * duals[c]
            if reduced < -PRICING_EPS:
                found.append((reduced, c))
            least = min(least, reduced)
        total += least
        columns += [(i, c) for _, c in sorted(found)[:PRICED_PER_GROUP]]
    return total, columns


def lp_relaxation(
    part: Part, scenario: Scenario, shape: str, time_limit: float | None = None
) -> _LP:
    """The part's LP relaxation with GLOP: value, x values, and the duals for pricing."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    # Measured on the benchmark's largest team (315k columns): primal simplex 64 s, dual
    # simplex 20 s, dual simplex with perturbed costs 7 s, same optimum.
    lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    if time_limit is not None and math.isfinite(time_limit):
        lp.SetTimeLimit(max(1, int(time_limit * 1000)))
    xs: list[list] = []
    objective = lp.Objective()
    per_person: list[list] = [[] for _ in part.people]
    w_bal = scenario.objective.balance
    group_rows = []
    for g in part.groups:
        row = lp.Constraint(1, 1)
        group_rows.append(row)
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
    # Per person, the rows a point of load enters, with its coefficient there.
    person_rows: list[list[tuple]] = [[] for _ in part.people]
    for c, items in enumerate(per_person):
        cap, t = part.capacity[c], part.target[c]
        capacity = lp.Constraint(-inf, part.limit(c))
        person_rows[c].append((capacity, 1))
        for v, pts in items:
            capacity.SetCoefficient(v, pts)
        if shape == "spread":
            upper, lower = lp.Constraint(-inf, t), lp.Constraint(t, inf)
            upper.SetCoefficient(zmax, -1)  # load - zmax <= t
            lower.SetCoefficient(zmin, -1)  # load - zmin >= t
            for v, pts in items:
                upper.SetCoefficient(v, pts)
                lower.SetCoefficient(v, pts)
            person_rows[c] += [(upper, 1), (lower, 1)]
            continue
        bands = (
            [(int(cap * BAND_FRACTION), 1), (inf, BAND_STEEP)] if shape == "bands" else [(inf, 1)]
        )
        dev_vars = []
        for direction in (1, -1):  # over: sum(d) >= load - t ; under: sum(d) >= t - load
            row = lp.Constraint(-direction * t, inf)
            person_rows[c].append((row, -direction))
            for v, pts in items:
                row.SetCoefficient(v, -direction * pts)
            for size, slope in bands:
                d = lp.NumVar(0, size, "")
                row.SetCoefficient(d, 1)
                objective.SetCoefficient(d, w_bal * slope)
                dev_vars.append((d, slope))
        for a, fa, rise, grain in chords(t, part.grain, cap, shape):
            # grain * value - rise * load >= grain * f(a) - rise * a
            row = lp.Constraint(grain * fa - rise * a, inf)
            person_rows[c].append((row, -rise))
            for d, slope in dev_vars:
                row.SetCoefficient(d, grain * slope)
            for v, pts in items:
                row.SetCoefficient(v, -rise * pts)
    objective.SetMinimization()
    status = lp.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        log.debug("%s: LP relaxation not solved (GLOP status %s)", part.label, status)
        return _LP(infeasible=status == pywraplp.Solver.INFEASIBLE)
    return _LP(
        objective.Value(),
        [[v.solution_value() for v in row] for row in xs],
        [row.dual_value() for row in group_rows],
        [sum(row.dual_value() * k for row, k in rows) for rows in person_rows],
    )


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
            if loads[c] <= part.limit(c):
                break
            g = part.groups[i]
            if g.locked:
                continue
            room = [
                p
                for p, d in enumerate(g.cands)
                if d != c and loads[d] + g.points <= part.limit(d)
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


# --- progress and time ----------------------------------------------------------------------


class _Reporter:
    """Progress reports from any solving thread: every finished part, and running
    incumbents at most once per PROGRESS_INTERVAL seconds."""

    def __init__(self, progress: Progress | None, parts: list[Part]):
        self._progress = progress
        self._parts = parts
        self._lock = threading.Lock()
        self._last = -math.inf
        self.finished = self.objective = self.bound = 0

    def incumbent(self, part: Part) -> Callable[[int, int], None] | None:
        """A callable (objective, bound) for the part's running solve; None without progress."""
        if self._progress is None:
            return None

        def report(objective: int, bound: int) -> None:
            now = time.monotonic()
            with self._lock:
                if now - self._last < PROGRESS_INTERVAL:
                    return
                self._last = now
                self._emit(AssignProgress(part.index + 1, len(self._parts), part.label,
                                          objective, min(bound, objective)))

        return report

    def done(self, part: Part, stats: PartStats) -> None:
        with self._lock:
            self.finished += 1
            self.objective += stats.objective
            self.bound += stats.bound
            self._emit(AssignProgress(part.index + 1, len(self._parts), part.label,
                                      stats.objective, stats.bound, stats.status,
                                      self.finished, self.objective, self.bound))

    def _emit(self, event: AssignProgress) -> None:
        if self._progress is not None:
            self._progress(event)


class _Budget:
    """The stage's deadline, shared out to parts as they start (see the module doc).

    With several threads, the thread-seconds left are shared: the part starting now gets
    (threads x time left - time already promised to running parts) x its share of the
    variables not yet started, and never more than the time left.
    """

    def __init__(self, deadline: float, parts: list[Part], threads: int):
        self.deadline = deadline
        self.threads = threads
        self._left = sum(max(1, p.variables) for p in parts)
        self._promised: dict[int, float] = {}  # part index -> end of its promised time
        self._lock = threading.Lock()

    def share(self, part: Part) -> float:
        """Seconds for ``part``: its variables' share of the thread-time left."""
        weight = max(1, part.variables)
        with self._lock:
            now = time.perf_counter()
            left = max(0.0, self.deadline - now)
            promised = sum(max(0.0, end - now) for end in self._promised.values())
            free = max(0.0, self.threads * left - promised)
            seconds = min(left, free * weight / max(1, self._left))
            self._left -= weight
            self._promised[part.index] = now + seconds
        return seconds

    def done(self, part: Part) -> None:
        """The part finished: what it did not use goes back to the others."""
        with self._lock:
            self._promised.pop(part.index, None)


def _solve_all(
    parts: list[Part], scenario: Scenario, shape: str, progress: Progress | None,
    deadline: float,
) -> list[PartResult]:
    """Solve every part: threads with one worker each when several parts share the workers."""
    workers = max(1, scenario.solver.workers)
    reporter = _Reporter(progress, parts)
    threads = 1 if workers == 1 or len(parts) <= 1 else workers
    budget = _Budget(deadline, parts, threads)

    def solve(part: Part) -> PartResult:
        result = solve_part(part, scenario, shape, workers if threads == 1 else 1,
                            budget.share(part), reporter.incumbent(part))
        budget.done(part)
        reporter.done(part, result.stats)
        return result

    if threads == 1:
        return [solve(part) for part in parts]
    results: list[PartResult | None] = [None] * len(parts)
    # Biggest parts first so that the threads finish together.
    order = sorted(range(len(parts)), key=lambda i: -parts[i].variables)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = {pool.submit(solve, parts[i]): i for i in order}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    return [r for r in results if r is not None]


# --- the stage ------------------------------------------------------------------------------


def assign(
    inputs: Inputs,
    placements: dict[str, Placement],
    scenario: Scenario,
    progress: Progress | None = None,
    *,
    balance_shape: str = DEFAULT_SHAPE,
    max_candidates: int | None = None,
    method: str = "cpsat",
    pins: dict[tuple[str, str], str] | None = None,
    previous: dict[tuple[str, str], str] | None = None,
) -> Assignment:
    """Decide the owner of every covered (account, role); see the module doc for the model.

    progress receives an AssignProgress when a part finishes, and while a part is solved
    its best plan so far, at most once a second.
    method: "cpsat" (the model) or "greedy" (the baseline, for benchmarks and comparison).
    pins: (account id, role) -> owner a manager locked in a previous plan; kept like a lock.
    previous: (account id, role) -> owner in the previous plan; choosing anyone else costs
        ``[objective] previous_change`` (counted in the "fit" term).
    The stage keeps to ``[solver] time_limit_s`` as the module doc describes.
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
        "assignment: %d needs in %d teams, %d variables",
        len(needs),
        len(parts),
        sum(p.variables for p in parts),
    )
    if method == "greedy":
        results = [_greedy_result(p, scenario, balance_shape) for p in parts]
    else:
        deadline = began + max(0.0, scenario.solver.time_limit_s)
        results = _solve_all(parts, scenario, balance_shape, progress, deadline)
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
    balance_shape: str = DEFAULT_SHAPE,
    max_candidates: int | None = None,
) -> float:
    """Sum over parts of a lower bound from the LP relaxation: its value for the full model
    (max_candidates=0), or with shortlists the priced bound of ``priced_lp``, which also
    holds for the whole team (PRICING_ROUNDS rounds, no time limit)."""
    needs = coverage_needs(inputs, placements, scenario)
    ctx = _context(inputs, scenario, place_people(inputs, placements, scenario, needs))
    total = 0.0
    for part in build_parts(ctx, needs, max_candidates):
        if part.pruned:
            total += priced_lp(part, scenario, balance_shape, math.inf).bound
        else:
            total += lp_bound_part(part, scenario, balance_shape)
    return total


def _greedy_result(part: Part, scenario: Scenario, shape: str) -> PartResult:
    """The baseline plan of a part (strategic groups released when they do not all fit)."""
    began = time.perf_counter()
    choice = greedy(part)
    if not feasible(part, choice) and release_strategic(part):
        choice = greedy(part)
    fill_room(part, choice)
    terms = evaluate(part, choice, scenario, shape)
    total = sum(terms.values())
    stats = PartStats(part.label, "GREEDY", total, 0, round(time.perf_counter() - began, 3),
                      _n_needs(part), len(part.people), part.variables, "; ".join(part.notes))
    return PartResult(part, choice, stats, terms)


def _assemble(inputs, placements, scenario, ctx, needs, results, shape, seconds) -> Assignment:
    """Turn part choices into the Assignment result with loads, spreads and exceptions."""
    owners: dict[tuple[str, str], str] = {}
    unassigned: list[Unassigned] = []
    shortfalls: list[Shortfall] = []
    overloads: list[Overload] = []
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
                    unassigned.append(_unassigned(part, g, need))
        if part.short:
            usable = usable_capacity(part.capacity, part.need_grain)
            points = (part.total_points - usable) / POINT_SCALE
            full = scenario.workload.full_time_points.get(part.team.role, 100.0)
            shortfalls.append(Shortfall(part.label, points, points / full, len(part.people)))
        loads = loads_of(part, result.choice)
        overloads += [
            Overload(pid, part.label, load / POINT_SCALE, cap / POINT_SCALE)
            for pid, load, cap in zip(part.people, loads, part.capacity, strict=True)
            if load > cap
        ]
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
        overloads=tuple(overloads),
        splits=tuple(s for r in results for s in r.part.splits),
    )


def _unassigned(part: Part, g: Group, need: Need) -> Unassigned:
    """The unassigned need with its reason in business words."""
    assert part.ctx is not None
    account = part.ctx.accounts[need.account_id]
    points = g.points / POINT_SCALE
    what = f"the family's {len(g.needs)} accounts need" if len(g.needs) > 1 else "it needs"
    if not part.people:
        reason = f"{part.label} has no one"
    elif not part.receivers and g.keeper < 0:
        reason = f"no one in {part.label} can take new accounts"
    elif not part.pool(g):
        reason = (f"{what} {points:,.0f} points; no one in {part.label} has that much room "
                  "beside their locked accounts")
    elif g.guarded:
        reason = (f"strategic, but everyone in {part.label} who could take it is full with "
                  "strategic and locked accounts")
    elif part.short:
        reason = f"{part.label} capacity short; lowest priority (ARR {account.arr or 0:,.0f})"
    else:
        reason = f"{what} {points:,.0f} points and no one in {part.label} has that much room left"
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
