"""The main job: plan a scenario and write the workbook and the CRM CSV.

Kept apart from the CLI so that the notebook and tests can run exactly what
`planner plan` runs, and apart from the pipeline, which never touches files.
"""

from __future__ import annotations

import logging
import re
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from planner.domain import InputError, InputProblem, Inputs, column_word
from planner.explain import week_text
from planner.io.atomic import OutputError, atomic_batch, ensure_writable
from planner.io.crm_csv import write_crm_csv
from planner.io.previous import PREVIOUS_SUFFIX, PreviousPlan, read_previous_plan
from planner.io.readers import fingerprint, read_inputs
from planner.io.workbook import write_workbook
from planner.locks import LockProblem, lock_problems, unkept_locks, without_locks
from planner.pipeline import PlanResult, Progress, plan
from planner.report import PlanReport
from planner.reporting import RunFacts, build_report, plural, status_line
from planner.scenario import Scenario, ScenarioError

log = logging.getLogger(__name__)

#: Plans made again with --force-locks, each time without the locks the last one broke.
MAX_REPLANS = 3
#: Exceptions listed in the console summary; the rest are counted (all are in the workbook).
SUMMARY_EXCEPTIONS = 10
SUMMARY_NOTES = 5  # input notes shown in the console summary
GROUPED_ROWS = 5  # rows named in the console for one note repeated on many rows
WIDTH = 100  # characters per console line before wrapping a list


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What `planner plan` did: the files, the plan, and the text it prints.

    lock_problems: locked rows of the previous plan that break a hard rule; when not
    empty and locks are not forced, nothing was written.
    warnings: things the user should know that did not stop the run (a previous plan made
    for another scenario or other inputs); printed, and listed on the Input notes sheet.
    """

    workbook: Path | None
    crm_csv: Path | None
    result: PlanResult | None
    report: PlanReport | None
    summary: str
    lock_problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Locks:
    """The previous plan as it will be honoured, and what happened to its locks."""

    previous: PreviousPlan | None = None
    read: int = 0  # locked rows in the file
    dropped: tuple[LockProblem, ...] = ()  # locks not kept (--force-locks), with the rule


def default_output(scenario: Scenario) -> Path:
    """out/<scenario name>.xlsx, with the name made safe for a file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", scenario.name).strip("-.") or "plan"
    return Path("out") / f"{safe}.xlsx"


def crm_csv_path(workbook: Path) -> Path:
    return workbook.with_name(f"{workbook.stem}-crm-update.csv")


def run_plan(
    scenario: Scenario,
    out: Path,
    previous: Path | None = None,
    force_locks: bool = False,
    progress: Progress | None = None,
) -> RunOutcome:
    """Validate, plan, check and write; raises InputError on unusable inputs.

    The output folder is checked before any solving, and files are replaced atomically
    (the workbook and the CSV together). Locked rows of ``previous`` are kept exactly, or
    the run stops with the rows and rules (``lock_problems``) unless ``force_locks``.
    """
    began = time.perf_counter()
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"{out}: the plan is an Excel workbook; give a path ending in .xlsx")
    if scenario.inputs.people is None:
        raise ScenarioError(
            f"{scenario.path}: [inputs] people is required to plan (only validate runs "
            "without a roster)"
        )
    ensure_writable(out)
    ensure_writable(crm_csv_path(out))
    if progress:
        progress(f"reading {scenario.inputs.accounts.name}"
                 + (f" and {scenario.inputs.people.name}" if scenario.inputs.people else ""))
    inputs = read_inputs(scenario)
    warnings: list[str] = []
    notes: list[InputProblem] = []  # the warnings as Input notes
    locks = _Locks()
    if previous is not None:
        earlier = read_previous_plan(previous, inputs.people)
        warnings = previous_plan_warnings(earlier, scenario, inputs, force_locks)
        notes = [*earlier.notes, *(InputProblem("warning", previous.name, None, "", "", w)
                                   for w in warnings)]
        warnings = [str(n) for n in earlier.notes] + warnings  # a Start not on a Monday
        problems = lock_problems(earlier, inputs, scenario)
        if problems and not force_locks:
            return RunOutcome(None, None, None, None, "", _texts(problems), tuple(warnings))
        locks = _Locks(without_locks(earlier, (p.row for p in problems)),
                       len(earlier.locked), tuple(problems))
    result, locks = _plan_keeping_locks(scenario, inputs, locks, force_locks, progress)
    if locks.previous is not None and not force_locks and locks.dropped:
        return RunOutcome(None, None, result, None, "", _texts(locks.dropped), tuple(warnings))
    facts = RunFacts(
        seconds=time.perf_counter() - began,
        fingerprints=_fingerprints(scenario, locks.previous),
        notes=tuple(notes),
        dropped_locks=_texts(locks.dropped),
        previous=_previous_line(locks),
        owner_fields=crm_owner_fields(scenario, inputs),
    )
    report = build_report(result, facts=facts)
    if progress:
        progress(f"writing {out}")
    workbook, csv = _write_outputs(report, out)
    seconds = time.perf_counter() - began
    summary = summary_text(result, report, workbook, csv, seconds=seconds,
                           planned_seconds=facts.seconds or 0.0)
    return RunOutcome(workbook, csv, result, report, summary, (), tuple(warnings))


