"""Locked rows of a previous plan: which hard rules they break, checked before planning.

A manager locks a row (Locked = Y) to keep its new owner and start week. A lock that
breaks a hard rule stops the run with the row and the rule, unless locks are forced,
in which case the broken locks are dropped and re-planned.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Handoff, Inputs
from planner.explain import exclusion_phrase
from planner.io.previous import PreviousHandoff, PreviousPlan
from planner.pipeline import PlanResult
from planner.scenario import Scenario
from planner.schedule import ScheduleContext, allowed_weeks, week_of
from planner.teams import is_leaving


def lock_problems(previous: PreviousPlan, inputs: Inputs, scenario: Scenario) -> list[str]:
    """One line per locked row that breaks a hard rule, naming the row and the rule."""
    problems = []
    for row in previous.rows:
        if row.locked:
            problems += [f"{previous.path.name}, Handoffs row {row.row}: {p}"
                         for p in _row_problems(row, inputs, scenario)]
    return problems


def unkept_locks(result: PlanResult) -> list[str]:
    """Locked owners the plan could not keep: the person is not in the account's new team."""
    if result.previous is None:
        return []
    owners = result.assignment.owners
    names = {p.id: p.name for p in result.inputs.people}
    problems = []
    for row in result.previous.rows:
        key = (row.account_id, row.role)
        if row.locked and row.to_id and key in owners and owners[key] != row.to_id:
            team = result.assignment.teams.get(row.to_id)
            where = team.team.label if team and team.team else "no team"
            problems.append(
                f"{result.previous.path.name}, Handoffs row {row.row}: new owner "
                f"{names.get(row.to_id, row.to_id)!r} ({where}) cannot take the "
                f"{row.role} role of {row.account_id} in segment "
                f"{result.placements[row.account_id].segment}"
            )
    return problems


def without_broken_locks(
    previous: PreviousPlan, inputs: Inputs, scenario: Scenario
) -> PreviousPlan:
    """The previous plan with every locked row that breaks a rule unlocked."""
    rows = tuple(
        replace(row, locked=False) if row.locked and _row_problems(row, inputs, scenario) else row
        for row in previous.rows
    )
    return replace(previous, rows=rows)


def _row_problems(row: PreviousHandoff, inputs: Inputs, scenario: Scenario) -> list[str]:
    accounts = {a.id: a for a in inputs.accounts}
    people = {p.id: p for p in inputs.people}
    account = accounts.get(row.account_id)
    if account is None:
        return [f"account {row.account_id!r} is not in the accounts file"]
    problems = []
    if row.to and row.to_id not in people:
        problems.append(f"new owner {row.to!r} is not in the roster")
    elif row.to_id and is_leaving(people[row.to_id], scenario):
        problems.append(f"new owner {row.to!r} leaves before the plan ends")
    if row.start is None:
        return problems + ["locked row has no Start date"]
    week = week_of(scenario, row.start)
    if not 0 <= week < scenario.weeks:
        return problems + [f"Start {row.start} is outside the plan ({scenario.weeks} weeks "
                           f"from {scenario.start})"]
    handoff = Handoff(
        id=row.handoff_id, account_id=account.id, account_name=account.name, role=row.role,
        from_id=account.owners.get(row.role), to_id=row.to_id, forced=False, reason="locked",
        renewal=account.renewal, go_live=account.go_live, onboarding=bool(account.onboarding),
    )
    context = ScheduleContext(people=inputs.people)
    allowed, exclusions = allowed_weeks(handoff, context, scenario)
    if week not in allowed:
        problems += [f"Start {row.start} breaks the rule: {exclusion_phrase(e)}"
                     for e in exclusions if week in e.weeks]
    return problems
