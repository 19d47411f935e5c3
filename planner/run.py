"""The main job: plan a scenario and write the workbook and the CRM CSV.

Kept apart from the CLI so that the notebook and tests can run exactly what
`planner plan` runs, and apart from the pipeline, which never touches files.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from planner.io.atomic import OutputError, atomic_batch, ensure_writable
from planner.io.crm_csv import write_crm_csv
from planner.io.previous import PreviousPlan, read_previous_plan
from planner.io.readers import read_inputs
from planner.io.workbook import write_workbook
from planner.locks import lock_problems, unkept_locks, without_broken_locks
from planner.pipeline import PlanResult, Progress, plan
from planner.report import PlanReport
from planner.reporting import build_report, key_figures, status_line
from planner.scenario import Scenario, ScenarioError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What `planner plan` did: the files, the plan, and the text it prints.

    lock_problems: locked rows of the previous plan that break a hard rule; when not
    empty and locks are not forced, nothing was planned or written.
    """

    workbook: Path | None
    crm_csv: Path | None
    result: PlanResult | None
    report: PlanReport | None
    summary: str
    lock_problems: tuple[str, ...] = ()


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

    The output folder is checked before any solving, and files are replaced atomically.
    """
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
    earlier: PreviousPlan | None = None
    dropped: list[str] = []
    if previous is not None:
        earlier = read_previous_plan(previous, inputs.people)
        dropped = lock_problems(earlier, inputs, scenario)
        if dropped and not force_locks:
            return RunOutcome(None, None, None, None, "", tuple(dropped))
        if dropped:
            log.warning("dropping %d locked rows that break hard rules", len(dropped))
            earlier = without_broken_locks(earlier, inputs, scenario)
    result = plan(scenario, inputs, previous=earlier, progress=progress)
    unkept = unkept_locks(result)
    if unkept and not force_locks:
        return RunOutcome(None, None, result, None, "", tuple(unkept))
    report = build_report(result, tuple(dropped + unkept))
    if progress:
        progress(f"writing {out}")
    with atomic_batch():  # both files replace the previous ones together, or neither does
        workbook = write_workbook(report, out)
        csv = write_crm_csv(report, crm_csv_path(out))
    summary = summary_text(result, workbook, csv)
    if previous is not None:
        locked = sum(row.locked for row in earlier.rows) if earlier else 0
        summary += (f"\nPrevious plan: {previous.name}, {locked} locked row(s) kept"
                    + (f", {len(dropped + unkept)} lock(s) not kept (see Exceptions)"
                       if dropped or unkept else ""))
    return RunOutcome(workbook, csv, result, report, summary)


def summary_text(result: PlanResult, workbook: Path, csv: Path) -> str:
    """The console summary: key figures, waves, solver figures, where the files went."""
    lines = [f"Plan for {result.scenario.name}: {status_line(result)}"]
    for label, value in key_figures(result).items():
        shown = f"{value:,.0f}" if isinstance(value, float) and "ARR" in label else value
        lines.append(f"  {label:<55} {shown}")
    waves = Counter(result.schedule.waves.values())
    if waves:
        per_wave = ", ".join(f"{w}: {n}" for w, n in sorted(waves.items()))
        lines.append(f"  Handoffs per wave: {per_wave}")
    a, s = result.assignment, result.schedule
    lines.append(
        f"  Assignment: {len(a.stages)} team(s), objective {a.objective / 100:,.0f}, "
        f"bound {a.bound / 100:,.0f}, gap {a.gap:.2%}"
    )
    gap = f"gap {s.gap:.2%}" if s.bound > 0 or s.objective == 0 else "no bound proven"
    set_aside = sum(stage.set_aside for stage in s.stages)
    aside = f", {set_aside} handoffs set aside (see Exceptions)" if set_aside else ""
    lines.append(
        f"  Schedule: {len(s.stages)} part(s), status {s.status}, objective {s.objective:,}, "
        f"bound {s.bound:,}, {gap}{aside}"
    )
    lines.append(f"  Run time: {result.seconds:.1f} s")
    lines.append(f"Workbook: {workbook}")
    lines.append(f"CRM update CSV: {csv}")
    return "\n".join(lines)