def _write_outputs(report: PlanReport, out: Path) -> tuple[Path, Path]:
    """Write the workbook and the CRM CSV; both replace the previous ones together, or
    neither does. A write that fails (a full disk ...) raises OutputError saying so."""
    csv = crm_csv_path(out)
    existed = out.exists() or csv.exists()
    try:
        with atomic_batch():
            return write_workbook(report, out), write_crm_csv(report, csv)
    except OutputError as exc:
        if exc.replaced:  # a rename failed after another one: the message says which
            raise
        after = "the previous plan is unchanged" if existed else "nothing was written"
        raise OutputError(f"{exc}; {after}", exc.path) from exc


def _texts(problems) -> tuple[str, ...]:
    return tuple(str(p) for p in problems)


def _plan_keeping_locks(scenario: Scenario, inputs: Inputs, locks: _Locks, force: bool,
                        progress: Progress | None) -> tuple[PlanResult, _Locks]:
    """Plan; check that every lock was kept (owner and week). Without ``force`` the broken
    locks are returned for the caller to stop on; with it they are dropped and the plan is
    made again, so that their handoffs get a week the rules allow instead of none."""
    result = plan(scenario, inputs, previous=locks.previous, progress=progress)
    for attempt in range(MAX_REPLANS + 1):
        unkept = unkept_locks(result)
        if not unkept:
            break
        locks = _Locks(locks.previous, locks.read, locks.dropped + tuple(unkept))
        if not force or attempt == MAX_REPLANS or locks.previous is None:
            break
        log.warning("re-planning without %d locked row(s) that break hard rules", len(unkept))
        locks = _Locks(without_locks(locks.previous, (p.row for p in unkept)), locks.read,
                       locks.dropped)
        result = plan(scenario, inputs, previous=locks.previous, progress=progress)
    return result, locks


def _previous_line(locks: _Locks) -> str | None:
    """The Summary's "Previous plan" line: file, locks read, kept and not kept."""
    if locks.previous is None:
        return None
    kept = locks.read - len({p.row for p in locks.dropped})
    text = (f"{locks.previous.path.name}: {locks.read} locked row(s), {kept} kept exactly "
            "(owner and start week)")
    if locks.dropped:
        text += f", {len({p.row for p in locks.dropped})} not kept (see Exceptions)"
    return text


def _fingerprints(scenario: Scenario, previous: PreviousPlan | None) -> dict[str, str]:
    """sha256 of the scenario file and of the previous plan (the readers add the inputs)."""
    prints = {scenario.path.name: fingerprint(scenario.path)}
    if previous is not None:
        prints[previous.path.name + PREVIOUS_SUFFIX] = previous.sha256
    return prints


