"""PlanResult -> PlanReport: the figures and tables the workbook, the CSV and the CLI show.

No planning happens here: every number is read or counted from the finished plan. Each
figure that appears in two places (a key figure and a sheet column) comes from one
function here, so the two always agree.
"""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata
from typing import Any

from planner.domain import POINT_SCALE, Account, Handoff, InputProblem
from planner.io.crm_csv import FORMULA_STARTS
from planner.pipeline import PlanResult
from planner.report import PlanReport, ReportMeta, frame, notes_frame
from planner.schedule import allowed_weeks, blackout_week_set, overlap_weeks, week_monday

#: The Reason of a handoff the schedule could not place starts with this.
NOT_SCHEDULED = "not scheduled"
#: Load sheet "Peak week" when the peak is the load once the plan is over (handoffs not
#: scheduled would bring it then).
AFTER_THE_PLAN = "after the plan"


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the run knows beyond the plan itself (``planner.run`` fills it).

    seconds: wall time of the run so far (reading, planning, checking).
    fingerprints: file -> sha256 of files besides the exports (scenario, previous plan).
    notes: warnings about the run (a previous plan of another scenario ...), for Input notes.
    dropped_locks: locked rows not kept (--force-locks), "file, Handoffs row N: rule".
    previous: the Summary's "Previous plan" line; None when there was none.
    owner_fields: role -> CRM field of the role's owner (the CRM CSV's "Owner field").
    """

    seconds: float | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)
    notes: tuple[InputProblem, ...] = ()
    dropped_locks: tuple[str, ...] = ()
    previous: str | None = None
    owner_fields: dict[str, str] = field(default_factory=dict)


def build_report(result: PlanResult, dropped_locks: tuple[str, ...] = (),
                 facts: RunFacts | None = None) -> PlanReport:
    """Every sheet's table from one finished plan.

    dropped_locks: locked rows of the previous plan set aside by --force-locks (listed on
    the Exceptions sheet so that the manager sees which locks were not kept); also taken
    from ``facts``.
    """
    facts = facts or RunFacts()
    dropped = [{"What": line.split(": ", 1)[0], "Reason": line.split(": ", 1)[-1],
                "Suggested fix": "this lock was not kept (--force-locks): fix the row as the "
                "reason says and lock it again"}
               for line in (*dropped_locks, *facts.dropped_locks)]
    crm, crm_notes = _crm_rows(result, facts.owner_fields)
    return PlanReport(
        meta=_meta(result, facts),
        handoffs=frame("handoffs", _handoff_rows(result), extra=("From ID", "To ID", "Team",
                                                                 "Forced", "Bound by",
                                                                 "Renewal", "ARR")),
        accounts=frame("accounts", _account_rows(result)),
        load=frame("load", _load_rows(result)),
        weekly=frame("weekly", _weekly_rows(result)),
        segments=frame("segments", _segment_rows(result)),
        stages=frame("stages", _stage_rows(result)),
        exceptions=frame("exceptions", dropped + exception_rows(result)),
        notes=notes_frame((*result.inputs.notes, *facts.notes, *crm_notes)),
        crm=frame("crm", crm),
    )


# --- figures ---------------------------------------------------------------------------


def key_figures(result: PlanResult) -> dict[str, Any]:
    """The figures a CS leader reads first, in the order they are shown."""
    scheduled = [h for h in result.handoffs if h.id in result.schedule.start_week]
    keeps = keeps_every_owner(result)
    keeping = [a for a in result.inputs.accounts if keeps[a.id]]
    per_week = Counter(result.schedule.start_week.values())
    spread_before = result.assignment.spread_before
    spread_after = result.assignment.spread_after
    renewals = any(a.renewal for a in result.inputs.accounts)
    return {
        "Accounts": len(result.inputs.accounts),
        "Accounts keeping every owner": len(keeping),
        "ARR keeping every owner": (round(sum(a.arr or 0.0 for a in keeping), 2)
                                    if has_arr(result) else NO_ARR),
        "Handoffs": len(result.handoffs),
        "Handoffs scheduled": len(scheduled),
        "Handoffs not scheduled (see Exceptions)": len(result.handoffs) - len(scheduled),
        "Forced moves": sum(h.forced for h in result.handoffs),
        "Optional moves": sum(not h.forced for h in result.handoffs),
        "Unassigned (needs a decision)": len(result.assignment.unassigned),
        "Largest team load spread before (pts of utilization)": _worst(spread_before),
        "Largest team load spread after (pts of utilization)": _worst(spread_after),
        "Waves": len(set(result.schedule.waves.values())),
        "Peak weekly handoffs": max(per_week.values(), default=0),
        RENEWAL_FIGURE: (len(kept_clear_of_renewals(result)) if renewals
                         else "n/a (no renewal dates)"),
        "Exceptions": len(exception_rows(result)),
    }


#: Key figure label: handoffs the renewal freeze moved (see ``kept_clear_of_renewals``).
RENEWAL_FIGURE = "Handoffs moved clear of a renewal freeze"
#: An ARR figure when the accounts export gives no ARR at all (a 0 would read as a fact).
NO_ARR = "n/a (no ARR in the export)"


def has_arr(result: PlanResult) -> bool:
    """True when at least one account has an ARR: otherwise ARR figures are not known
    (the export has no ARR column, or it is empty), rather than zero."""
    return any(a.arr is not None for a in result.inputs.accounts)


def keeps_every_owner(result: PlanResult) -> dict[str, bool]:
    """Account id -> True when the account keeps every owner: it has a segment, no role
    of it changes owner (moved, released or newly covered, scheduled or not) and no role
    it needs is left unassigned. The one definition behind the key figures and the
    Accounts sheet's "Keeps every owner" column."""
    changing = {h.account_id for h in result.handoffs}
    changing |= {u.account_id for u in result.assignment.unassigned}
    return {a.id: result.placements[a.id].segment is not None and a.id not in changing
            for a in result.inputs.accounts}


