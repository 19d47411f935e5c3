"""Solver-free checker of an assignment: every hard rule, and every objective term recomputed.

It shares only the problem's definitions (coverage rules, team parsing, capacity in points)
with the optimizer, never its model or its notes: costs, families, locks, targets and the
reasons an account may wait or a family may be split are recomputed here from the inputs
and the assignment alone.

Rules about what may stay unassigned or over capacity, as recomputed here:
- a *unit* is what must share one owner: a CSM family of a segment (with
  ``family_same_csm``) unless splitting it was necessary, else one (account, role);
- a family may be split only when no one eligible for all of it can hold its points
  beside the needs locked to them (counted need by need);
- an unassigned unit is wrong when an eligible person has room for it in this plan;
  a strategic one also when an eligible person has room for it beside the strategic and
  locked units they hold (strategic accounts come before the others);
- a person may be over capacity only when every unit they hold is locked to them, and
  the assignment must list them in ``overloads``.
"""

from __future__ import annotations

from datetime import timedelta

from planner.assignment import Assignment
from planner.coverage import coverage_needs, months_between
from planner.domain import POINT_SCALE, ROLES, Account, Inputs, Team
from planner.scenario import Scenario
from planner.segments import Placement
from planner.teams import capacity_points, is_away_whole_horizon, is_leaving, parse_new_team

BAND_FRACTION = 0.10  # the "bands" balance shape: 8x weight beyond 10% of capacity
BAND_STEEP = 8


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
    for key, pid in sorted(assignment.owners.items()):
        need = needs.get(key)
        if need is not None:
            problems += _check_owner(
                key, pid, need.segment, accounts[key[0]], people, assignment, scenario
            )
    for key in sorted(unassigned):
        if key not in needs:
            problems.append(f"{key[0]} {key[1]}: listed unassigned but not needed")
    facts = _Facts(needs, accounts, people, assignment, scenario)
    problems += _check_capacity(facts)
    problems += _check_unassigned(facts, unassigned)
    problems += _check_families(facts)
    problems += _check_pins(needs, assignment)
    return problems


class _Facts:
    """What the rules about capacity, families and waiting accounts are judged on, computed
    from the inputs and the owners alone: eligibility, locks, units and loads."""

    def __init__(self, needs, accounts, people, assignment: Assignment, scenario: Scenario):
        self.needs, self.accounts, self.people = needs, accounts, people
        self.assignment, self.scenario = assignment, scenario
        self.capacity = {
            pid: capacity_points(people[pid], scenario)
            for pid, t in assignment.teams.items()
            if t.team is not None and pid in people
        }
        self.loads: dict[str, int] = {}
        for key, pid in assignment.owners.items():
            if key in needs:
                self.loads[pid] = self.loads.get(pid, 0) + needs[key].points
        by_team: dict[Team, list] = {}
        for need in needs.values():
            by_team.setdefault(Team(need.segment, need.role), []).append(need)
        self.lock_owner = {key: self._lock_owner(n) for key, n in needs.items()}
        self.need_lock: dict[str, int] = {}
        for key, pid in self.lock_owner.items():
            if pid is not None:
                self.need_lock[pid] = self.need_lock.get(pid, 0) + needs[key].points
        self.units: list[tuple] = []
        self.splits: dict[tuple[str, str], bool] = {}  # (root, segment) -> split necessary
        roots = family_roots(accounts)
        for team in sorted(by_team, key=lambda t: (t.segment, t.role)):
            families: dict[str, list] = {}
            for need in sorted(by_team[team], key=lambda n: n.key):
                family = team.role == "CSM" and scenario.rules.family_same_csm
                families.setdefault(roots[need.account_id] if family else need.key[0] + "\0"
                                    + need.role, []).append(need)
            for root, members in sorted(families.items()):
                if len(members) > 1:
                    self.splits[(root, team.segment)] = self.split_needed(members)
                    if self.splits[(root, team.segment)]:
                        self.units += [(n,) for n in members]
                        continue
                self.units.append(tuple(members))

    def staying(self, pid: str | None, need) -> bool:
        placed = self.assignment.teams.get(pid) if pid else None
        return (
            placed is not None
            and pid in self.people
            and placed.team == Team(need.segment, need.role)
            and not is_leaving(self.people[pid], self.scenario)
        )

    def _lock_owner(self, need) -> str | None:
        """The person a lock binds ``need`` to: a manager's pin, else a locked account's
        owner, when that person stays in the need's team; None when unlocked."""
        pin = self.assignment.pins.get(need.key)
        if pin is not None and self.staying(pin, need):
            return pin
        account = self.accounts[need.account_id]
        owner = account.owners.get(need.role)
        if account.locked and self.staying(owner, need):
            return owner
        return None

    def eligible(self, unit) -> list[str]:
        """People who may own every need of ``unit``."""
        common: set[str] | None = None
        for need in unit:
            lock = self.lock_owner[need.key]
            if lock is not None:
                mine = {lock}
            else:
                owner = self.accounts[need.account_id].owners.get(need.role)
                mine = {
                    pid for pid, t in self.assignment.teams.items()
                    if self.staying(pid, need) and (t.can_receive or pid == owner)
                }
            common = mine if common is None else common & mine
        return sorted(common or ())

    def split_needed(self, members) -> bool:
        """No one eligible for the whole family can hold it beside their locked needs."""
        points = sum(n.points for n in members)
        for pid in self.eligible(members):
            inside = sum(n.points for n in members if self.lock_owner[n.key] == pid)
            if points + self.need_lock.get(pid, 0) - inside <= self.capacity.get(pid, 0):
                return False
        return True

    def owner(self, unit) -> str | None:
        """The unit's owner (the first need's; None when unassigned)."""
        return self.assignment.owners.get(unit[0].key)

    def locked_to(self, unit, pid: str) -> bool:
        return any(self.lock_owner[n.key] == pid for n in unit)

    def strategic(self, unit) -> bool:
        return any(self.accounts[n.account_id].strategic for n in unit)