def previous_plan_warnings(previous: PreviousPlan, scenario: Scenario, inputs: Inputs,
                           force: bool) -> list[str]:
    """Warnings when the previous plan was made for another scenario or other inputs.

    Raises InputError when it shares no account with this scenario (the wrong file, most
    likely), unless ``force``: then every row is simply new."""
    name = previous.path.name
    accounts = {a.id for a in inputs.accounts}
    matching = sum(row.account_id in accounts for row in previous.rows)
    made_for = f"scenario {previous.scenario!r}" if previous.scenario else "an unnamed scenario"
    warnings = []
    if previous.rows and matching == 0:
        text = (f"a plan of this scenario's accounts; none of its {len(previous.rows)} "
                f"handoff rows names an account of {scenario.inputs.accounts.name} (it was "
                f"made for {made_for}). Check the file, or run with --force-locks to use it "
                "anyway")
        if not force:
            raise InputError([InputProblem("error", f"{name} [Handoffs]", None, "Account ID",
                                           previous.rows[0].account_id, text)])
        warnings.append(f"{name}: none of its handoff rows names an account of this plan")
    if previous.scenario is not None and previous.scenario != scenario.name:
        warnings.append(f"{name} was made for {made_for}, not {scenario.name!r}; "
                        f"{matching} of its {len(previous.rows)} rows name accounts of this plan")
    changed = [f for f, digest in previous.fingerprints.items()
               if f in inputs.fingerprints and inputs.fingerprints[f] != digest]
    if changed:
        warnings.append(f"{name} was made from other versions of {', '.join(changed)} "
                        "(their sha256 differ): locked rows are kept, the rest re-planned "
                        "on the new data")
    return warnings


def crm_owner_fields(scenario: Scenario, inputs: Inputs) -> dict[str, str]:
    """Role -> the CRM field of its owner, for the CRM CSV's "Owner field" column.

    Order: the scenario's ``[crm] fields`` table; the header of the role's owner column in
    the accounts export. Roles found in neither are left out (the report falls back to
    "<ROLE> Owner" and says so on the Input notes sheet)."""
    return {**inputs.owner_headers, **scenario.crm.fields}


# --- the console summary ---------------------------------------------------------------------


def summary_text(result: PlanResult, report: PlanReport, workbook: Path, csv: Path,
                 seconds: float | None = None, planned_seconds: float | None = None) -> str:
    """The console summary of `planner plan`: status, the key figures (with the labels of
    the Summary sheet), waves, the peak week, load spread per team, the first exceptions,
    solver figures, the previous plan, run time, and where the files went."""
    scenario, schedule = result.scenario, result.schedule
    lines = [f"Plan for {scenario.name}: {status_line(result)}"]
    for label, value in report.meta.key_figures.items():
        shown = f"{value:,.0f}" if isinstance(value, float) and "ARR" in label else value
        shown = f"{shown:,}" if isinstance(shown, int) else shown
        lines.append(f"  {label:<55} {shown}")
    lines += _wrapped("  Handoffs per wave: ", _per_wave(result))
    per_week = Counter(schedule.start_week.values())
    if per_week:
        week, count = min(per_week.items(), key=lambda item: (-item[1], item[0]))
        lines.append(f"  Peak week: {week_text(scenario, week)}, {plural(count, 'handoff')} "
                     f"start{'s' if count == 1 else ''}")
    lines += _spread_lines(result)
    lines += _exception_lines(report)
    lines += _note_lines(report)
    lines += _solver_lines(result)
    if report.meta.previous:
        lines.append(f"  Previous plan: {report.meta.previous}")
    if seconds is not None:
        split = (f" (read, plan and check {planned_seconds:.1f} s, write "
                 f"{seconds - planned_seconds:.1f} s)" if planned_seconds else "")
        lines.append(f"  Run time: {seconds:.1f} s{split}")
    lines.append(f"Workbook: {workbook}")
    lines.append(f"CRM update CSV: {csv}")
    return "\n".join(lines)


def _per_wave(result: PlanResult) -> list[str]:
    """"1 (Jan 4): 150" per wave: its number, first Monday and handoffs."""
    firsts: dict[int, int] = {}
    counts: Counter[int] = Counter()
    for hid, wave in result.schedule.waves.items():
        counts[wave] += 1
        week = result.schedule.start_week[hid]
        firsts[wave] = min(firsts.get(wave, week), week)
    items = []
    for wave in sorted(counts):
        monday = result.scenario.start + timedelta(weeks=firsts[wave])
        items.append(f"{wave} ({monday:%b} {monday.day}): {counts[wave]:,}")
    return items


