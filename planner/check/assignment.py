"""Solver-free checker of an assignment: every hard rule, and every objective term recomputed.

It shares only the problem's definitions (coverage rules, team parsing, capacity in points)
with the optimizer, never its model: costs, families and targets are recomputed here from
the inputs and the assignment alone.
"""

from __future__ import annotations

import math
from datetime import timedelta

from planner.assignment import Assignment
from planner.coverage import coverage_needs, months_between
from planner.domain import POINT_SCALE, ROLES, Account, Inputs, Team
from planner.scenario import Scenario
from planner.segments import Placement
from planner.teams import capacity_points, is_away_whole_horizon, is_leaving, parse_new_team

BAND_FRACTION = 0.10  # the "bands" balance shape: 4x weight beyond 10% of capacity
BAND_STEEP = 4


def check_assignment(
    inputs: Inputs, placements: dict[str, Placement], assignment: Assignment, scenario: Scenario
) -> list[str]:
    """Violated hard rules, in words; an empty list means the assignment holds every rule."""
    problems: list[str] = []
    people = {p.id: p for p in inputs.people}
    accounts = {a.id: a for a in inputs.accounts}
    needs = {n.key: n for n in coverage_needs(inputs, placements, scenario)}
    unassigned = {(u.account_id, u.role): u for u in assignment.unassigned}
    problems += _check_teams(inputs, assignment, scenario)
    for key in sorted(needs):
        if (key in assignment.owners) == (key in unassigned):
            state = (
                "both owned and unassigned" if key in unassigned else "neither owned nor unassigned"
            )
            problems.append(f"{key[0]} {key[1]}: {state}")
    for key in sorted(set(assignment.owners) - set(needs)):
        problems.append(f"{key[0]} {key[1]}: has an owner but the account does not need the role")
    loads: dict[str, int] = {}
    for key, pid in sorted(assignment.owners.items()):
        need = needs.get(key)
        if need is None:
            continue
        loads[pid] = loads.get(pid, 0) + need.points
        problems += _check_owner(
            key, pid, need.segment, accounts[key[0]], people, assignment, scenario
        )
    for pid, load in sorted(loads.items()):
        person = people.get(pid)
        if person is not None and load > capacity_points(person, scenario):
            problems.append(
                f"{pid}: load {load / POINT_SCALE:g} points over capacity "
                f"{capacity_points(person, scenario) / POINT_SCALE:g}"
            )
    problems += _check_unassigned(needs, unassigned, accounts, assignment, scenario)
    problems += _check_families(needs, accounts, assignment, scenario)
    problems += _check_pins(needs, assignment)
    return problems


def _check_pins(needs, assignment: Assignment) -> list[str]:
    """An owner a manager locked stays, wherever the locked person is in the right team."""
    problems = []
    for key, pid in sorted(assignment.pins.items()):
        need, placement = needs.get(key), assignment.teams.get(pid)
        if need is None or placement is None or placement.team is None:
            continue
        if placement.team.segment == need.segment and assignment.owners.get(key) != pid:
            problems.append(f"{key[0]} {key[1]}: locked to {pid}, but owned by "
                            f"{assignment.owners.get(key)}")
    return problems


def _staying_members(assignment: Assignment, team: Team) -> list[str]:
    return sorted(pid for pid, t in assignment.teams.items() if t.team == team and not t.leaving)


def _check_teams(inputs: Inputs, assignment: Assignment, scenario: Scenario) -> list[str]:
    """Roster teams are honoured; horizontal people have no team; teams have the person's role."""
    problems = []
    for person in inputs.people:
        placed = assignment.teams.get(person.id)
        if placed is None:
            problems.append(f"{person.id}: missing from the team placement")
            continue
        if person.role not in ROLES:
            if placed.team is not None:
                problems.append(f"{person.id}: horizontal role {person.role} was given a team")
            continue
        given = parse_new_team(person.new_team, person.role, scenario.segment_names)
        if given is not None and placed.team != given:
            problems.append(f"{person.id}: roster says {given.label}, plan says {placed.team}")
        if placed.team is not None and placed.team.role != person.role:
            problems.append(
                f"{person.id}: team {placed.team.label} does not match role {person.role}"
            )
    return problems


