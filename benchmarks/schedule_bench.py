"""Benchmark of the transition schedule: CP-SAT against the greedy baseline.

    python -m benchmarks.schedule_bench --sizes 1000 10000 50000

For each size, handoffs are generated deterministically (about 35% of accounts move, about
one CSM per 60 accounts, PM/SA pools for onboarding accounts, 26 weeks, renewals spread over
the year, one blackout week, a few leavers, new hires and weeks off), then scheduled in a
fresh process. Reported: handoffs, parts, wall time, peak memory (max RSS of the process),
objective, bound, gap, the greedy baseline's objective and its own wall time, and the
checker's verdict. Schedules are reproducible (deterministic solver limits): a second run of
a size gives the same figures, except wall time and memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from planner.domain import Handoff, Person
from planner.scenario import InputSettings, RuleSettings, Scenario, SolverSettings
from planner.schedule import ScheduleContext

START = date(2027, 1, 4)
WEEKS = 26
SEGMENTS = ("Mercury", "Mars", "Venus", "Jupiter")
SHARE = (0.40, 0.30, 0.22, 0.08)
POINTS = {"Mercury": 1.0, "Mars": 1.2, "Venus": 1.8, "Jupiter": 3.0}
ONBOARD_POINTS = 4.0
UTILIZATION = 0.85  # the busier of before/after books fills 85% of capacity


def bench_scenario(time_limit: float, workers: int = 2) -> Scenario:
    return Scenario(
        name="schedule-bench", path=Path("bench.toml"), start=START, weeks=WEEKS,
        inputs=InputSettings(accounts=Path("accounts.csv")),
        rules=replace(RuleSettings(), blackout_weeks=(START + timedelta(weeks=12, days=2),)),
        solver=SolverSettings(time_limit_s=time_limit, workers=workers, seed=0),
    )


def generate(accounts: int, seed: int = 7) -> tuple[list[Handoff], ScheduleContext]:
    """Handoffs of ``accounts`` accounts, 35% of which move; people, teams, capacities."""
    rng = random.Random(seed)
    people: list[Person] = []
    team_of: dict[str, str] = {}
    pools: dict[tuple[str, str], list[str]] = {}
    for seg, share in zip(SEGMENTS, SHARE, strict=True):
        for role, per in (("CSM", 60), ("PM", 600), ("SA", 600)):
            count = max(2, round(accounts * share / per))
            ids = [f"{seg[:3].lower()}-{role.lower()}-{i}" for i in range(count)]
            pools[seg, role] = ids
            for pid in ids:
                r = rng.random()
                extra: dict[str, object] = {}
                if r < 0.02 and role == "CSM":  # leavers with time to hand over
                    extra["last_day"] = START + timedelta(weeks=rng.randint(10, 20), days=4)
                elif r < 0.05:
                    extra["start_date"] = START + timedelta(weeks=rng.randint(0, 6))
                elif r < 0.15:
                    first = rng.randint(0, WEEKS - 2)
                    extra["weeks_off"] = tuple(START + timedelta(weeks=first + k)
                                               for k in range(rng.randint(1, 2)))
                people.append(Person(id=pid, name=pid.replace("-", " ").title(), role=role,
                                     **extra))  # type: ignore[arg-type]
                team_of[pid] = f"{seg} {role}"
    new_hires = {p.id for p in people if p.start_date is not None}
    leavers = {p.id for p in people if p.last_day is not None}
    handoffs: list[Handoff] = []
    kept: dict[str, float] = {}
    for a in range(accounts):
        seg = rng.choices(SEGMENTS, SHARE)[0]
        old_seg = seg if rng.random() < 0.75 else rng.choice(SEGMENTS)
        onboarding = rng.random() < 0.15
        go_live = START + timedelta(days=rng.randint(-30, 70)) if onboarding else None
        renewal = START + timedelta(days=rng.randint(0, 364))
        roles = ("CSM", "PM", "SA") if onboarding else ("CSM",)
        moves = rng.random() < 0.35
        for role in roles:
            pts = POINTS[seg] if role == "CSM" else ONBOARD_POINTS
            current = [p for p in pools[old_seg, role] if p not in new_hires] \
                or pools[old_seg, role]
            giver = rng.choice(current)
            if not moves and giver not in leavers:
                kept[giver] = kept.get(giver, 0.0) + pts
                continue
            receiver = rng.choice([p for p in pools[seg, role] if p not in leavers and p != giver]
                                  or [p for p in pools[seg, role] if p != giver])
            forced = old_seg != seg or giver in leavers or rng.random() < 0.5
            handoffs.append(Handoff(
                id=f"h{len(handoffs)}", account_id=f"a{a}", account_name=f"Account {a}",
                role=role, from_id=giver, to_id=receiver, forced=forced,
                reason="segment changed" if old_seg != seg else "rebalancing",
                points=pts, segment_before=old_seg, segment_after=seg, renewal=renewal,
                go_live=go_live, onboarding=onboarding))
    out_pts: dict[str, float] = {}
    in_pts: dict[str, float] = {}
    for h in handoffs:
        out_pts[h.from_id or ""] = out_pts.get(h.from_id or "", 0.0) + h.points
        in_pts[h.to_id or ""] = in_pts.get(h.to_id or "", 0.0) + h.points
    capacity = {}
    for p in people:
        before = kept.get(p.id, 0.0) + out_pts.get(p.id, 0.0)
        after = kept.get(p.id, 0.0) + in_pts.get(p.id, 0.0)
        capacity[p.id] = round(max(before, after, 1.0) / UTILIZATION, 1)
    ctx = ScheduleContext(people=tuple(people), team_of=team_of, capacity=capacity,
                          base_load=kept)
    return handoffs, ctx


def run_one(accounts: int, time_limit: float, workers: int) -> dict[str, object]:
    from planner.check.schedule import check_schedule, schedule_objective
    from planner.optimize.schedule import greedy_schedule, schedule_handoffs

    handoffs, ctx = generate(accounts)
    sc = bench_scenario(time_limit, workers)
    began = time.perf_counter()
    greedy = greedy_schedule(handoffs, ctx, sc)
    greedy_s = time.perf_counter() - began
    greedy_obj = sum(schedule_objective(handoffs, ctx, sc, greedy).values())
    began = time.perf_counter()
    result = schedule_handoffs(handoffs, ctx, sc)
    wall = time.perf_counter() - began
    problems = check_schedule(handoffs, ctx, sc, result)
    recomputed = schedule_objective(handoffs, ctx, sc, result)
    return {
        "accounts": accounts, "handoffs": len(handoffs), "parts": len(result.stages),
        "exceptions": len(result.exceptions), "greedy_exceptions": len(greedy.exceptions),
        "seconds": round(wall, 1), "greedy": greedy_obj, "greedy_s": round(greedy_s, 2),
        "objective": result.objective, "bound": result.bound, "gap": round(100 * result.gap, 2),
        "status": result.status, "check": "ok" if not problems else f"{len(problems)} problems",
        "terms_match": recomputed == result.terms, "terms": result.terms,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--time-limit", type=float, default=None,
                        help="solver seconds per size (default: 20 s per 10,000 accounts, "
                             "at least 10, at most 240)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print("\n" + json.dumps(run_one(args.one, args.time_limit, args.workers)))
        return
    header = ("| accounts | handoffs | parts | wall s | peak MB | greedy | greedy s | objective "
              "| bound | gap % | vs greedy | status | exceptions | check |")
    print(header)
    print("|" + "---|" * 14)
    for size in args.sizes:
        limit = args.time_limit or min(240.0, max(10.0, size / 500))
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.schedule_bench", "--one", str(size),
             "--time-limit", str(limit), "--workers", str(args.workers)],
            capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        better = 100 * (r["greedy"] - r["objective"]) / max(1, r["greedy"])
        print(f"| {r['accounts']:,} | {r['handoffs']:,} | {r['parts']} | {r['seconds']} "
              f"| {r['peak_mb']} | {r['greedy']:,} | {r['greedy_s']} | {r['objective']:,} "
              f"| {r['bound']:,} "
              f"| {r['gap']} | {better:.1f}% lower | {r['status']} "
              f"| {r['exceptions']} (greedy {r['greedy_exceptions']}) "
              f"| {r['check']}{'' if r['terms_match'] else ', terms differ'} |", flush=True)


if __name__ == "__main__":
    main()
