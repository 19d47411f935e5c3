"""PlanResult -> PlanReport: the figures and tables the workbook, the CSV and the CLI show.

No planning happens here: every number is read or counted from the finished plan.
"""

from __future__ import annotations

import platform
from collections import Counter
from datetime import date, timedelta
from importlib import metadata
from typing import Any

from planner.domain import POINT_SCALE, Account, Handoff
from planner.pipeline import PlanResult
from planner.report import PlanReport, ReportMeta, frame, notes_frame
from planner.schedule import allowed_weeks, blackout_week_set, overlap_weeks, week_monday


def build_report(result: PlanResult, dropped_locks: tuple[str, ...] = ()) -> PlanReport:
    """Every sheet's table from one finished plan.

    dropped_locks: locked rows of the previous plan set aside by --force-locks (listed on
    the Exceptions sheet so that the manager sees which locks were not kept).
    """
    dropped = [{"What": line.split(": ", 1)[0], "Reason": line.split(": ", 1)[-1],
                "Suggested fix": "this lock was not kept (--force-locks): fix the row and "
                "lock it again"} for line in dropped_locks]
    return PlanReport(
        meta=_meta(result),
        handoffs=frame("handoffs", _handoff_rows(result), extra=("From ID", "To ID", "Team",
                                                                 "Forced", "Bound by",
                                                                 "Renewal", "ARR")),
        accounts=frame("accounts", _account_rows(result)),
        load=frame("load", _load_rows(result)),
        weekly=frame("weekly", _weekly_rows(result)),
        segments=frame("segments", _segment_rows(result)),
        stages=frame("stages", _stage_rows(result)),
        exceptions=frame("exceptions", dropped + exception_rows(result)),
        notes=notes_frame(result.inputs.notes),
        crm=frame("crm", _crm_rows(result)),
    )


# --- figures ---------------------------------------------------------------------------


def key_figures(result: PlanResult) -> dict[str, Any]:
    """The figures a CS leader reads first, in the order they are shown."""
    scheduled = [h for h in result.handoffs if h.id in result.schedule.start_week]
    moved = {h.account_id for h in result.handoffs}
    planned = [a for a in result.inputs.accounts if result.placements[a.id].segment]
    keeping = [a for a in planned if a.id not in moved]
    per_week = Counter(result.schedule.start_week.values())
    spread_before = result.assignment.spread_before
    spread_after = result.assignment.spread_after
    return {
        "Accounts": len(result.inputs.accounts),
        "Accounts keeping every owner": len(keeping),
        "ARR keeping every owner": round(sum(a.arr or 0.0 for a in keeping), 2),
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
        "Handoffs kept clear of renewals": (
            sum(_renews_in_plan(h, result) for h in scheduled)
            if any(a.renewal for a in result.inputs.accounts) else "n/a (no renewal dates)"
        ),
        "Exceptions": len(exception_rows(result)),
    }


def _worst(spreads: dict[str, float]) -> float:
    return round(max(spreads.values(), default=0.0), 1)


def _renews_in_plan(handoff: Handoff, result: PlanResult) -> bool:
    """The account renews inside the plan window, so the freeze rule had to keep it clear."""
    if handoff.renewal is None:
        return False
    end = result.scenario.start + timedelta(weeks=result.scenario.weeks)
    return result.scenario.start <= handoff.renewal < end


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
        notes.append(f"{len(result.schedule.exceptions)} handoffs cannot fit the rules "
                     "(see Exceptions)")
    if result.assignment.unassigned:
        notes.append(f"{len(result.assignment.unassigned)} roles unassigned (see Exceptions)")
    return notes