def _check_owner(key, pid, segment, account: Account, people, assignment, scenario) -> list[str]:
    """The owner is in the right team, stays, and may receive the account if it is new to them."""
    person = people.get(pid)
    placed = assignment.teams.get(pid)
    if person is None or placed is None:
        return [f"{key[0]} {key[1]}: owner {pid} is not in the roster"]
    problems = []
    if placed.team != Team(segment, key[1]):
        problems.append(
            f"{key[0]} {key[1]}: owner {pid} is in {placed.team}, not {segment} {key[1]}"
        )
    if is_leaving(person, scenario):
        problems.append(f"{key[0]} {key[1]}: owner {pid} leaves before the plan ends")
    current = account.owners.get(key[1])
    if pid != current and is_away_whole_horizon(person, scenario):
        problems.append(f"{key[0]} {key[1]}: new owner {pid} is away for the whole plan")
    if (
        account.locked
        and current
        and pid != current
        and _may_keep(current, segment, key[1], people, assignment, scenario)
    ):
        problems.append(f"{key[0]} {key[1]}: locked, but moved from {current} to {pid}")
    return problems


def _may_keep(pid, segment, role, people, assignment, scenario) -> bool:
    person, placed = people.get(pid), assignment.teams.get(pid)
    return (
        person is not None
        and placed is not None
        and placed.team == Team(segment, role)
        and not is_leaving(person, scenario)
    )