def kept_clear_of_renewals(result: PlanResult) -> list[Handoff]:
    """Scheduled handoffs the renewal freeze moved: their account renews during (or just
    after) the plan, the freeze ruled out weeks that all their other rules allowed, and
    their overlap was kept out of it. A handoff whose freeze weeks were closed anyway (a
    leaver's last day, a blackout ...) is not counted: the freeze changed nothing there."""
    kept = []
    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        if week is None or h.renewal is None:
            continue
        _, exclusions = allowed_weeks(h, result.context, result.scenario)
        freeze = {w for e in exclusions if e.rule == "renewal_freeze" for w in e.weeks}
        others = {w for e in exclusions if e.rule != "renewal_freeze" for w in e.weeks}
        if freeze - others and week not in freeze:
            kept.append(h)
    return kept


def _worst(spreads: dict[str, float]) -> float:
    return round(max(spreads.values(), default=0.0), 1)


def status_line(result: PlanResult) -> str:
    """One line for a manager: how good each stage is, and what could not be planned."""
    return "; ".join([_stage_status("owners", result.assignment.stages, result.assignment.gap,
                                    result.assignment.bound),
                      _stage_status("schedule", result.schedule.stages, result.schedule.gap,
                                    result.schedule.bound)]
                     + _unplanned(result))


def _stage_status(name: str, stages, gap: float, bound: int) -> str:
    statuses = {s.status for s in stages}
    if statuses <= {"OPTIMAL", "EMPTY"}:
        return f"{name} optimal"
    if bound <= 0:
        return f"{name}: best found within the time limit (no bound proven)"
    return f"{name}: best found within the time limit, at most {gap:.1%} from the best possible"


def _unplanned(result: PlanResult) -> list[str]:
    notes = []
    if result.schedule.exceptions:
        notes.append(f"{plural(len(result.schedule.exceptions), 'handoff')} cannot fit the "
                     "rules (see Exceptions)")
    if result.assignment.unassigned:
        notes.append(f"{plural(len(result.assignment.unassigned), 'role')} unassigned "
                     "(see Exceptions)")
    return notes


