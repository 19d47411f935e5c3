"""Business words for what the schedule could not do: why a handoff has no week, and which
rules conflict when the caps make a set of handoffs impossible.

Weeks are shown to people counted from 1 ("week 1" is the plan's first week); inside the
package they are 0-based.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from planner.domain import Handoff
from planner.scenario import Scenario
from planner.schedule import (
    Exclusion,
    Schedule,
    overlap_weeks,
    renewal_freeze_zone,
    week_monday,
)

log = logging.getLogger(__name__)


def _ranges(weeks: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for w in sorted(set(weeks)):
        if out and w == out[-1][1] + 1:
            out[-1] = (out[-1][0], w)
        else:
            out.append((w, w))
    return out


def weeks_text(weeks: Iterable[int], word: str = "week") -> str:
    """0-based weeks -> "week 2", "weeks 3–10", "weeks 1–2 and 5" (counted from 1)."""
    spans = _ranges(weeks)
    if not spans:
        return f"no {word}s"
    parts = [f"{a + 1}" if a == b else f"{a + 1}–{b + 1}" for a, b in spans]
    plural = len(spans) > 1 or spans[0][0] != spans[0][1]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{word}s {joined}" if plural else f"{word} {joined}"


def week_text(scenario: Scenario, week: int) -> str:
    """0-based week -> "week 3 (Jan 18, 2027)"."""
    monday = week_monday(scenario, week)
    return f"week {week + 1} ({monday:%b} {monday.day}, {monday.year})"


def _day(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d:%b} {d.day}, {d.year}"


def exclusion_phrase(exclusion: Exclusion) -> str:
    """One excluding rule in words, e.g. "renewal freeze weeks 3–10"."""
    weeks = exclusion.weeks
    rule, detail = exclusion.rule, exclusion.detail
    name, _, when = detail.partition("|")
    if rule == "renewal_freeze":
        return f"renewal freeze {weeks_text(weeks)} (renewal on {_day(detail)})"
    if rule == "onboarding":
        return f"onboarding until go-live on {_day(detail)} ({weeks_text(weeks)})"
    if rule == "blackout":
        return f"blackout {weeks_text(weeks)}"
    if rule == "plan_end":
        role, _, ov = detail.partition("|")
        return f"the plan's end ({weeks_text(weeks)}: a {role} handoff needs {_overlap(ov)})"
    if rule in ("giver_off", "receiver_off"):
        return f"{detail}'s time off ({weeks_text(weeks)})"
    if rule == "receiver_starts":
        return f"{name} starting on {_day(when)} ({weeks_text(weeks)})"
    if rule == "receiver_leaves":
        return f"{name} leaving on {_day(when)} ({weeks_text(weeks)})"
    if rule == "giver_leaves":
        return f"{name}'s last day on {_day(when)} ({weeks_text(weeks)})"
    return f"{rule} ({weeks_text(weeks)})"  # pragma: no cover - every rule is named above


def _overlap(weeks: int | str) -> str:
    return f"{weeks} overlap week" + ("" if int(weeks) == 1 else "s")


def _plan_length(scenario: Scenario) -> str:
    return f"{scenario.weeks} week" + ("" if scenario.weeks == 1 else "s")


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def exclusion_reason(
    handoff: Handoff, exclusions: Sequence[Exclusion], scenario: Scenario
) -> str:
    """Why no week of the horizon is allowed, e.g. "renewal freeze weeks 3–10 and blackout
    week 2 leave no week before Lee Chen's last day (Mar 5, 2027)", or "the plan is 1 week;
    a CSM handoff needs 2 overlap weeks" when the plan is too short for the overlap."""
    ov = overlap_weeks(handoff, scenario)
    if ov > scenario.weeks:
        return (f"the plan is {_plan_length(scenario)}; a {handoff.role} handoff needs "
                f"{_overlap(ov)}")
    leaving = [e for e in exclusions if e.rule == "giver_leaves"]
    after_leave = set(leaving[0].weeks) if leaving else set()
    # with a leaver, only the weeks before the last day matter
    kept = [Exclusion(e.rule, tuple(w for w in e.weeks if w not in after_leave), e.detail)
            for e in exclusions if e.rule != "giver_leaves"]
    others = [exclusion_phrase(e) for e in kept if e.weeks]
    if leaving:
        name, _, when = leaving[0].detail.partition("|")
        bound = f"before {name}'s last day ({_day(when)})"
        if not others:
            return (f"{name}'s last day ({_day(when)}) leaves no week for a {ov}-week overlap "
                    f"inside the plan")
        verb = "leaves" if len(others) == 1 else "leave"
        return f"{_join(others)} {verb} no week {bound}"
    verb = "leaves" if len(others) == 1 else "leave"
    return (f"{_join(others) or 'the rules'} {verb} no week in the plan's "
            f"{_plan_length(scenario)}")


