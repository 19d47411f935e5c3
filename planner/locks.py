"""Locked rows of a previous plan: which hard rules they break, before and after planning.

A manager locks a row (Locked = Y) to keep its new owner and start week. Every locked row
must end with exactly that owner and that start week; a lock that cannot is reported by
row with the rule it breaks, and the run stops (exit 2) unless locks are forced, in which
case those locks are dropped, re-planned freely and listed on the Exceptions sheet.

Checked before planning (from the inputs alone), every problem of every locked row in one
list: each row on its own (its account is in the export; its To owner is given when the
role is needed, is one person of the roster, is not leaving, is in the
team that owns the role of the account's segment, given or proposed; it has a Start inside
the plan that the per-handoff rules allow), and the locked rows together against the weekly
caps of each person (out, in, new-hire ramp).

A locked row with a blank To keeps a role released only where the plan releases it (the
account's segment no longer needs the role). Where the role is needed, a blank To is an
error: the model has no way to leave a needed role without an owner on purpose (an
unassigned role is a shortfall it reports, not an option a manager can pick).
Checked after planning (against the finished plan): the owner each row got and the week
its handoff starts; what is left (the team's weekly cap, the load during the overlap,
the role changes of one account in one week) is explained from the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from planner.coverage import coverage_needs, needed_roles
from planner.domain import POINT_SCALE, Account, Handoff, Inputs, Person
from planner.explain import exclusion_phrase, week_text
from planner.io.previous import PreviousHandoff, PreviousPlan
from planner.pipeline import PlanResult
from planner.scenario import Scenario
from planner.schedule import (
    ScheduleContext,
    allowed_weeks,
    group_keys,
    in_cap_by_week,
    load_limits,
    out_cap,
    teams_of,
    week_of,
)
from planner.segments import Placement, place_accounts
from planner.teams import TeamPlacement, is_leaving, place_people

IN_CAP_KEY = "'Max In Per Week' in the roster, or [rules] max_handoffs_in_per_week"
OUT_CAP_KEY = "'Max Out Per Week' in the roster, or [rules] max_handoffs_out_per_week"


@dataclass(frozen=True, slots=True)
class LockProblem:
    """A locked row that cannot be kept as the manager set it.

    row: the Handoffs sheet row (as Excel numbers it); text: the row and the rule broken,
    e.g. "plan.xlsx, Handoffs row 5: ... (weekly cap of incoming handoffs)".
    """

    row: int
    text: str

    def __str__(self) -> str:
        return self.text


# --- before planning ----------------------------------------------------------------------


def lock_problems(previous: PreviousPlan, inputs: Inputs, scenario: Scenario) -> list[LockProblem]:
    """Every problem of every locked row: what each breaks on its own, and what the rows
    break together (weekly caps), sorted by sheet row."""
    accounts = {a.id: a for a in inputs.accounts}
    facts = _Facts.of(inputs, scenario) if previous.locked else None
    problems = []
    for row in previous.locked:
        assert facts is not None
        problems += [_problem(previous, row, p) for p in _row_problems(row, facts)]
    broken = {p.row for p in problems}
    usable = [r for r in previous.locked if r.row not in broken]
    problems += _cap_problems(previous, usable, accounts, inputs, scenario)
    return sorted(problems, key=lambda p: p.row)


def without_locks(previous: PreviousPlan, rows: Iterable[int]) -> PreviousPlan:
    """The previous plan with the locks of the given sheet rows removed (--force-locks)."""
    drop = set(rows)
    return replace(previous, rows=tuple(
        replace(row, locked=False) if row.row in drop else row for row in previous.rows))


def _problem(previous: PreviousPlan, row: PreviousHandoff, text: str) -> LockProblem:
    return LockProblem(row.row, f"{previous.path.name}, Handoffs row {row.row}: {text}")


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the rows are checked against: accounts, people, where each account goes and
    each person's team after the realignment (given in the roster or proposed, exactly as
    the plan will have them: teams are placed before any solving)."""

    scenario: Scenario
    inputs: Inputs
    accounts: dict[str, Account]
    people: dict[str, Person]
    placements: dict[str, Placement]
    teams: dict[str, TeamPlacement]

    @classmethod
    def of(cls, inputs: Inputs, scenario: Scenario) -> _Facts:
        placements = place_accounts(inputs.accounts, scenario.segments,
                                    scenario.segmentation.below_smallest)
        teams = place_people(inputs, placements, scenario,
                             coverage_needs(inputs, placements, scenario))
        return cls(scenario, inputs, {a.id: a for a in inputs.accounts},
                   {p.id: p for p in inputs.people}, placements, teams)

    def name(self, person_id: str) -> str:
        person = self.people.get(person_id)
        return (person.name if person else "") or person_id


