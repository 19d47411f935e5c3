"""Handoffs: the difference between today's owners and the assignment, with a reason each.

One handoff per (account, role) whose owner changes, including new coverage (no owner
today) and released coverage (the account no longer needs the role). Needs left
unassigned are not handoffs: they are listed in the assignment for a leader's decision, and
until then the account releases nothing (a Mars account waiting for a HYBRID owner keeps its
CSM, PM and SA: the CRM must not be left with nobody on it).

Forced: the current owner cannot keep the account. The causes, the first that applies:
role newly needed (no owner today), role released, owner not in the roster, owner leaves,
owner not in the account's new team (worded "segment changed" when the account changed
segment, else "owner changed team"), owner away for the whole plan, owner's locked
accounts alone exceed their capacity. Optional: the owner is in the account's new team,
stays, and could keep it; the optimizer moved it for balance, "rebalancing <team>" (a
segment change alone does not force a move when the owner moved to the new team too).
Ids are H0001, H0002... in account-id then role order.
"""

from __future__ import annotations

from planner.assignment import Assignment
from planner.coverage import coverage_needs, need_points
from planner.domain import POINT_SCALE, Account, Handoff, Inputs, Team
from planner.scenario import Scenario
from planner.segments import Placement
from planner.teams import is_away_whole_horizon, is_leaving


def derive_handoffs(
    inputs: Inputs, placements: dict[str, Placement], assignment: Assignment, scenario: Scenario
) -> tuple[Handoff, ...]:
    """Every owner change of the assignment, in account-id then role order, ids H0001..."""
    needs = {n.key: n for n in coverage_needs(inputs, placements, scenario)}
    unassigned = {(u.account_id, u.role) for u in assignment.unassigned}
    waiting = {account_id for account_id, _ in unassigned}
    people = {p.id: p for p in inputs.people}
    needed_by: dict[str, set[str]] = {}
    for account_id, role in needs:
        needed_by.setdefault(account_id, set()).add(role)
    rows = []
    for account in sorted(inputs.accounts, key=lambda a: a.id):
        placement = placements.get(account.id)
        if placement is None or placement.segment is None:
            continue  # exceptions keep their owners until a segment is decided
        segment = placement.segment
        roles = sorted(
            {r for r, o in account.owners.items() if o} | needed_by.get(account.id, set())
        )
        for role in roles:
            key = (account.id, role)
            if key in unassigned or (key not in needs and account.id in waiting):
                continue
            before = account.owners.get(role) or None
            after = assignment.owners.get(key)
            if before == after:
                continue
            forced, reason = _reason(
                account, role, segment, before, key in needs, people, assignment, scenario
            )
            points = needs[key].points if key in needs else need_points(segment, role, scenario)
            rows.append(
                (account, role, before, after, forced, reason, points / POINT_SCALE, segment)
            )
    return tuple(_handoff(i, *row) for i, row in enumerate(rows, start=1))


def _reason(
    account: Account, role, segment, before, needed, people, assignment, scenario
) -> tuple[bool, str]:
    """(forced, reason in business words) for one owner change."""
    if before is None:
        return True, f"{role} newly needed"
    if not needed:
        return True, f"{role} released: no longer needed in {segment}"
    person = people.get(before)
    placed = assignment.teams.get(before)
    if person is None or placed is None:
        return True, "owner not in roster"
    if is_leaving(person, scenario):
        return True, f"owner leaves (last day {person.last_day})"
    team = Team(segment, role)
    if placed.team != team:
        if account.previous_segment and account.previous_segment != segment:
            return True, f"segment changed {account.previous_segment} -> {segment}"
        now = placed.team.label if placed.team else "no team"
        return True, f"owner changed team (now {now})"
    if is_away_whole_horizon(person, scenario):
        return True, "owner away for the whole plan"
    if any(o.person_id == before for o in assignment.overloads):
        return True, "owner's locked accounts exceed their capacity"
    return False, f"rebalancing {team.label}"


def _handoff(i, account: Account, role, before, after, forced, reason, points, segment) -> Handoff:
    return Handoff(
        id=f"H{i:04d}",
        account_id=account.id,
        account_name=account.name,
        role=role,
        from_id=before,
        to_id=after,
        forced=forced,
        reason=reason,
        points=points,
        segment_before=account.previous_segment,
        segment_after=segment,
        arr=account.arr or 0.0,
        renewal=account.renewal,
        go_live=account.go_live,
        onboarding=bool(account.onboarding),
        health=account.health,
        strategic=account.strategic,
        parent_id=account.parent_id,
    )
