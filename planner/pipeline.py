"""plan(scenario) -> PlanResult: the stages in order, orchestration only.

read & validate -> segment -> assign -> handoffs -> schedule -> check -> report.
Each stage is a plain function of its own module; this one only wires them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import count

from planner.assignment import Assignment
from planner.check.assignment import assignment_objective, check_assignment
from planner.check.schedule import check_schedule, schedule_objective
from planner.domain import POINT_SCALE, Handoff, Inputs
from planner.handoffs import derive_handoffs
from planner.io.previous import PreviousPlan
from planner.io.readers import read_inputs
from planner.optimize.assign import assign
from planner.optimize.schedule import schedule_handoffs
from planner.scenario import Scenario
from planner.schedule import Schedule, ScheduleContext, week_of
from planner.segments import Placement, place_accounts

log = logging.getLogger(__name__)

#: Receives one line of progress text (stage, part k of n, objective, gap).
Progress = Callable[[str], None]


class PlanCheckError(Exception):
    """The optimizer returned a plan that the solver-free checker rejects (a bug)."""


@dataclass(frozen=True, slots=True)
class PlanResult:
    """Everything one run produced, for the writers, the CLI and the notebook."""

    scenario: Scenario
    inputs: Inputs
    placements: dict[str, Placement]
    assignment: Assignment
    handoffs: tuple[Handoff, ...]
    schedule: Schedule
    context: ScheduleContext
    seconds: float
    previous: PreviousPlan | None = None


def plan(
    scenario: Scenario,
    inputs: Inputs | None = None,
    previous: PreviousPlan | None = None,
    progress: Progress | None = None,
) -> PlanResult:
    """Run every stage on ``scenario``; raises InputError on unusable inputs.

    ``previous``: an earlier plan a manager edited; its locked rows keep owner and week.
    """
    began = time.perf_counter()
    if inputs is None:
        inputs = read_inputs(scenario)
    placements = place_accounts(
        inputs.accounts, scenario.segments, scenario.segmentation.below_smallest
    )
    pins = locked_owners(previous) if previous is not None else {}
    earlier = previous_owners(previous) if previous is not None else {}
    assignment = assign(inputs, placements, scenario, progress=_assign_progress(progress),
                        pins=pins, previous=earlier)
    handoffs = derive_handoffs(inputs, placements, assignment, scenario)
    if previous is not None:
        handoffs = apply_locked_weeks(handoffs, previous, scenario)
    context = schedule_context(inputs, assignment, handoffs)
    schedule = schedule_handoffs(handoffs, context, scenario, progress=progress)
    result = PlanResult(
        scenario, inputs, placements, assignment, handoffs, schedule, context,
        time.perf_counter() - began, previous,
    )
    verify(result)
    return result


def _assign_progress(progress: Progress | None):
    """Adapt the assignment stage's reports (AssignProgress) to lines of progress text."""
    if progress is None:
        return None
    return lambda event: progress(event.text)


def schedule_context(
    inputs: Inputs, assignment: Assignment, handoffs: tuple[Handoff, ...]
) -> ScheduleContext:
    """People, teams, capacities and the load each person keeps throughout (points)."""
    moving = {(h.account_id, h.role) for h in handoffs}
    base: dict[str, float] = {}
    for need in assignment.needs:
        owner = assignment.owners.get(need.key)
        if owner and need.key not in moving:
            base[owner] = base.get(owner, 0.0) + need.points / POINT_SCALE
    teams = {pid: t.team.label for pid, t in assignment.teams.items() if t.team is not None}
    capacity = {pid: c / POINT_SCALE for pid, c in assignment.capacity.items()}
    parents = {a.id: a.parent_id for a in inputs.accounts if a.parent_id}
    return ScheduleContext(inputs.people, teams, capacity, base, parents)


def locked_owners(previous: PreviousPlan) -> dict[tuple[str, str], str]:
    """(account id, role) -> the new owner of each locked row of the previous plan."""
    return {
        (row.account_id, row.role): row.to_id
        for row in previous.rows
        if row.locked and row.to_id is not None
    }


def previous_owners(previous: PreviousPlan) -> dict[tuple[str, str], str]:
    """(account id, role) -> new owner of every row of the previous plan (locked or not)."""
    return {(row.account_id, row.role): row.to_id for row in previous.rows if row.to_id}


def apply_locked_weeks(
    handoffs: tuple[Handoff, ...], previous: PreviousPlan, scenario: Scenario
) -> tuple[Handoff, ...]:
    """Carry the previous plan over: its handoff id and start week for every row (the
    schedule then prefers that week), and the week itself for locked rows."""
    rows = {(row.account_id, row.role): row for row in previous.rows}
    taken = {row.handoff_id for row in previous.rows}
    fresh = (f"H{n:04d}" for n in count(1) if f"H{n:04d}" not in taken)
    carried = []
    for h in handoffs:
        row = rows.get((h.account_id, h.role))
        if row is None:
            carried.append(replace(h, id=next(fresh)))
            continue
        week = week_of(scenario, row.start) if row.start is not None else None
        carried.append(replace(
            h, id=row.handoff_id, previous_week=week,
            locked_week=week if row.locked else None,
        ))
    return tuple(carried)


def verify(result: PlanResult) -> None:
    """Re-check every hard rule and every objective term without the solver."""
    inputs, scenario = result.inputs, result.scenario
    problems = check_assignment(inputs, result.placements, result.assignment, scenario)
    problems += check_schedule(result.handoffs, result.context, scenario, result.schedule)
    if problems:
        raise PlanCheckError("the plan breaks rules:\n" + "\n".join(problems))
    terms = assignment_objective(inputs, result.placements, result.assignment, scenario)
    if terms != result.assignment.terms:
        raise PlanCheckError(f"assignment objective {result.assignment.terms} != {terms}")
    terms = schedule_objective(result.handoffs, result.context, scenario, result.schedule)
    if terms != result.schedule.terms:
        raise PlanCheckError(f"schedule objective {result.schedule.terms} != {terms}")
    log.info("checker: every rule holds, objectives recomputed")