def _row_problems(row: PreviousHandoff, facts: _Facts) -> list[str]:
    """Everything one locked row breaks on its own (not only the first thing)."""
    account = facts.accounts.get(row.account_id)
    problems = []
    if account is None:
        problems.append(f"account {row.account_id!r} is not in the accounts file")
    problems += _owner_problems(row, account, facts)
    problems += _start_problems(row, account, facts)
    return problems


def _owner_problems(row: PreviousHandoff, account: Account | None, facts: _Facts) -> list[str]:
    """The To owner: present where the role is needed, one person of the roster, staying,
    and in the team that owns the role in the account's segment."""
    segment = facts.placements[account.id].segment if account is not None else None
    needed = account is not None and row.role in needed_roles(account, segment, facts.scenario)
    if row.to is None:
        if not needed:
            return []  # a release, as the plan makes it (or the account is reported above)
        kept = (f" (To ID still names {row.to_id_cell!r})" if row.to_id_cell else "")
        return [f"a locked row needs a To owner{kept}; to release the role, the scenario's "
                f"coverage must stop needing it, but {row.account_id} in segment {segment} "
                f"needs {row.role}: put the new owner in To, or clear Locked to let the plan "
                "choose"]
    person = facts.people.get(row.to_id) if row.to_id is not None else None
    if person is None:
        return [_unknown_owner(row, facts)]
    if is_leaving(person, facts.scenario):
        return [f"new owner {row.to!r} leaves before the plan ends"]
    if account is None:
        return []
    return _team_problems(row, account, segment, needed, facts)


def _unknown_owner(row: PreviousHandoff, facts: _Facts) -> str:
    """An owner the roster does not know, or a name several people share."""
    assert row.to is not None
    key = row.to.strip().casefold()
    matches = sorted(p.id for p in facts.inputs.people
                     if key in (p.id.casefold(), p.name.strip().casefold()))
    if len(matches) > 1:
        return (f"new owner {row.to!r} is not one person: the name fits {len(matches)} "
                f"({', '.join(matches)}); put one of these ids in To ID, or a unique name")
    return f"new owner {row.to!r} is not in the roster"


def _team_problems(row: PreviousHandoff, account: Account, segment: str | None,
                   needed: bool, facts: _Facts) -> list[str]:
    """The owner's team after the realignment must own the role in the account's segment;
    the current owner may keep it. Said before planning, with the other problems."""
    assert row.to_id is not None
    if not needed:
        where = f"in segment {segment}" if segment else "without a segment (an exception)"
        return [f"new owner {row.to!r} is locked to the {row.role} role of {account.id}, but "
                f"the account {where} no longer needs {row.role}: clear To to keep the "
                "release, or unlock the row"]
    team = facts.teams.get(row.to_id)
    label = team.team.label if team is not None and team.team is not None else "no team"
    if team is None or team.team is None or team.team.segment != segment \
            or team.team.role != row.role:
        return [_wrong_team(row.to, label, row.role, account.id, segment)
                + _team_source(team)]
    if not team.can_receive and account.owners.get(row.role) != row.to_id:
        return [f"new owner {row.to!r} cannot receive accounts in this plan (away every week "
                "of it, or starting after it ends)"]
    return []


def _wrong_team(name: str, team: str, role: str, account_id: str, segment: str | None) -> str:
    return (f"new owner {name!r} ({team}) cannot take the {role} role of {account_id} in "
            f"segment {segment}")


def _team_source(team: TeamPlacement | None) -> str:
    if team is None or team.team is None:
        return ": the person's role owns no accounts"
    if team.proposed:
        return (": the planner proposes that team for them (the roster gives no New Team); "
                "set their New Team in the roster, or choose an owner of the right team")
    return ": that is their New Team in the roster; choose an owner of the right team"


def _start_problems(row: PreviousHandoff, account: Account | None, facts: _Facts) -> list[str]:
    """A Start inside the plan that the per-handoff rules allow (the rules need the account)."""
    scenario = facts.scenario
    if row.start is None:
        return ["locked row has no Start date (a locked row keeps its owner and its week)"]
    week = week_of(scenario, row.start)
    if not 0 <= week < scenario.weeks:
        return [f"Start {row.start} is outside the plan ({scenario.weeks} weeks "
                f"from {scenario.start})"]
    if account is None:
        return []
    allowed, exclusions = allowed_weeks(_handoff(row, account),
                                        ScheduleContext(facts.inputs.people), scenario)
    if week in allowed:
        return []
    return [f"Start {row.start} breaks the rule: {exclusion_phrase(e)}"
            for e in exclusions if week in e.weeks]