def _meta(result: PlanResult) -> ReportMeta:
    scenario = result.scenario
    blackouts = tuple(sorted(w for w in blackout_week_set(scenario) if 0 <= w < scenario.weeks))
    return ReportMeta(
        scenario=scenario.name,
        start=scenario.start,
        weeks=scenario.weeks,
        run_seconds=round(result.seconds, 2),
        blackout_weeks=blackouts,
        versions=_versions(),
        fingerprints=dict(result.inputs.fingerprints),
        key_figures=key_figures(result),
        status=status_line(result),
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
    names = _names(result)
    team_of = result.context.team_of
    rows = []
    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        if week is None:
            continue  # listed on Exceptions with the reason
        start, end = handoff_dates(h, week, result)
        rows.append({
            "Handoff ID": h.id, "Account ID": h.account_id, "Account": h.account_name,
            "Segment": h.segment_after or h.segment_before or "", "Role": h.role,
            "From": names.get(h.from_id, h.from_id) if h.from_id else None,
            "To": names.get(h.to_id, h.to_id) if h.to_id else None,
            "Start": start, "End": end, "Wave": result.schedule.waves.get(h.id),
            "Reason": h.reason, "Locked": "Y" if h.locked_week is not None else "",
            "From ID": h.from_id, "To ID": h.to_id,
            "Team": team_of.get(h.to_id or "", team_of.get(h.from_id or "", "")),
            "Forced": h.forced, "Bound by": _bound_by(h, week, result),
            "Renewal": h.renewal, "ARR": h.arr,
        })
    rows.sort(key=lambda r: (r["Start"], r["Segment"], r["Account"], r["Role"]))
    return rows


def _roles(result: PlanResult) -> list[str]:
    used = {r for a in result.inputs.accounts for r in a.owners} | {
        n.role for n in result.assignment.needs
    }
    return [r for r in ("CSM", "PM", "SA", "HYBRID") if r in used]


def _owners_after(account: Account, result: PlanResult) -> dict[str, str | None]:
    if result.placements[account.id].segment is None:
        return dict(account.owners)  # exceptions keep their owners until a decision
    return {
        role: result.assignment.owners.get((account.id, role))
        for role in ("CSM", "PM", "SA", "HYBRID")
    }


def _account_rows(result: PlanResult) -> list[dict[str, Any]]:
    names = _names(result)
    unassigned = {u.account_id for u in result.assignment.unassigned}
    rows = []
    for account in sorted(result.inputs.accounts, key=lambda a: a.id):
        after = _owners_after(account, result)
        row: dict[str, Any] = {
            "Account ID": account.id, "Account": account.name, "ARR": account.arr,
            "Segment before": account.previous_segment,
            "Segment after": result.placements[account.id].segment,
        }
        changed = False
        for role in _roles(result):
            before_id, after_id = account.owners.get(role), after.get(role)
            row[f"{role} before"] = names.get(before_id, before_id) if before_id else None
            row[f"{role} after"] = names.get(after_id, after_id) if after_id else None
            changed |= (before_id or None) != (after_id or None)
        row["Changed"] = changed
        row["Unassigned"] = account.id in unassigned
        rows.append(row)
    return rows


def weekly_load(result: PlanResult) -> dict[str, list[float]]:
    """Person id -> points carried in each plan week, both owners during an overlap."""
    weeks = result.scenario.weeks
    load = {pid: [base] * weeks for pid, base in result.context.base_load.items()}
    for h in result.handoffs:
        week = result.schedule.start_week.get(h.id)
        if week is None:
            continue
        end = min(weeks, week + overlap_weeks(h, result.scenario))
        if h.from_id:
            series = load.setdefault(h.from_id, [0.0] * weeks)
            for w in range(end):
                series[w] += h.points
        if h.to_id:
            series = load.setdefault(h.to_id, [0.0] * weeks)
            for w in range(week, weeks):
                series[w] += h.points
    return load


def _load_rows(result: PlanResult) -> list[dict[str, Any]]:
    a = result.assignment
    weekly = weekly_load(result)
    rows = []
    for person in sorted(result.inputs.people, key=lambda p: p.id):
        placement = a.teams.get(person.id)
        if placement is None or (placement.team is None and person.id not in a.load_before):
            continue  # horizontal functions carry no accounts
        capacity = a.capacity.get(person.id, 0) / POINT_SCALE
        after = a.load_after.get(person.id, 0) / POINT_SCALE
        rows.append({
            "Person ID": person.id, "Name": person.name,
            "Team": placement.team.label if placement.team else "",
            "Capacity": capacity,
            "Load before": a.load_before.get(person.id, 0) / POINT_SCALE,
            "Load after": after,
            "Peak during transition": round(max(weekly.get(person.id, [0.0]), default=0.0), 2),
            "Utilization after": round(after / capacity, 3) if capacity else None,
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


def _segment_rows(result: PlanResult) -> list[dict[str, Any]]:
    rows = []
    known = any(a.previous_segment for a in result.inputs.accounts)  # else "before" is unknown
    for segment in result.scenario.segments:
        before = [a for a in result.inputs.accounts if a.previous_segment == segment.name]
        after = [a for a in result.inputs.accounts
                 if result.placements[a.id].segment == segment.name]
        rows.append({
            "Segment": segment.name, "Levels": segment.levels,
            "Min employees": segment.min_employees, "Max employees": segment.max_employees,
            "Accounts before": len(before) if known else None, "Accounts after": len(after),
            "ARR before": sum(a.arr or 0.0 for a in before) if known else None,
            "ARR after": sum(a.arr or 0.0 for a in after),
        })
    return rows


def _stage_rows(result: PlanResult) -> list[dict[str, Any]]:
    rows = [
        {"Stage": "assign", "Part": p.team, "Status": p.status,
         "Objective": p.objective / POINT_SCALE, "Bound": p.bound / POINT_SCALE,
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
    rows = []
    for account_id, placement in sorted(result.placements.items()):
        if placement.segment is None:
            rows.append({
                "What": f"{accounts[account_id].name} ({account_id})", "Reason": placement.note,
                "Suggested fix": "set the account's Segment column, or set "
                "[segmentation] below_smallest = \"lowest\"",
            })
    for shortfall in result.assignment.shortfalls:
        rows.append({
            "What": shortfall.team, "Reason": shortfall.text,
            "Suggested fix": f"add about {shortfall.people:.1f} people to {shortfall.team}, "
            "or raise capacities",
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
            "Reason": e.reason,
            "Suggested fix": "relax the rule named, lengthen the plan, or lock a week by hand",
        })
    warnings = {w.text: w for w in result.schedule.warnings}
    for line in result.schedule.diagnosis:
        warning = warnings.get(line)
        rows.append({"What": "schedule warning" if warning else "schedule", "Reason": line,
                     "Suggested fix": warning.fix if warning else ""})
    return rows


def _crm_rows(result: PlanResult) -> list[dict[str, Any]]:
    rows = []
    for h in sorted(result.handoffs, key=lambda h: (h.account_id, h.role)):
        week = result.schedule.start_week.get(h.id)
        if week is None:
            continue
        start, _ = handoff_dates(h, week, result)
        rows.append({"Account ID": h.account_id, "Owner field": f"{h.role} Owner",
                     "New owner ID": h.to_id, "Effective date": start})
    return rows