def _wrapped(head: str, items: list[str]) -> list[str]:
    """``head`` then the items, comma-separated, wrapped at WIDTH under the first item."""
    if not items:
        return []
    lines, line = [], head
    for n, item in enumerate(items):
        piece = item + ("," if n < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > WIDTH and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece + " "
    lines.append(line.rstrip())
    return lines


def _spread_lines(result: PlanResult) -> list[str]:
    """Utilization spread (max minus min, percent points) per team, before -> after."""
    before, after = result.assignment.spread_before, result.assignment.spread_after
    teams = sorted(set(before) | set(after))
    if not teams:
        return []
    width = max(len(t) for t in teams)
    empty = {p.team for p in result.assignment.stages if not p.people}
    lines = ["  Load spread per team (max minus min utilization, pts; before -> after):"]
    lines += [f"    {team:<{width}}  nobody in the team" if team in empty else
              f"    {team:<{width}}  {before.get(team, 0.0):6.1f} -> {after.get(team, 0.0):6.1f}"
              for team in teams]
    return lines


def _exception_lines(report: PlanReport) -> list[str]:
    """The first exceptions as a short list, and how many more the workbook holds."""
    rows = report.exceptions[["What", "Reason"]].itertuples(index=False, name=None)
    return _short_list("Exceptions", [reason if str(reason).startswith(str(what))
                                      else f"{what}: {reason}" for what, reason in rows])


def _note_lines(report: PlanReport) -> list[str]:
    """The first input notes (warnings about the files, kept on the Input notes sheet); the
    same note on many rows of one column is one line with its rows."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    columns = ["File", "Row", "Column", "Expected"]
    for file, row, column, expected in report.notes[columns].itertuples(index=False,
                                                                        name=None):
        rows = groups.setdefault((str(file or ""), str(column or ""), str(expected)), [])
        if isinstance(row, int | float) and row == row:  # not blank (NaN)
            rows.append(str(int(row)))
    texts = []
    for (file, column, expected), rows in groups.items():
        shown = ", ".join(rows[:GROUPED_ROWS]) + (
            f" and {len(rows) - GROUPED_ROWS:,} more" if len(rows) > GROUPED_ROWS else "")
        where = ", ".join(part for part in (
            file, f"row{'s' if len(rows) > 1 else ''} {shown}" if rows else "",
            f"{column_word(file)} '{column}'" if column else "")
            if part)
        texts.append(f"{where}: {expected}" if where else expected)
    return _short_list("Input notes", texts, SUMMARY_NOTES, len(report.notes)) if texts else []


def _short_list(sheet: str, texts: list[str], most: int = SUMMARY_EXCEPTIONS,
                rows: int | None = None) -> list[str]:
    """"Sheet (rows):" and the first ``most`` texts wrapped to the console width, or
    "Sheet: none". ``rows``: the sheet's rows, when texts group several."""
    if not texts:
        return [f"  {sheet}: none"]
    grouped = rows is not None and rows != len(texts)
    lines = [f"  {sheet} ({rows:,} rows, {len(texts):,} kinds):" if grouped else
             f"  {sheet} ({len(texts):,}):"]
    for text in texts[:most]:  # wrapped, not cut: the fix is often at the end
        lines += textwrap.wrap(text, WIDTH, initial_indent="    - ", subsequent_indent=" " * 6)
    if len(texts) > most:
        lines.append(f"    ... and {len(texts) - most:,} more, see {sheet}")
    return lines


def _solver_lines(result: PlanResult) -> list[str]:
    a, s = result.assignment, result.schedule
    lines = [f"  Assignment: {len(a.stages)} team(s), objective {a.objective / 100:,.0f}, "
             f"bound {a.bound / 100:,.0f}, gap {a.gap:.2%}"]
    gap = f"gap {s.gap:.2%}" if s.bound > 0 or s.objective == 0 else "no bound proven"
    set_aside = sum(stage.set_aside for stage in s.stages)
    aside = f", {plural(set_aside, 'handoff')} set aside (see Exceptions)" if set_aside else ""
    lines.append(f"  Schedule: {len(s.stages)} part(s), status {s.status}, objective "
                 f"{s.objective:,}, bound {s.bound:,}, {gap}{aside}")
    return lines
