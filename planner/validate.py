"""The validation report: what was read, where accounts land, and what looks wrong.

Pure functions over a scenario and its validated inputs; the CLI prints the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from planner.coverage import coverage_needs
from planner.domain import POINT_SCALE, ROLES, Account, InputProblem, Inputs
from planner.scenario import Scenario
from planner.segments import place_account, place_accounts
from planner.teams import capacity_points, is_away_whole_horizon, is_leaving, parse_new_team

EXCEPTION = "(exception)"


@dataclass(frozen=True, slots=True)
class SegmentChange:
    """An account whose segment is not the one its size, or its previous segment, says.

    by_size: segment from the employee count alone (None: below smallest or no size).
    final: the segment it goes to (explicit segment wins); None = exception.
    why: "explicit segment overrides size", "previous segment Mars", or both joined by "; ".
    """

    account: Account
    by_size: str | None
    final: str | None
    why: str


def segment_counts(scenario: Scenario, inputs: Inputs) -> dict[str, int]:
    """Segment name -> accounts, in scenario order, plus '(exception)' for unplaced ones."""
    placements = place_accounts(inputs.accounts, scenario.segments,
                                scenario.segmentation.below_smallest)
    counts = Counter(p.segment or EXCEPTION for p in placements.values())
    ordered = {name: counts.get(name, 0) for name in scenario.segment_names}
    ordered[EXCEPTION] = counts.get(EXCEPTION, 0)
    return ordered


def segment_changes(scenario: Scenario, inputs: Inputs) -> list[SegmentChange]:
    """Accounts where the explicit segment overrides the size, or the previous one differs;
    an account with both gets both reasons ("explicit segment overrides size; previous
    segment Mars")."""
    below = scenario.segmentation.below_smallest
    changes = []
    for account in inputs.accounts:
        final = place_account(account, scenario.segments, below).segment
        by_size = place_account(replace(account, explicit_segment=None), scenario.segments,
                                below).segment
        reasons = []
        if account.explicit_segment and by_size != account.explicit_segment:
            reasons.append("explicit segment overrides size")
        if account.previous_segment and account.previous_segment.casefold() != (
            final or ""
        ).casefold():
            reasons.append(f"previous segment {account.previous_segment}")
        if reasons:
            changes.append(SegmentChange(account, by_size, final, "; ".join(reasons)))
    return changes


@dataclass(frozen=True, slots=True)
class TeamCount:
    """A segment team after the realignment: the people the roster names to it, the accounts
    that need its role, and a note when nobody could cover them."""

    team: str
    people: int
    accounts: int
    note: str = ""
    uncovered: bool = False  # accounts need it and nobody can join it, or too few


def team_counts(scenario: Scenario, inputs: Inputs) -> tuple[list[TeamCount], Counter[str]]:
    """(every team with people or accounts, in segment then role order; people of account
    roles without a new team, per role: the planner proposes their team). Leavers and people
    away the whole plan are not counted: they take no new account."""
    placements = place_accounts(inputs.accounts, scenario.segments,
                                scenario.segmentation.below_smallest)
    needs = coverage_needs(inputs, placements, scenario)
    accounts = Counter((n.segment, n.role) for n in needs)
    workload: Counter[tuple[str, str]] = Counter()
    for need in needs:
        workload[need.segment, need.role] += need.points
    named: Counter[tuple[str, str]] = Counter()
    capacity: Counter[tuple[str, str]] = Counter()
    to_propose: Counter[str] = Counter()
    for person in inputs.people:
        if person.role not in ROLES or is_leaving(person, scenario) or is_away_whole_horizon(
                person, scenario):
            continue  # they take no account in this plan
        team = parse_new_team(person.new_team, person.role, scenario.segment_names)
        if team is None:
            to_propose[person.role] += 1
        else:
            named[team.segment, team.role] += 1
            capacity[team.segment, team.role] += capacity_points(person, scenario)
    rows = []
    for segment in scenario.segment_names:
        for role in ROLES:
            people, needing = named[segment, role], accounts[segment, role]
            if not people and not needing:
                continue
            note = ""
            short = (workload[segment, role] - capacity[segment, role]) / POINT_SCALE
            if people and short > 0 and not to_propose[role]:
                full = scenario.workload.full_time_points.get(role, 100.0)
                note = (f"{short:,.0f} points of work more than its people's capacity (about "
                        f"{short / full:.1f} people): some accounts will be unassigned")
            if needing and not people:
                spare = to_propose[role]
                note = (f"nobody named yet; proposed from the {spare} {role} "
                        f"{'person' if spare == 1 else 'people'} without a new team" if spare else
                        f"nobody in this team and no {role} left to propose: its accounts "
                        "will be unassigned")
            rows.append(TeamCount(f"{segment} {role}", people, needing, note,
                                  bool(note) and not to_propose[role]))
    return rows, to_propose


def _team_lines(scenario: Scenario, inputs: Inputs) -> list[str]:
    """'Teams (new)': people and accounts per team, the people left to propose, and the
    people outside segment teams (managers, support ...)."""
    rows, to_propose = team_counts(scenario, inputs)
    lines = ["Teams (new):" + " " * 19 + "people  accounts"]
    for row in rows:
        note = f"  {'! ' if row.uncovered else ''}{row.note}" if row.note else ""
        lines.append(f"  {row.team:<28} {row.people:>6} {row.accounts:>9,}{note}")
    for role, n in sorted(to_propose.items()):
        lines.append(f"  {'(to propose) ' + role:<28} {n:>6}")
    others = Counter(p.role for p in inputs.people if p.role not in ROLES)
    if others:
        names = ", ".join(sorted(others))
        lines.append(f"  not in a segment team ({names}): {sum(others.values())}")
    return lines


def format_problems(problems: Iterable[InputProblem], per_group: int = 3) -> list[str]:
    """Problems as list lines; the same message in the same column is shown a few times
    and then counted, so that 4,000 identical warnings stay readable."""
    groups: dict[tuple[str, str, str, str], list[InputProblem]] = {}
    for problem in problems:
        key = (problem.severity, problem.file, problem.column, problem.expected)
        groups.setdefault(key, []).append(problem)
    lines = []
    for items in groups.values():
        for problem in items[:per_group]:
            lines.append(f"  - {problem}")
        if len(items) > per_group:
            rows = [str(p.row) for p in items[per_group:per_group + 5]]
            lines.append(f"    ... and {len(items) - per_group} more like this "
                         f"(rows {', '.join(rows)}{', ...' if len(items) > per_group + 5 else ''})")
    return lines


def _segment_label(scenario: Scenario, name: str) -> str:
    for segment in scenario.segments:
        if segment.name == name:
            top = "+" if segment.max_employees is None else f"-{segment.max_employees}"
            return f"{segment.min_employees}{top}"
    return ""


def _column_lines(inputs: Inputs, most_ignored: int = 20) -> list[str]:
    """'Columns used' (field <- header, per file) and 'Columns ignored' sections."""
    if not inputs.columns:
        return []
    lines = ["", "Columns used:"]
    for file, pairs in inputs.columns.items():
        lines.append(f"  {file}")
        width = max((len(name) for name, _ in pairs), default=0)
        lines += [f"    {name:<{width}} <- {header}" for name, header in pairs]
    lines.append("Columns ignored:")
    for file, headers in inputs.ignored_columns.items():
        shown = ", ".join(headers[:most_ignored]) or "none"
        if len(headers) > most_ignored:
            shown += f" ... and {len(headers) - most_ignored} more"
        lines.append(f"  {file}: {shown}")
    return lines


def validation_report(scenario: Scenario, inputs: Inputs) -> str:
    """The text `planner validate` prints for usable inputs."""
    lines = [f"Scenario: {scenario.name} ({scenario.path.name})", ""]
    files = list(inputs.encodings)
    lines.append(f"Accounts read: {len(inputs.accounts):,} from {files[0]} "
                 f"({inputs.encodings[files[0]]})" if files else
                 f"Accounts read: {len(inputs.accounts):,}")
    if len(files) > 1:
        lines.append(f"People read:   {len(inputs.people)} from {files[1]} "
                     f"({inputs.encodings[files[1]]})")
    else:
        lines.append("People read:   none (no roster in the scenario)")
    lines += _column_lines(inputs)
    lines += ["", "Accounts per segment:"]
    counts = segment_counts(scenario, inputs)
    for name, count in counts.items():
        if name == EXCEPTION:
            policy = scenario.segmentation.below_smallest
            label = f"exceptions (below_smallest = {policy})"
            lines.append(f"  {label:<48} {count:>7,}")
        else:
            lines.append(f"  {name:<20} {_segment_label(scenario, name):<27} {count:>7,}")
    lowest = sum(1 for a in inputs.accounts if place_account(
        a, scenario.segments, scenario.segmentation.below_smallest).source == "lowest")
    if lowest:  # already counted in the lowest segment above
        lines.append(f"  ({lowest:,} placed in {scenario.segments[0].name} by policy)")
    placements = place_accounts(inputs.accounts, scenario.segments,
                                scenario.segmentation.below_smallest)
    unplaced = [a for a in inputs.accounts if placements[a.id].source in ("exception", "lowest")]
    if unplaced:
        lines.append("  Below the smallest segment or without a usable size:")
        for account in unplaced[:20]:
            raw = f" ({account.employees_raw!r})" if account.employees_raw else ""
            lines.append(f"    - {account.id} {account.name!r} (row {account.row}){raw}: "
                         f"{placements[account.id].note}")
        if len(unplaced) > 20:
            lines.append(f"    ... and {len(unplaced) - 20:,} more")
    changes = segment_changes(scenario, inputs)
    lines += ["", f"Accounts whose segment differs from the explicit or previous one: "
              f"{len(changes)}"]
    for change in changes[:50]:
        lines.append(f"  - {change.account.id} {change.account.name!r} (row "
                     f"{change.account.row}): by size {change.by_size or 'none'}, goes to "
                     f"{change.final or 'exception'} ({change.why})")
    if len(changes) > 50:
        lines.append(f"  ... and {len(changes) - 50} more")
    if inputs.people:
        roles = Counter(p.role for p in inputs.people)
        lines += ["", "People per role:"]
        lines += [f"  {role:<30} {n:>5}" for role, n in sorted(roles.items())]
        lines += _team_lines(scenario, inputs)
    lines += ["", f"Warnings: {len(inputs.notes)}"]
    lines += format_problems(inputs.notes)
    lines += ["", "Errors: 0 (the inputs are usable)"]
    return "\n".join(lines)