def _handoff(row: PreviousHandoff, account: Account) -> Handoff:
    """The handoff a locked row describes, as far as the per-handoff rules need it."""
    return Handoff(
        id=row.handoff_id, account_id=account.id, account_name=account.name, role=row.role,
        from_id=account.owners.get(row.role), to_id=row.to_id, forced=False, reason="locked",
        renewal=account.renewal, go_live=account.go_live, onboarding=bool(account.onboarding),
    )


def _cap_problems(previous: PreviousPlan, rows: Sequence[PreviousHandoff],
                  accounts: dict[str, Account], inputs: Inputs,
                  scenario: Scenario) -> list[LockProblem]:
    """Locked rows that together exceed a person's weekly cap (out, in or new-hire ramp).

    Rows are taken in sheet order: the first ones up to the cap are fine, each further row
    is a problem naming the rows before it (so --force-locks keeps as many as fit)."""
    context = ScheduleContext(inputs.people)
    names = {p.id: p.name or p.id for p in inputs.people}
    incoming: dict[tuple[str, int], list[PreviousHandoff]] = defaultdict(list)
    outgoing: dict[tuple[str, int], list[PreviousHandoff]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.row):
        if row.start is None or row.account_id not in accounts:
            continue
        week = week_of(scenario, row.start)
        giver = accounts[row.account_id].owners.get(row.role)
        if row.to_id and row.to_id != giver:
            incoming[(row.to_id, week)].append(row)
        if giver and giver != row.to_id:
            outgoing[(giver, week)].append(row)
    problems = []
    for (person, week), group in incoming.items():
        cap = in_cap_by_week(person, context, scenario)[week]
        ramp = cap < in_cap_by_week(person, context, scenario)[-1]  # a new hire's first weeks
        problems += _over_cap(previous, group, cap, scenario, week,
                              f"incoming handoffs for {names.get(person, person)}",
                              "the new-hire ramp ([rules] new_hire_ramp_max_in in the first "
                              "new_hire_ramp_weeks weeks)" if ramp else
                              f"the weekly cap of incoming handoffs ({IN_CAP_KEY})")
    for (person, week), group in outgoing.items():
        cap = out_cap(person, context, scenario)
        problems += _over_cap(previous, group, cap, scenario, week,
                              f"outgoing handoffs from {names.get(person, person)}",
                              f"the weekly cap of outgoing handoffs ({OUT_CAP_KEY})")
    return problems


def _over_cap(previous: PreviousPlan, group: list[PreviousHandoff], cap: int,
              scenario: Scenario, week: int, what: str, rule: str) -> list[LockProblem]:
    problems = []
    for n, row in enumerate(group):
        if n < cap:
            continue
        earlier = ", ".join(str(r.row) for r in group[:n])
        what_n = what.replace("handoffs", "handoff") if n == 1 else what
        problems.append(_problem(previous, row, (
            f"locked in {week_text(scenario, week)} with {n} other locked {what_n} that week "
            f"(row{'s' if n > 1 else ''} {earlier}); the caps together allow {cap} a week: "
            f"{rule}. Move this row's Start to another week or unlock it")))
    return problems


# --- after planning -----------------------------------------------------------------------


def unkept_locks(result: PlanResult) -> list[LockProblem]:
    """Locked rows whose owner or start week the finished plan does not have, each with
    the rule that stood in the way."""
    if result.previous is None:
        return []
    handoffs = {(h.account_id, h.role): h for h in result.handoffs}
    accounts = {a.id: a for a in result.inputs.accounts}
    problems = []
    for row in result.previous.locked:
        text = _owner_not_kept(row, result, accounts) or _week_not_kept(
            row, handoffs.get((row.account_id, row.role)), result)
        if text:
            problems.append(_problem(result.previous, row, text))
    return problems


def _owner_not_kept(row: PreviousHandoff, result: PlanResult,
                    accounts: dict[str, Account]) -> str:
    """Why the row's owner is not the plan's owner ("" when it is)."""
    key = (row.account_id, row.role)
    owner = result.assignment.owners.get(key)
    if row.to_id is None or owner == row.to_id:
        return ""
    names = {p.id: p.name for p in result.inputs.people}
    segment = result.placements[row.account_id].segment if row.account_id in accounts else None
    if owner is None:
        needed = any(n.key == key for n in result.assignment.needs)
        return (f"new owner {names.get(row.to_id, row.to_id)!r} is kept nowhere: the "
                f"{row.role} role of {row.account_id} is "
                + ("unassigned in this plan (see Exceptions)" if needed else
                   f"no longer needed in segment {segment}"))
    team = result.assignment.teams.get(row.to_id)
    where = team.team.label if team and team.team else "no team"
    return _wrong_team(names.get(row.to_id, row.to_id), where, row.role, row.account_id,
                       segment)