#: What a manager may do about each kind of warning (the Exceptions sheet's fix column).
SPLIT_FIX = ("nothing to change: tell the customer that its owners change in separate weeks, "
             "or move a date (the rule named) so that the account moves once")
LOCKED_FIX = ("nothing to change if the lock is meant; otherwise clear Locked on the Handoffs "
              "sheet and plan again")
NO_GO_LIVE_FIX = ("confirm the week with the onboarding team, or fill in the account's go-live "
                  "date and plan again")


def locked_note(handoff: Handoff, conflicts: Sequence[Exclusion], scenario: Scenario) -> str:
    """A manager locked a handoff into a week some rule forbids: the lock is kept."""
    week = handoff.locked_week if handoff.locked_week is not None else 0
    rules = _join([exclusion_phrase(e) for e in conflicts])
    return (f"{handoff.account_name} {handoff.role}: kept in {week_text(scenario, week)} as "
            f"locked by a manager, although {rules} rule it out")


def _why_apart(exclusion: Exclusion) -> str:
    """A rule that keeps one sub-group of a split account away from the others, in a few
    words ("before Wen Novak's last day on Mar 12, 2027")."""
    rule, detail = exclusion.rule, exclusion.detail
    name, _, when = detail.partition("|")
    if rule == "renewal_freeze":
        return f"clear of the renewal on {_day(detail)}"
    if rule == "onboarding":
        return f"after go-live on {_day(detail)}"
    if rule == "giver_leaves":
        return f"before {name}'s last day on {_day(when)}"
    if rule == "receiver_starts":
        return f"after {name} starts on {_day(when)}"
    if rule == "receiver_leaves":
        return f"before {name} leaves on {_day(when)}"
    if rule in ("giver_off", "receiver_off"):
        return f"outside {detail}'s time off"
    if rule == "plan_end":
        return "ending within the plan"
    return "outside the blackout weeks"


def split_note(
    groups: Sequence[Sequence[Handoff]],
    weeks: dict[str, tuple[int, ...]],
    exclusions: dict[str, tuple[Exclusion, ...]],
    family: bool,
    scenario: Scenario,
) -> str:
    """An account (or family) whose role changes share no week, scheduled in sub-groups:
    "Birch Engineering: CSM moves in weeks 1–9 (before Wen Novak's last day on Mar 12,
    2027); PM and SA in weeks 11–26 (after go-live on Mar 15, 2027): scheduled in separate
    weeks". Each sub-group names the rules that exclude the weeks the others may use."""
    shared = [sorted(set(weeks[g[0].id]).intersection(*(weeks[h.id] for h in g)))
              for g in groups]
    order = sorted(range(len(groups)), key=lambda i: shared[i])
    parts = []
    for i in order:
        group = groups[i]
        elsewhere = {w for j, other in enumerate(shared) if j != i for w in other}
        why = [f"locked by a manager in week {h.locked_week + 1}"
               for h in group if h.locked_week is not None]
        # the fewest rules that rule out every week the other sub-groups use
        found = [e for h in group for e in exclusions.get(h.id, ())]
        uncovered = set(elsewhere)
        while uncovered and found:
            best = max(found, key=lambda e: len(uncovered.intersection(e.weeks)))
            if not uncovered.intersection(best.weeks):
                break
            uncovered -= set(best.weeks)
            found.remove(best)
            why.append(_why_apart(best))
        label = _group_label(group, family)
        verb = "" if parts else (" moves" if len(_roles(group, family)) == 1 else " move")
        reason = f" ({'; '.join(dict.fromkeys(why))})" if why else ""
        parts.append(f"{label}{verb} in {weeks_text(shared[i])}{reason}")
    head = groups[0][0].account_name
    head = f"the family of {head}" if family else head
    return f"{head}: {'; '.join(parts)}: scheduled in separate weeks"


