"""Teams after the realignment: each person's team (segment + role), given or proposed.

- A person whose role is not an owner role (Support, CS Ops, managers...) is horizontal:
  no team, never assigned accounts.
- ``Person.new_team`` ("Venus" or "Venus CSM") wins; the role is always the person's role.
- Otherwise the planner proposes a team. Team sizes follow workload: points needed divided
  by the role's full-time points, rounded, overridden by ``workload.team_sizes``; people
  given a team fill their seats first. Proposed people then go, greedily, to the open seat
  where they keep the most customer relationships weighted by ARR (ties: more accounts,
  then person id, then segment order). Left-over people go to the team with the most
  uncovered work.

Why a greedy procedure and not a model: teams are small (tens of people), the ARR-kept
score is what a leader would compute by hand, and the result is explainable in one line
per person ("keeps $1.2M of ARR in Venus"). Every decision is marked ``proposed``.

Availability: a person leaving before the plan ends (last day within the horizon) holds
nothing afterwards. A person away for every week of the horizon, starting after it, or
whose roster caps incoming handoffs at 0 a week, may keep current accounts but receives
nothing new (no week could hold the handoff).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from planner.domain import POINT_SCALE, ROLES, Inputs, Person, Team
from planner.scenario import Scenario
from planner.segments import Placement

log = logging.getLogger(__name__)

OWNER_ROLES: tuple[str, ...] = ROLES


@dataclass(frozen=True, slots=True)
class TeamPlacement:
    """One person's place after the realignment.

    team: None for horizontal people (not an owner role).
    proposed: True when the planner chose the team (the roster did not say).
    leaving: last day before the plan ends: owns nothing afterwards.
    can_receive: may be given accounts they do not own today.
    capacity: workload points the person can carry, scaled by POINT_SCALE.
    """

    person_id: str
    role: str
    team: Team | None
    proposed: bool
    leaving: bool
    can_receive: bool
    capacity: int
    note: str = ""

    @property
    def can_keep(self) -> bool:
        """May keep accounts they own today (in their team)."""
        return self.team is not None and not self.leaving


def plan_end(scenario: Scenario) -> date:
    """First day after the plan horizon."""
    return scenario.start + timedelta(weeks=scenario.weeks)


def is_leaving(person: Person, scenario: Scenario) -> bool:
    """Last day falls before the plan ends."""
    return person.last_day is not None and person.last_day < plan_end(scenario)


def is_gone_before_plan(person: Person, scenario: Scenario) -> bool:
    """Last day before the plan starts: nobody is there to hand over."""
    return person.last_day is not None and person.last_day < scenario.start


def is_off_every_plan_week(person: Person, scenario: Scenario) -> bool:
    """Weeks off cover every week of the plan."""
    mondays = {scenario.start + timedelta(weeks=w) for w in range(scenario.weeks)}
    return mondays <= set(person.weeks_off)


def is_away_whole_horizon(person: Person, scenario: Scenario) -> bool:
    """Away every week of the plan, or starting only after it ends."""
    if person.start_date is not None and person.start_date >= plan_end(scenario):
        return True
    return is_off_every_plan_week(person, scenario)


def capacity_points(person: Person, scenario: Scenario) -> int:
    """Capacity in scaled points: FTE x role full-time points, or points as given."""
    workload = scenario.workload
    full = workload.full_time_points.get(person.role, 100.0)
    if workload.capacity_unit == "points":
        points = full if person.capacity is None else person.capacity
    else:
        points = (1.0 if person.capacity is None else person.capacity) * full
    return round(points * POINT_SCALE)


def parse_new_team(text: str | None, role: str, segments: tuple[str, ...]) -> Team | None:
    """'Venus' or 'Venus CSM' -> Team('Venus', role); None when blank or unknown segment."""
    if not text or not text.strip():
        return None
    words = text.split()
    by_fold = {s.casefold(): s for s in segments}
    for size in range(len(words), 0, -1):
        segment = by_fold.get(" ".join(words[:size]).casefold())
        if segment is not None:
            return Team(segment, role)  # a role named in the text is ignored (see _place_role)
    return None


def _team_points(needs, role: str) -> dict[str, int]:
    """Segment -> scaled points needed in ``role``."""
    points: dict[str, int] = {}
    for need in needs:
        if need.role == role:
            points[need.segment] = points.get(need.segment, 0) + need.points
    return points


def _kept_scores(
    inputs: Inputs, placements: dict[str, Placement]
) -> dict[tuple[str, str], tuple[float, int]]:
    """(person id, segment) -> (ARR, accounts) the person owns today in accounts of that segment."""
    scores: dict[tuple[str, str], tuple[float, int]] = {}
    for account in inputs.accounts:
        placement = placements.get(account.id)
        if placement is None or placement.segment is None:
            continue
        for owner in set(account.owners.values()):
            arr, count = scores.get((owner, placement.segment), (0.0, 0))
            scores[(owner, placement.segment)] = (arr + (account.arr or 0.0), count + 1)
    return scores


def _seats(role: str, points: dict[str, int], scenario: Scenario, segments) -> dict[str, int]:
    """Segment -> people the team should have: workload / full-time points, or the override."""
    full = scenario.workload.full_time_points.get(role, 100.0) * POINT_SCALE
    seats = {}
    for segment in segments:
        override = scenario.workload.team_sizes.get(f"{segment} {role}")
        seats[segment] = override if override is not None else round(points.get(segment, 0) / full)
    return seats


def place_people(
    inputs: Inputs, placements: dict[str, Placement], scenario: Scenario, needs=None
) -> dict[str, TeamPlacement]:
    """Person id -> TeamPlacement for everyone in the roster (see module doc for the rules)."""
    from planner.coverage import coverage_needs  # local: keeps the import graph flat

    needs = coverage_needs(inputs, placements, scenario) if needs is None else needs
    segments = scenario.segment_names
    scores = _kept_scores(inputs, placements)
    people = sorted(inputs.people, key=lambda p: p.id)
    result: dict[str, TeamPlacement] = {}
    chosen: dict[str, tuple[Team | None, bool, str]] = {}
    for role in sorted({p.role for p in people if p.role in OWNER_ROLES}):
        of_role = [p for p in people if p.role == role]
        chosen.update(_place_role(role, of_role, needs, scores, segments, scenario))
    for person in people:
        team, proposed, note = chosen.get(person.id, (None, False, "horizontal role"))
        leaving = is_leaving(person, scenario)
        away = is_away_whole_horizon(person, scenario)
        result[person.id] = TeamPlacement(
            person_id=person.id,
            role=person.role,
            team=team,
            proposed=proposed,
            leaving=leaving,
            can_receive=(team is not None and not leaving and not away
                         and person.max_in_per_week != 0),
            capacity=capacity_points(person, scenario) if team is not None else 0,
            note=note,
        )
    return result


def _place_role(role, people, needs, scores, segments, scenario):
    """Team for each person of one role: given ones first, then greedy by ARR kept."""
    out: dict[str, tuple[Team | None, bool, str]] = {}
    points = _team_points(needs, role)
    seats = _seats(role, points, scenario, segments)
    open_people = []
    for person in people:
        team = parse_new_team(person.new_team, role, segments)
        if team is not None:
            named = person.new_team.split()[-1] if person.new_team else ""
            if named.upper() in OWNER_ROLES and named.upper() != role.upper():
                log.warning("%s: the roster's new team %r names the role %s, but %s is a %s; "
                            "placed in %s", person.id, person.new_team, named, person.id, role,
                            team.label)
            out[person.id] = (team, False, "")
            if not is_leaving(person, scenario):
                seats[team.segment] = seats.get(team.segment, 0) - 1
        else:
            if person.new_team:
                log.warning(
                    "%s: the roster's new team %r is not a segment (%s); the planner proposes "
                    "a team", person.id, person.new_team, ", ".join(segments),
                )
            open_people.append(person)
    if not open_people:
        return out
    order = {s: i for i, s in enumerate(segments)}
    pairs = sorted(
        ((scores.get((p.id, s), (0.0, 0)), p.id, s) for p in open_people for s in segments),
        key=lambda t: (-t[0][0], -t[0][1], t[1], order[t[2]]),
    )
    staying = {p.id for p in open_people if not is_leaving(p, scenario)}
    for (arr, count), person_id, segment in pairs:
        if person_id in out or person_id not in staying or seats.get(segment, 0) <= 0:
            continue
        seats[segment] -= 1
        note = (
            f"proposed: keeps {count} account(s), ARR {arr:,.0f}"
            if count
            else "proposed: open seat"
        )
        out[person_id] = (Team(segment, role), True, note)
    for person in open_people:
        if person.id in out:
            continue
        if person.id not in staying:
            best = max(segments, key=lambda s: (scores.get((person.id, s), (0.0, 0)), -order[s]))
            out[person.id] = (
                Team(best, role),
                True,
                "proposed: leaving, team where their accounts are",
            )
            continue
        if not points:
            out[person.id] = (None, False, f"no account needs a {role}")
            continue
        capacity = _assigned_capacity(out, people, role, scenario)
        with_work = [s for s in segments if points.get(s, 0) > 0]
        segment = max(with_work, key=lambda s: (points[s] - capacity.get(s, 0), -order[s]))
        out[person.id] = (Team(segment, role), True, "proposed: team with the most uncovered work")
    return out


def _assigned_capacity(out, people, role, scenario) -> dict[str, int]:
    """Segment -> scaled capacity of people of ``role`` already placed (not leaving)."""
    capacity: dict[str, int] = {}
    for person in people:
        placed = out.get(person.id)
        if placed and placed[0] is not None and not is_leaving(person, scenario):
            seg = placed[0].segment
            capacity[seg] = capacity.get(seg, 0) + capacity_points(person, scenario)
    return capacity
