"""Assignment benchmark: CP-SAT plan vs greedy baseline vs LP relaxation bound.

    python -m benchmarks.assign_bench --sizes 1000 10000 50000

Each measurement runs in a fresh process so that peak memory (ru_maxrss, which sees the
solver's C++ allocations, unlike tracemalloc) belongs to that measurement alone. The LP
bound is the relaxation of the full model (every eligible pair, no candidate pruning,
with the same grain cuts) solved with GLOP, up to FULL_LP_MAX accounts; above, the LP on
the planner's candidate lists priced with its duals (the LP value plus each group's most
negative left-out reduced cost), which is still a bound for the full model, only weaker.
"gap" is (objective - LP bound) / objective. The default balance shape is the planner's.
Every plan is re-checked by the solver-free checker and its objective recomputed.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import resource
import sys
import time

from planner.optimize.assign import DEFAULT_SHAPE

log = logging.getLogger("planner.benchmarks")

FULL_LP_MAX = 20000


def _measure(
    kind: str, size: int, time_limit: float, workers: int, shape: str, candidates: int | None
) -> dict:
    """One measurement in this (fresh) process: 'cpsat', 'greedy' or 'lp'."""
    from benchmarks.generate import generate
    from planner.check.assignment import assignment_objective, check_assignment
    from planner.optimize.assign import assign, lp_relaxation_bound
    from planner.segments import place_accounts

    inputs, scenario = generate(size, time_limit_s=time_limit, workers=workers)
    placements = place_accounts(inputs.accounts, scenario.segments, "exception")
    began = time.perf_counter()
    row: dict = {"size": size, "method": kind}
    if kind == "lp":
        # The full model's LP needs ~7 GB at 50,000 accounts (3M columns in one team):
        # above FULL_LP_MAX it is solved on the planner's candidate lists instead.
        full = size <= FULL_LP_MAX
        row["objective"] = None
        row["bound"] = lp_relaxation_bound(
            inputs,
            placements,
            scenario,
            balance_shape=shape,
            max_candidates=0 if full else candidates,
        )
        row["status"] = "LP (GLOP, full model)" if full else "LP (GLOP, priced shortlists)"
    else:
        result = assign(
            inputs,
            placements,
            scenario,
            method="greedy" if kind == "greedy" else "cpsat",
            balance_shape=shape,
            max_candidates=candidates,
        )
        row["seconds"] = time.perf_counter() - began
        problems = check_assignment(inputs, placements, result, scenario)
        recomputed = assignment_objective(inputs, placements, result, scenario)
        row["objective"] = result.objective
        row["bound"] = result.bound if kind == "cpsat" else None
        statuses = sorted({s.status for s in result.stages})
        row["status"] = "/".join(statuses) + (
            "" if not problems else f" CHECK FAILED ({len(problems)})"
        )
        row["recomputed_ok"] = sum(recomputed.values()) == result.objective
        row["variables"] = sum(s.variables for s in result.stages)
        row["accounts"] = len(inputs.accounts)
        row["people"] = len(inputs.people)
    row.setdefault("seconds", time.perf_counter() - began)
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def run(
    sizes: list[int],
    time_limit: float | None,
    workers: int,
    shape: str,
    candidates: int | None,
    lp: bool,
) -> list[dict]:
    """All measurements, each in its own spawned process."""
    ctx = multiprocessing.get_context("spawn")
    rows = []
    kinds = ["greedy", "cpsat"] + (["lp"] if lp else [])
    for size in sizes:
        limit = time_limit or default_time_limit(size)
        for kind in kinds:
            with ctx.Pool(1, maxtasksperchild=1) as pool:
                rows.append(pool.apply(_measure, (kind, size, limit, workers, shape, candidates)))
            log.info("%s", rows[-1])
    return rows


def default_time_limit(size: int) -> float:
    """30 s up to 10,000 accounts, then 1 s per 300 accounts (about 170 s at 50,000), at most 240.

    At 50,000 accounts 30 s is not enough for the LP pricing to prove the large teams' bounds.
    """
    return min(240.0, max(30.0, size / 300))


def table(rows: list[dict]) -> str:
    """Markdown table; gap is measured against the LP bound of the same size."""
    lp = {r["size"]: r["bound"] for r in rows if r["method"] == "lp"}
    lines = [
        "| accounts | method | wall s | peak MB | objective | bound | gap vs LP bound | status |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        objective = r.get("objective")
        bound = lp.get(r["size"])
        gap = f"{(objective - bound) / objective:.3%}" if objective and bound is not None else ""
        own = "" if r.get("bound") is None else f"{r['bound']:,.0f}"
        shown = "" if objective is None else f"{objective:,}"
        lines.append(
            f"| {r['size']:,} | {r['method']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | "
            f"{shown} | {own} | {gap} | {r['status']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="solver seconds per run (default: 30 s up to 10,000 accounts, "
        "1 s per 300 accounts above, at most 240)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shape", default=DEFAULT_SHAPE, help="bands, deviation or spread")
    parser.add_argument(
        "--candidates",
        type=int,
        default=None,
        help="candidates per account in large teams (default: planner's)",
    )
    parser.add_argument("--no-lp", action="store_true", help="skip the full LP bound")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    rows = run(
        args.sizes, args.time_limit, args.workers, args.shape, args.candidates, not args.no_lp
    )
    sys.stdout.write(table(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