def plural(n: int, word: str) -> str:
    """"1 handoff", "3 handoffs" (with thousands separators)."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _meta(result: PlanResult, facts: RunFacts) -> ReportMeta:
    scenario = result.scenario
    blackouts = tuple(sorted(w for w in blackout_week_set(scenario) if 0 <= w < scenario.weeks))
    return ReportMeta(
        scenario=scenario.name,
        start=scenario.start,
        weeks=scenario.weeks,
        run_seconds=round(result.seconds if facts.seconds is None else facts.seconds, 2),
        blackout_weeks=blackouts,
        versions=_versions(),
        fingerprints={**result.inputs.fingerprints, **facts.fingerprints},
        key_figures=key_figures(result),
        status=status_line(result),
        previous=facts.previous,
    )


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("planner", "ortools", "pandas", "openpyxl"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


# --- tables ----------------------------------------------------------------------------


def _names(result: PlanResult) -> dict[str, str]:
    return {p.id: p.name or p.id for p in result.inputs.people}


def handoff_dates(handoff: Handoff, week: int, result: PlanResult) -> tuple[date, date]:
    """First day (a Monday) and last day of the overlap of a handoff starting in ``week``."""
    start = week_monday(result.scenario, week)
    end = start + timedelta(weeks=overlap_weeks(handoff, result.scenario), days=-1)
    return start, end


def _bound_by(handoff: Handoff, week: int, result: PlanResult) -> str:
    """The rule that decided the week, in a few words."""
    if handoff.locked_week is not None:
        return "locked by a manager"
    allowed, exclusions = allowed_weeks(handoff, result.context, result.scenario)
    earlier = [e.rule.replace("_", " ") for e in exclusions if any(w < week for w in e.weeks)]
    if allowed and week == allowed[0]:
        return ", ".join(sorted(set(earlier))) or "earliest week"
    return "weekly caps and load balance"


def _handoff_rows(result: PlanResult) -> list[dict[str, Any]]:
    """One row per handoff; those the schedule could not place have no Start or End and a
    Reason that says why, so that a manager can give them a Start, lock them and re-plan."""
    names = _names(result)
    team_of = result.context.team_of
    why = not_scheduled_reasons(result)
    rows = []
    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        start, end = handoff_dates(h, week, result) if week is not None else (None, None)
        reason = h.reason if week is not None else (
            f"{NOT_SCHEDULED}: {why.get(h.id, 'no week found')} (moves because: {h.reason})")
        rows.append({
            "Handoff ID": h.id, "Account ID": h.account_id, "Account": h.account_name,
            "Segment": h.segment_after or h.segment_before or "", "Role": h.role,
            "From": names.get(h.from_id, h.from_id) if h.from_id else None,
            "To": names.get(h.to_id, h.to_id) if h.to_id else None,
            "Start": start, "End": end, "Wave": result.schedule.waves.get(h.id),
            "Reason": reason, "Locked": "Y" if h.locked_week is not None else "",
            "From ID": h.from_id, "To ID": h.to_id,
            "Team": team_of.get(h.to_id or "", team_of.get(h.from_id or "", "")),
            "Forced": h.forced,
            "Bound by": _bound_by(h, week, result) if week is not None else "",
            "Renewal": h.renewal, "ARR": h.arr,
        })
    # scheduled rows in date order, then the ones without a week
    rows.sort(key=lambda r: (r["Start"] is None, r["Start"] or date.max, r["Segment"],
                             r["Account"], r["Role"]))
    return rows


def not_scheduled_reasons(result: PlanResult) -> dict[str, str]:
    """Handoff id -> why the schedule could not place it (the first reason given)."""
    reasons: dict[str, str] = {}
    for e in result.schedule.exceptions:
        reasons.setdefault(e.handoff_id, e.reason)
    return reasons


def _roles(result: PlanResult) -> list[str]:
    used = {r for a in result.inputs.accounts for r in a.owners} | {
        n.role for n in result.assignment.needs
    }
    return [r for r in ("CSM", "PM", "SA", "HYBRID") if r in used]


def _owners_after(account: Account, result: PlanResult,
                  unassigned: set[str]) -> dict[str, str | None]:
    """Owner per role after the plan; ``unassigned``: the account's roles left for a
    decision (while one waits, the roles it no longer needs keep their owners)."""
    if result.placements[account.id].segment is None:
        return dict(account.owners)  # exceptions keep their owners until a decision
    after = {}
    for role in ("CSM", "PM", "SA", "HYBRID"):
        owner = result.assignment.owners.get((account.id, role))
        if owner is None and unassigned and role not in unassigned:
            owner = account.owners.get(role)  # not released while a role waits for a decision
        after[role] = owner
    return after


def _account_rows(result: PlanResult) -> list[dict[str, Any]]:
    names = _names(result)
    waiting: dict[str, set[str]] = {}  # account -> its roles left for a decision
    for u in result.assignment.unassigned:
        waiting.setdefault(u.account_id, set()).add(u.role)
    unscheduled = {h.account_id for h in result.handoffs
                   if h.id not in result.schedule.start_week}
    keeps = keeps_every_owner(result)
    roles = _roles(result)
    rows = []
    for account in sorted(result.inputs.accounts, key=lambda a: a.id):
        after = _owners_after(account, result, waiting.get(account.id, set()))
        row: dict[str, Any] = {
            "Account ID": account.id, "Account": account.name, "ARR": account.arr,
            "Segment before": account.previous_segment,
            "Segment after": result.placements[account.id].segment,
        }
        changed = False
        for role in roles:
            before_id, after_id = account.owners.get(role), after.get(role)
            row[f"{role} before"] = names.get(before_id, before_id) if before_id else None
            row[f"{role} after"] = names.get(after_id, after_id) if after_id else None
            changed |= (before_id or None) != (after_id or None)
        row["Changed"] = changed
        row["Unassigned"] = account.id in waiting
        row["Not scheduled"] = account.id in unscheduled
        row["Keeps every owner"] = keeps[account.id]
        rows.append(row)
    return rows


def weekly_load(result: PlanResult) -> dict[str, list[float]]:
    """Person id -> points carried in each plan week, as the plan unfolds week by week.

    Accounts that do not move stay with their owner; a scheduled handoff is carried by
    both owners during its overlap, then by the new owner; a handoff the schedule could not
    place and a role left unassigned stay with the current owner all along."""
    weeks = result.scenario.weeks
    load = {pid: [base] * weeks for pid, base in result.context.base_load.items()}

    def carry(person: str | None, points: float, first: int, last: int) -> None:
        if person:
            series = load.setdefault(person, [0.0] * weeks)
            for w in range(max(0, first), min(weeks, last)):
                series[w] += points

    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        if week is None:
            carry(h.from_id, h.points, 0, weeks)
            continue
        carry(h.from_id, h.points, 0, week + overlap_weeks(h, result.scenario))
        carry(h.to_id, h.points, week, weeks)
    owners = {a.id: a.owners for a in result.inputs.accounts}
    for u in result.assignment.unassigned:
        carry(owners.get(u.account_id, {}).get(u.role), u.points, 0, weeks)
    return load


def peak_load(series: list[float], before: float, after: float) -> tuple[float, int | None]:
    """(peak points, 0-based week it is first reached) over the transition: the plan's
    weeks, framed by the load before it starts and after it ends. The week is None when
    the peak is the load after the plan (handoffs not scheduled still to come)."""
    peak = max([before, after, *series])
    week = next((w for w, v in enumerate(series) if v >= peak - 1e-9), None)
    if week is None and before >= peak - 1e-9:
        week = 0  # the load before the first handoff is the load of week 1
    return round(peak, 2), week


def _load_rows(result: PlanResult) -> list[dict[str, Any]]:
    a = result.assignment
    weekly = weekly_load(result)
    rows = []
    for person in sorted(result.inputs.people, key=lambda p: p.id):
        placement = a.teams.get(person.id)
        if placement is None or (placement.team is None and person.id not in a.load_before
                                 and person.id not in weekly):
            continue  # horizontal functions carry no accounts
        capacity = a.capacity.get(person.id, 0) / POINT_SCALE
        before = a.load_before.get(person.id, 0) / POINT_SCALE
        after = a.load_after.get(person.id, 0) / POINT_SCALE
        peak, week = peak_load(weekly.get(person.id, []), before, after)
        rows.append({
            "Person ID": person.id, "Name": person.name,
            "Team": placement.team.label if placement.team else "",
            "Capacity": capacity,
            "Load before": before,
            "Load after": after,
            "Peak during transition": peak,
            "Utilization after": round(after / capacity, 3) if capacity else None,
            "Peak week": (week_monday(result.scenario, week) if week is not None
                          else AFTER_THE_PLAN),
            "Proposed team": "Y" if placement.proposed else "",
            "Leaving": "Y" if placement.leaving else "",
        })
    return rows


def _weekly_rows(result: PlanResult) -> list[dict[str, Any]]:
    counts: Counter[tuple[str, int]] = Counter()
    team_of = result.context.team_of
    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        if week is not None:
            team = team_of.get(h.to_id or "", team_of.get(h.from_id or "", "(released)"))
            counts[(team, week)] += 1
    return [
        {"Team": team, "Week": week_monday(result.scenario, week), "Handoffs": n}
        for (team, week), n in sorted(counts.items())
    ]


#: Segments sheet: accounts without a segment (blank before; a decision needed after)
NO_SEGMENT_ROW = "(no segment: blank before, needs a decision after)"


def _segment_rows(result: PlanResult) -> list[dict[str, Any]]:
    rows = []
    known = any(a.previous_segment for a in result.inputs.accounts)  # else "before" is unknown
    arr = has_arr(result)  # else ARR is unknown, not zero: blank cells
    for segment in result.scenario.segments:
        before = [a for a in result.inputs.accounts if a.previous_segment == segment.name]
        after = [a for a in result.inputs.accounts
                 if result.placements[a.id].segment == segment.name]
        rows.append({
            "Segment": segment.name, "Levels": segment.levels,
            "Min employees": segment.min_employees, "Max employees": segment.max_employees,
            "Accounts before": len(before) if known else None, "Accounts after": len(after),
            "ARR before": sum(a.arr or 0.0 for a in before) if known and arr else None,
            "ARR after": sum(a.arr or 0.0 for a in after) if arr else None,
        })
    # so that both columns add up to every account: blank (or unknown) segments before,
    # accounts that need a segment decision after
    names = set(result.scenario.segment_names)
    unsorted = [a for a in result.inputs.accounts if a.previous_segment not in names]
    unplaced = [a for a in result.inputs.accounts if result.placements[a.id].segment is None]
    if unplaced or (known and unsorted):
        rows.append({
            "Segment": NO_SEGMENT_ROW, "Levels": "",
            "Min employees": None, "Max employees": None,
            "Accounts before": len(unsorted) if known else None,
            "Accounts after": len(unplaced),
            "ARR before": sum(a.arr or 0.0 for a in unsorted) if known and arr else None,
            "ARR after": sum(a.arr or 0.0 for a in unplaced) if arr else None,
        })
    return rows


def _stage_rows(result: PlanResult) -> list[dict[str, Any]]:
    rows = [
        {"Stage": "assign", "Part": p.team, "Status": p.status,
         "Objective": round(p.objective / POINT_SCALE), "Bound": round(p.bound / POINT_SCALE),
         "Gap": round(p.gap, 4), "Seconds": round(p.seconds, 2)}
        for p in result.assignment.stages
    ]
    rows += [
        {"Stage": "schedule", "Part": f"part {s.part} ({s.handoffs} handoffs)",
         "Status": s.status, "Objective": s.objective, "Bound": s.bound,
         "Gap": round(s.gap, 4) if s.bound > 0 or s.objective == 0 else None,
         "Seconds": round(s.seconds, 2), "Set aside": s.set_aside}
        for s in result.schedule.stages
    ]
    return rows


def exception_rows(result: PlanResult) -> list[dict[str, Any]]:
    """Everything the plan could not decide, each with the reason and the fix."""
    accounts = {a.id: a for a in result.inputs.accounts}
    handoffs = {h.id: h for h in result.handoffs}
    rows = []  # what concerns a whole team or the schedule first, then account by account
    for shortfall in result.assignment.shortfalls:
        rows.append({
            "What": shortfall.team, "Reason": shortfall.text,
            "Suggested fix": f"add about {shortfall.people:.1f} people to {shortfall.team}, "
            "or raise capacities",
        })
    for item in result.assignment.attention:  # lock overloads, families split
        rows.append({"What": item.what, "Reason": item.reason, "Suggested fix": item.fix})
    warnings = {w.text: w for w in result.schedule.warnings}
    for line in result.schedule.diagnosis:
        warning = warnings.get(line)
        rows.append({"What": "schedule warning" if warning else "schedule", "Reason": line,
                     "Suggested fix": warning.fix if warning else _diagnosis_fix(line)})
    for account_id, placement in sorted(result.placements.items()):
        if placement.segment is None:
            rows.append({
                "What": f"{accounts[account_id].name} ({account_id})", "Reason": placement.note,
                "Suggested fix": "set the account's Segment column, or set "
                "[segmentation] below_smallest = \"lowest\"",
            })
    for u in result.assignment.unassigned:
        rows.append({
            "What": f"{accounts[u.account_id].name} ({u.account_id}) {u.role}",
            "Reason": f"unassigned, needs a decision: {u.reason}",
            "Suggested fix": f"add capacity to {u.team} or choose an owner by hand",
        })
    for e in result.schedule.exceptions:
        h = handoffs[e.handoff_id]
        rows.append({
            "What": f"{h.account_name} ({h.account_id}) {h.role} handoff",
            "Reason": f"{NOT_SCHEDULED}: {e.reason}",
            "Suggested fix": _schedule_fix(h, result),
        })
    return rows


def _schedule_fix(handoff: Handoff, result: PlanResult) -> str:
    """What a manager can do about a handoff without a week, by what kept it out."""
    allowed, _ = allowed_weeks(handoff, result.context, result.scenario)
    if not allowed:  # its own rules leave no week: a lock there would break them too
        return ("relax the rule named: a [rules] setting of the scenario, or the roster's "
                "dates for the person named (Weeks Off, Start Date, Last Day); or lengthen "
                "the plan ([plan] weeks), or choose another owner; the handoff then gets a "
                "week on the next run")
    return ("set a Start on its row of the Handoffs sheet (a Monday the rules named allow), "
            "put Y in Locked and plan again with --previous; or raise the cap or capacity "
            "named, or give the account to another owner")


def _diagnosis_fix(line: str) -> str:
    """The fix for a line of the schedule's diagnosis (its text often carries one)."""
    if "; raise " in line:
        return "raise " + line.split("; raise ", 1)[1]
    if "raise " in line:
        return line[line.index("raise "):]
    if "locked by a manager" in line:
        return "move the locked Start to a week the rules allow, or keep it knowingly"
    if "listed as exceptions" in line:
        return "see the handoff rows above: each says what kept it out and what to do"
    return "see the rows above; relax the rules named or lengthen the plan ([plan] weeks)"