def _roles(group: Sequence[Handoff], family: bool) -> list[tuple[str, str]]:
    return list(dict.fromkeys((h.account_name if family else "", h.role) for h in group))


def _group_label(group: Sequence[Handoff], family: bool) -> str:
    """"CSM" or "HYBRID, PM and SA"; with families, the account too ("Acme Ltd PM")."""
    if not family:
        return _join(list(dict.fromkeys(h.role for h in group)))
    roles: dict[str, list[str]] = {}
    for h in group:
        roles.setdefault(h.account_name, []).append(h.role)
    return _join([f"{name} {_join(list(dict.fromkeys(r)))}" for name, r in roles.items()])


def no_go_live_note(handoffs: Sequence[Handoff], week: int, scenario: Scenario) -> str:
    """An account still onboarding with no go-live date: its PM/SA handoffs had no date to
    wait for and were scheduled like any other."""
    roles = _join(list(dict.fromkeys(h.role for h in handoffs)))
    plural = "s" if len(handoffs) > 1 else ""
    return (f"{handoffs[0].account_name}: still onboarding with no go-live date; its {roles} "
            f"handoff{plural} start{'' if plural else 's'} in {week_text(scenario, week)} "
            "without waiting for go-live: confirm the timing with the onboarding team, or "
            "fill in the account's go-live date and plan again")


@dataclass(frozen=True, slots=True)
class CapConflict:
    """One rule and person (or team) in a set of rules that cannot hold together.

    family: "out_cap", "in_cap", "ramp", "team_cap" or "load".
    handoffs: how many handoffs the rule counts; fit: at most how many its weeks can hold.
    open_weeks: weeks the rule's handoffs could start in; weeks_off: the person's weeks off.
    """

    family: str
    subject: str
    handoffs: int
    fit: int
    cap: int
    open_weeks: int
    weeks_off: int = 0
    start_date: str = ""
    limit_points: float = 0.0
    last_day: str = ""  # ISO date when the person leaves (outgoing caps)
    kept_points: float = 0.0  # load: points the person keeps throughout
    in_points: float = 0.0  # load: points of the incoming handoffs
    handed_over: int = 0  # load: the person's outgoing handoffs
    out_points: float = 0.0  # load: their points


