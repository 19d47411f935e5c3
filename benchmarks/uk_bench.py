"""The whole pipeline on the 10,491 real UK employers (`python -m benchmarks.uk_bench`).

Generates the UK scenario into a temporary folder (owners generated deterministically,
see planner/importers/uk.py), plans it, writes the workbook and the CSV, and prints per
stage: status, objective, bound, gap and seconds, with the wall time and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from planner.importers.uk import generate_uk_scenario
from planner.run import run_plan
from planner.scenario import load_scenario

SOURCE = (Path(__file__).resolve().parents[2] / "shared" / "data"
          / "uk-gender-pay-gap-employers" / "employers_2021_22.csv")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        summary = generate_uk_scenario(args.source, out)
        scenario = load_scenario(summary.scenario)
        began = time.perf_counter()
        outcome = run_plan(scenario, out / "plan.xlsx")
        wall = time.perf_counter() - began
    result = outcome.result
    assert result is not None
    a, s = result.assignment, result.schedule
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"accounts {len(result.inputs.accounts):,}, people {len(result.inputs.people):,}, "
          f"handoffs {len(result.handoffs):,} ({len(s.start_week):,} scheduled)")
    print(f"{'stage':<10} {'status':<11} {'objective':>14} {'bound':>14} {'gap':>8} {'s':>7}")
    statuses = sorted({p.status for p in a.stages})
    print(f"{'assign':<10} {'/'.join(statuses):<11} {a.objective:>14,} {a.bound:>14,} "
          f"{a.gap:>8.3%} {a.seconds:>7.1f}")
    seconds = sum(p.seconds for p in s.stages)
    print(f"{'schedule':<10} {s.status:<11} {s.objective:>14,} {s.bound:>14,} "
          f"{s.gap:>8.3%} {seconds:>7.1f}")
    print(f"plan (read to checked) {result.seconds:.1f} s; with workbook and CSV {wall:.1f} s; "
          f"peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