def _check_capacity(facts: _Facts) -> list[str]:
    """Load within capacity, unless every unit the person holds is locked to them (then the
    person must be listed as an overload)."""
    problems = []
    held: dict[str, list] = {}
    for unit in facts.units:
        pid = facts.owner(unit)
        if pid is not None:
            held.setdefault(pid, []).append(unit)
    listed = {o.person_id for o in facts.assignment.overloads}
    for pid, load in sorted(facts.loads.items()):
        capacity = facts.capacity.get(pid)
        if capacity is None or load <= capacity:
            if pid in listed:
                problems.append(f"{pid}: listed as overloaded but within capacity")
            continue
        if all(facts.locked_to(unit, pid) for unit in held.get(pid, [])):
            if pid not in listed:
                problems.append(f"{pid}: locked accounts over capacity, but not listed")
            continue
        problems.append(
            f"{pid}: load {load / POINT_SCALE:g} points over capacity {capacity / POINT_SCALE:g}"
        )
    return problems


def _check_unassigned(facts: _Facts, unassigned) -> list[str]:
    """A unit waits only when no eligible person has room for it; a strategic one only when
    no eligible person has room beside the strategic and locked units they hold."""
    problems = []
    held = {}  # person -> points of strategic and locked units they hold
    for unit in facts.units:
        pid = facts.owner(unit)
        if pid is not None and (facts.strategic(unit) or facts.locked_to(unit, pid)):
            held[pid] = held.get(pid, 0) + sum(n.points for n in unit)
    for unit in facts.units:
        waiting = [n for n in unit if n.key in unassigned]
        if not waiting:
            continue
        first = unit[0].key
        if len(waiting) < len(unit):
            problems.append(f"family of {first[0]} in {unit[0].segment} CSM is partly unassigned")
            continue
        points = sum(n.points for n in unit)
        team = Team(unit[0].segment, unit[0].role).label
        for pid in facts.eligible(unit):
            capacity = facts.capacity.get(pid, 0)
            if facts.loads.get(pid, 0) + points <= capacity:
                problems.append(f"{first[0]} {first[1]}: unassigned although {pid} in {team} "
                                "has room for it")
                break
            if facts.strategic(unit) and held.get(pid, 0) + points <= capacity:
                problems.append(f"{first[0]} {first[1]}: strategic account left unassigned "
                                f"although {pid} has room beside their strategic and locked "
                                "accounts")
                break
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


def _staying_members(assignment: Assignment, team: Team) -> list[str]:
    return sorted(pid for pid, t in assignment.teams.items() if t.team == team and not t.leaving)


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


def _check_families(facts: _Facts) -> list[str]:
    """Accounts of one family in the same CSM team share the CSM (where the scenario asks),
    unless no single eligible person could hold the whole family (recomputed)."""
    if not facts.scenario.rules.family_same_csm:
        return []
    roots = family_roots(facts.accounts)
    owners_by: dict[tuple[str, str], set[str]] = {}
    for key, pid in facts.assignment.owners.items():
        need = facts.needs.get(key)
        if need is not None and need.role == "CSM":
            owners_by.setdefault((roots[key[0]], need.segment), set()).add(pid)
    return [
        f"family {root} in {segment} CSM has several CSMs: {', '.join(sorted(owners))}, "
        "although one person could hold all of it"
        for (root, segment), owners in sorted(owners_by.items())
        if len(owners) > 1 and not facts.splits.get((root, segment), False)
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