def _week_not_kept(row: PreviousHandoff, handoff: Handoff | None, result: PlanResult) -> str:
    """Why the row's handoff does not start in its locked week ("" when it does)."""
    if handoff is None or row.start is None:
        return ""  # the owner is already the locked one: nothing to hand over
    scenario = result.scenario
    locked = week_of(scenario, row.start)
    placed = result.schedule.start_week.get(handoff.id)
    if placed == locked:
        return ""
    head = (f"locked to start in {week_text(scenario, locked)}, but the plan "
            + (f"could only start it in {week_text(scenario, placed)}" if placed is not None
               else "could not schedule it"))
    reasons = week_conflicts(handoff, locked, result)
    if not reasons:
        reasons = [e.reason for e in result.schedule.exceptions if e.handoff_id == handoff.id]
    return head + ": " + ("; ".join(reasons) or "the rules together leave no room that week")


def week_conflicts(handoff: Handoff, week: int, result: PlanResult) -> list[str]:
    """The rules a handoff starting in ``week`` breaks, given where the plan put the rest:
    weekly caps (person, team), the load during its overlap, and its account's other role
    changes that must start in the same week."""
    others = [h for h in result.handoffs if h.id != handoff.id
              and result.schedule.start_week.get(h.id) == week]
    return (_cap_conflicts(handoff, week, others, result)
            + _load_conflicts(handoff, week, result)
            + _group_conflicts(handoff, week, result))


def _cap_conflicts(handoff: Handoff, week: int, others: list[Handoff],
                   result: PlanResult) -> list[str]:
    scenario, context = result.scenario, result.context
    found = []
    if handoff.to_id:
        cap = in_cap_by_week(handoff.to_id, context, scenario)[week]
        n = sum(h.to_id == handoff.to_id for h in others)
        if n + 1 > cap:
            found.append(f"{context.name(handoff.to_id)} already receives {n} handoff(s) that "
                         f"week and the cap is {cap} a week ({IN_CAP_KEY})")
    if handoff.from_id:
        cap = out_cap(handoff.from_id, context, scenario)
        n = sum(h.from_id == handoff.from_id for h in others)
        if n + 1 > cap:
            found.append(f"{context.name(handoff.from_id)} already hands over {n} account(s) "
                         f"that week and the cap is {cap} a week ({OUT_CAP_KEY})")
    team_cap = scenario.rules.max_handoffs_per_team_week
    if team_cap > 0:
        for team in teams_of(handoff, context):
            n = sum(team in teams_of(h, context) for h in others)
            if n + 1 > team_cap:
                found.append(f"team {team} already has {n} handoff(s) that week and the team "
                             f"cap is {team_cap} ([rules] max_handoffs_per_team_week)")
    return found


def _load_conflicts(handoff: Handoff, week: int, result: PlanResult) -> list[str]:
    """The receiver's load in the weeks the handoff would add to, against its limit."""
    from planner.reporting import weekly_load  # the plan's week-by-week load, as reported

    if not handoff.to_id or handoff.to_id not in result.context.capacity:
        return []
    limit = load_limits(result.handoffs, result.context, result.scenario)[handoff.to_id]
    limit /= POINT_SCALE
    series = list(weekly_load(result).get(handoff.to_id, [0.0] * result.scenario.weeks))
    placed = result.schedule.start_week.get(handoff.id)
    for w in range(result.scenario.weeks):  # move this handoff's points to the locked week
        if placed is not None and w >= placed:
            series[w] -= handoff.points
        if w >= week:
            series[w] += handoff.points
    peak = max(series[week:], default=0.0)
    if peak <= limit + 1e-9:
        return []
    name = result.context.name(handoff.to_id)
    return [f"{name}'s load would reach {peak:g} points, above the limit of {limit:g} "
            f"(capacity × [rules] load_tolerance {result.scenario.rules.load_tolerance:g})"]


def _group_conflicts(handoff: Handoff, week: int, result: PlanResult) -> list[str]:
    """Role changes that must start with this one (same account, or family) elsewhere."""
    keys = group_keys(result.handoffs, result.scenario)
    apart = [h for h in result.handoffs if h.id != handoff.id and keys[h.id] == keys[handoff.id]
             and result.schedule.start_week.get(h.id, week) != week]
    if not apart:
        return []
    where = ", ".join(f"{h.account_name} {h.role} in "
                      f"{week_text(result.scenario, result.schedule.start_week[h.id])}"
                      for h in apart)
    return [f"the role changes of one account start in the same week "
            f"([rules] same_week_per_account), and {where}"]