def cap_conflict_text(c: CapConflict, scenario: Scenario, alone: bool = False) -> str:
    """A conflicting rule in business words, with what to relax, e.g. "Lee Chen: 7 outgoing
    handoffs, at most 4 fit with a cap of 2 a week and 6 weeks off; ..."."""
    off = (f" and {c.weeks_off} week{'' if c.weeks_off == 1 else 's'} off" if c.weeks_off
           else "")
    if c.family == "out_cap" and c.last_day:
        off += f" before the last day ({_day(c.last_day)})"
    rules = scenario.rules
    if c.family in ("out_cap", "in_cap"):
        way = "outgoing" if c.family == "out_cap" else "incoming"
        key = (f"cap ('Max {'Out' if c.family == 'out_cap' else 'In'} Per Week' in the "
               f"roster, or [rules] max_handoffs_{'out' if c.family == 'out_cap' else 'in'}"
               "_per_week for everyone)")
        fix = ("give some of these accounts to another owner" if c.family == "in_cap"
               else "move some of these accounts later in another plan")
        head = f"{c.subject}: {c.handoffs} {way} handoffs"
        if c.fit < c.handoffs:
            return (f"{head}, at most {c.fit} fit with a cap of {c.cap} a week{off}; "
                    f"raise {c.subject}'s weekly {key} or {fix}")
        others = ("in the weeks each handoff allows (some have fewer open weeks than others)"
                  if alone else "together with the other rules listed")
        return (f"{head} with a cap of {c.cap} a week{off} over {c.open_weeks} open weeks "
                f"cannot fit {others}; raise {c.subject}'s weekly {key}")
    if c.family == "ramp":
        return (f"{c.subject} (new hire from {_day(c.start_date)}): {c.handoffs} incoming "
                f"handoffs, at most {c.fit} fit with {rules.new_hire_ramp_max_in} a week in the "
                f"first {rules.new_hire_ramp_weeks} weeks{off}; raise new_hire_ramp_max_in or "
                "give some of these accounts to someone already on board")
    if c.family == "team_cap":
        return (f"{c.subject} team: {c.handoffs} handoffs, at most {c.fit} fit with a team cap "
                f"of {c.cap} a week; raise max_handoffs_per_team_week")
    return _load_text(c, scenario)


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def _load_text(c: CapConflict, scenario: Scenario) -> str:
    """The load rule in words, with the points that break it: "Ben: keeps 5 points and
    would take over 2 accounts worth 10 points, above the limit of 10 points ..."."""
    limit = (f"the limit of {_points(c.limit_points)} (capacity × load_tolerance "
             f"{scenario.rules.load_tolerance:g})")
    fix = (f"raise load_tolerance or {c.subject}'s capacity, or hand fewer accounts to "
           f"{c.subject}")
    taking = (f"{c.handoffs} account{'s' if c.handoffs != 1 else ''} worth "
              f"{_points(c.in_points)}")
    if not c.handed_over:
        return (f"{c.subject}: keeps {_points(c.kept_points)} and would take over {taking}, "
                f"above {limit}; {fix}")
    return (f"{c.subject}: keeps {_points(c.kept_points)}, hands over {c.handed_over} "
            f"account{'s' if c.handed_over != 1 else ''} worth {_points(c.out_points)} and "
            f"would take over {taking}; carrying old and new accounts during the overlaps "
            f"goes above {limit} in some week; {fix}")


def diagnosis_lines(
    conflicts: Sequence[CapConflict], unplaced: int, scenario: Scenario
) -> list[str]:
    """The diagnosis of an impossible part: the rules in conflict, then what was done."""
    lines = [cap_conflict_text(c, scenario, len(conflicts) == 1) for c in conflicts]
    if unplaced:
        lines.append(f"{unplaced} handoff(s) could not be placed within the weekly caps and "
                     "load limits and are listed as exceptions; "
                     "the rest is scheduled")
    return lines



def schedule_summary(handoffs: Sequence[Handoff], schedule: Schedule,
                     scenario: Scenario) -> list[str]:
    """Console lines for a schedule: handoffs per wave, the peak week, handoffs kept out of
    a renewal freeze, the solver's figures and the exceptions."""
    by_id = {h.id: h for h in handoffs}
    lines = []
    per_wave: dict[int, list[int]] = {}
    for hid, wave in schedule.waves.items():
        per_wave.setdefault(wave, []).append(schedule.start_week[hid])
    for wave in sorted(per_wave):
        first = min(per_wave[wave])
        lines.append(f"wave {wave} (from {week_text(scenario, first)}): "
                     f"{len(per_wave[wave])} handoffs")
    weekly = Counter(schedule.start_week.values())
    if weekly:
        week, count = min(weekly.items(), key=lambda item: (-item[1], item[0]))
        lines.append(f"peak week: {week_text(scenario, week)} with {count} handoffs")
    protected = sum(1 for hid in schedule.start_week
                    if (zone := renewal_freeze_zone(by_id[hid], scenario)) is not None
                    and zone[1] >= 0 and zone[0] < scenario.weeks)
    lines.append(f"handoffs kept out of a renewal freeze: {protected}")
    lines.append(f"schedule: {schedule.status}, objective {schedule.objective:,}, "
                 f"bound {schedule.bound:,}, gap {100 * schedule.gap:.1f}%")
    lines.append(f"exceptions: {len(schedule.exceptions)}")
    for exc in schedule.exceptions:
        h = by_id.get(exc.handoff_id)
        what = f"{h.account_name} {h.role}" if h else exc.handoff_id
        lines.append(f"  {what}: {exc.reason}")
    lines.extend(f"note: {line}" for line in schedule.diagnosis)
    return lines