#: The CRM CSV's "Change" column, after the loader's columns, for an ops person to filter
#: on: the field gets a new owner, or is cleared (the role is released: the account's
#: coverage no longer has it, e.g. PM and SA in a segment without onboarding roles, or the
#: CSM where a HYBRID takes over).
CHANGE_NEW_OWNER = "new owner"
CHANGE_RELEASED = "released"


def _crm_rows(result: PlanResult, owner_fields: dict[str, str]
              ) -> tuple[list[dict[str, Any]], list[InputProblem]]:
    """One owner update per scheduled handoff (a handoff without a week is not exported:
    the CRM keeps the current owner until it is scheduled), and the notes about them. A
    released role has no new owner: its New owner ID is blank (clear the field) and its
    Change says "released".

    Account ids are written exactly as the CRM knows them (its 18-character form where the
    readers give one): the CSV is a bulk update keyed on them, and an altered id would
    update nothing. An id a spreadsheet would read as a formula gets a warning instead."""
    accounts = {a.id: a for a in result.inputs.accounts}
    people = {p.id: p for p in result.inputs.people}
    settings = result.scenario.inputs
    rows, notes = [], []
    for role in sorted({h.role for h in result.handoffs} - set(owner_fields)):
        notes.append(InputProblem(
            "warning", settings.accounts.name, 1, f"{role} owner", "",
            f"a column of {role} owners, whose header names the CRM field to update; the "
            f"CRM update CSV writes '{role} Owner' (set [crm] fields = {{ {role} = "
            f"\"Field__c\" }} in the scenario)"))
    flagged: set[str] = set()

    def flag(key: str, file: str, row: int | None, column: str) -> None:
        if key.startswith(FORMULA_STARTS) and key not in flagged:
            flagged.add(key)
            notes.append(InputProblem(
                "warning", file, row, column, key,
                "an id that does not start with = + - @: a spreadsheet would read this one "
                "as a formula. The CRM update CSV keeps it exact so that the bulk update "
                "matches the record: load the CSV with the CRM's import tool, do not open "
                "and save it in a spreadsheet first"))

    account_file, account_header = result.inputs.id_columns.get(
        "accounts", (settings.accounts.name, "Account ID"))
    people_file, people_header = result.inputs.id_columns.get(
        "people", (settings.people.name if settings.people else "", "id"))
    for h in sorted(result.handoffs, key=lambda h: (h.account_id, h.role)):
        week = result.schedule.start_week.get(h.id)
        if week is None:
            continue
        account = accounts.get(h.account_id)
        crm_id = str((getattr(account, "crm_id", None) if account else None) or h.account_id)
        start, _ = handoff_dates(h, week, result)
        person = people.get(h.to_id) if h.to_id else None
        owner_id = (person.crm_id if person else None) or h.to_id
        rows.append({"Account ID": crm_id,
                     "Owner field": owner_fields.get(h.role, f"{h.role} Owner"),
                     "New owner ID": owner_id, "Effective date": start,
                     "Change": CHANGE_NEW_OWNER if owner_id else CHANGE_RELEASED})
        flag(crm_id, account_file, account.row if account else None, account_header)
        if owner_id:
            flag(owner_id, people_file, person.row if person else None, people_header)
    return rows, notes