def _team_short(team: Team, needs, assignment: Assignment) -> bool:
    """More points than the members can hold, counting each capacity down to a multiple
    of the accounts' common points (a load is always such a multiple)."""
    points = [n.points for n in needs.values() if Team(n.segment, n.role) == team]
    grain = math.gcd(*points) or 1
    members = _staying_members(assignment, team)
    return sum(points) > sum(assignment.teams[p].capacity // grain * grain for p in members)


def _must_place_exceeds(team: Team, needs, accounts, assignment: Assignment, scenario) -> bool:
    """Strategic and locked accounts of the team alone weigh more than its capacity.

    With family same CSM, a strategic account brings its whole family in the team along.
    """
    in_team = [n for n in needs.values() if Team(n.segment, n.role) == team]
    must = {
        n.key for n in in_team if accounts[n.account_id].strategic or accounts[n.account_id].locked
    }
    if team.role == "CSM" and scenario.rules.family_same_csm:
        roots = family_roots(accounts)
        must_roots = {roots[key[0]] for key in must}
        must |= {n.key for n in in_team if roots[n.account_id] in must_roots}
    points = sum(n.points for n in in_team if n.key in must)
    capacity = sum(assignment.teams[p].capacity for p in _staying_members(assignment, team))
    return points > capacity


def _check_unassigned(needs, unassigned, accounts, assignment, scenario) -> list[str]:
    """Unassigned only when the team is short, never strategic (unless nobody can take it)."""
    problems = []
    for key in sorted(unassigned):
        need = needs.get(key)
        if need is None:
            problems.append(f"{key[0]} {key[1]}: listed unassigned but not needed")
            continue
        team = Team(need.segment, need.role)
        receivers = [
            p for p in _staying_members(assignment, team) if assignment.teams[p].can_receive
        ]
        if not receivers:
            continue  # nobody can take it: listed for a decision
        account = accounts[key[0]]
        if not _team_short(team, needs, assignment):
            problems.append(f"{key[0]} {key[1]}: unassigned although {team.label} has capacity")
        if account.strategic and not _must_place_exceeds(
            team, needs, accounts, assignment, scenario
        ):
            problems.append(f"{key[0]} {key[1]}: strategic account left unassigned")
    return problems


def family_roots(accounts: dict[str, Account]) -> dict[str, str]:
    """Account id -> top of its parent chain (stopping at unknown parents and cycles)."""
    roots = {}
    for account_id in accounts:
        chain, current = [account_id], account_id
        while (
            (parent := accounts[current].parent_id) and parent in accounts and parent not in chain
        ):
            chain.append(parent)
            current = parent
        roots[account_id] = current
    return roots


def _check_families(needs, accounts, assignment, scenario) -> list[str]:
    """Accounts of one family in the same CSM team share the CSM (where the scenario asks)."""
    if not scenario.rules.family_same_csm:
        return []
    roots = family_roots(accounts)
    owners_by: dict[tuple[str, str], set[str]] = {}
    for key, pid in assignment.owners.items():
        need = needs.get(key)
        if need is not None and need.role == "CSM":
            owners_by.setdefault((roots[key[0]], need.segment), set()).add(pid)
    split_ok = " ".join(assignment.notes)
    return [
        f"family {root} in {segment} CSM has several CSMs: {', '.join(sorted(owners))}"
        for (root, segment), owners in sorted(owners_by.items())
        if len(owners) > 1 and f"family {root}:" not in split_ok
    ]


# --- objective ------------------------------------------------------------------------------


def _move_cost(account: Account, scenario: Scenario) -> int:
    w, r = scenario.objective, scenario.rules
    cost = w.move + w.move_per_arr_k * round((account.arr or 0.0) / 1000)
    cost += w.strategic_move if account.strategic else 0
    cost += (
        w.low_health_move
        if account.health is not None and account.health < r.low_health_below
        else 0
    )
    soon_end = scenario.start + timedelta(weeks=r.renewal_soon_weeks)
    cost += (
        w.renewal_soon_move
        if account.renewal and scenario.start <= account.renewal < soon_end
        else 0
    )
    recent = (
        account.last_owner_change
        and months_between(account.last_owner_change, scenario.start) < r.recent_move_months
    )
    cost += w.recent_move if recent else 0
    return cost


def assignment_objective(
    inputs: Inputs, placements: dict[str, Placement], assignment: Assignment, scenario: Scenario
) -> dict[str, int]:
    """Every objective term recomputed from the assignment (model units: weights x POINT_SCALE)."""
    w = scenario.objective
    people = {p.id: p for p in inputs.people}
    accounts = {a.id: a for a in inputs.accounts}
    roots = family_roots(accounts)
    holders: dict[str, set[str]] = {}
    for a in inputs.accounts:
        holders.setdefault(roots[a.id], set()).update(o for o in a.owners.values() if o)
    needs = coverage_needs(inputs, placements, scenario)
    move = fit = unassigned = 0
    for need in needs:
        account = accounts[need.account_id]
        current = account.owners.get(need.role)
        new = assignment.owners.get(need.key)
        if current and new != current:
            move += _move_cost(account, scenario)
        if new is None:
            unassigned += w.unassigned + w.move_per_arr_k * round((account.arr or 0.0) / 1000)
            continue
        earlier = assignment.previous.get(need.key)
        if earlier is not None and new != earlier:
            fit += w.previous_change  # a re-plan that departs from the last plan's owner
        if new != current:
            fit += 0 if new in holders[roots[account.id]] else w.keep_with_family
            region = people[new].region
            if account.region and region and account.region.casefold() != region.casefold():
                fit += w.region_mismatch
    return {
        "move": move * POINT_SCALE,
        "fit": fit * POINT_SCALE,
        "balance": _balance(needs, assignment, people, scenario) * w.balance,
        "unassigned": unassigned * POINT_SCALE,
    }


def _balance(needs, assignment: Assignment, people, scenario: Scenario) -> int:
    """Sum over teams of the balance shape over staying members (target: capacity x use)."""
    points = {n.key: n.points for n in needs}
    loads: dict[str, int] = {}
    for key, pid in assignment.owners.items():
        loads[pid] = loads.get(pid, 0) + points.get(key, 0)
    totals: dict[Team, int] = {}
    for n in needs:
        totals[Team(n.segment, n.role)] = totals.get(Team(n.segment, n.role), 0) + n.points
    value = 0
    for team, total in totals.items():
        members = _staying_members(assignment, team)
        caps = [capacity_points(people[p], scenario) for p in members]
        cap = sum(caps)
        if not members or cap <= 0:
            continue
        devs = [
            loads.get(p, 0) - round(c * min(total, cap) / cap)
            for p, c in zip(members, caps, strict=True)
        ]
        value += _shape(devs, caps, assignment.balance_shape)
    return value


def _shape(devs: list[int], caps: list[int], shape: str) -> int:
    if shape == "spread":
        return (max(devs) - min(devs)) * len(devs)
    if shape == "bands":
        return sum(
            min(abs(d), int(c * BAND_FRACTION))
            + BAND_STEEP * max(0, abs(d) - int(c * BAND_FRACTION))
            for d, c in zip(devs, caps, strict=True)
        )
    return sum(abs(d) for d in devs)
