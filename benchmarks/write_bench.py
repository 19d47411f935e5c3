"""Time writing the plan workbook and the CRM CSV for a large synthetic plan.

Run: ``.venv/bin/python -m benchmarks.write_bench [HANDOFFS]`` (default 10,000; target < 30 s).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from planner.io.crm_csv import write_crm_csv
from planner.io.workbook import write_workbook
from planner.report import PlanReport, ReportMeta, frame

SEGMENTS = ("Mercury", "Mars", "Venus", "Jupiter")
ROLES = ("CSM", "PM", "SA", "HYBRID")
TARGET_SECONDS = 30.0


def synthetic_report(handoffs: int, weeks: int = 26, seed: int = 0) -> PlanReport:
    """A plan with ``handoffs`` handoffs over ``weeks`` weeks (about 0.8 per account)."""
    rng = random.Random(seed)
    start = date(2027, 1, 4)
    mondays = [start + timedelta(weeks=i) for i in range(weeks)]
    people = [(f"person{i:04d}@example.com", f"Person {i:04d}",
               f"{SEGMENTS[i % 4]} {ROLES[(i // 4) % 4]}") for i in range(max(8, handoffs // 30))]
    n_accounts = max(1, int(handoffs / 1.25))
    handoff_rows, crm_rows = [], []
    for i in range(handoffs):
        account = i % n_accounts
        src, dst = rng.sample(people, 2)
        week = rng.randrange(weeks - 2)
        role = ROLES[(i // n_accounts) % 4]
        begin = mondays[week]
        renewal = begin + timedelta(days=rng.randrange(200)) if rng.random() < 0.3 else None
        handoff_rows.append({
            "Handoff ID": f"H-{i:05d}", "Account ID": f"001A{account:014d}",
            "Account": f"Account {account:05d} Holdings", "Segment": SEGMENTS[account % 4],
            "Role": role, "From": src[1], "To": dst[1], "Start": begin,
            "End": begin + timedelta(days=13), "Wave": week // 4 + 1,
            "Reason": "segment changed Mars -> Venus", "Locked": "",
            "From ID": src[0], "To ID": dst[0], "Team": dst[2], "Forced": True,
            "Bound by": "weekly cap", "Renewal": renewal, "ARR": 1000.0 * rng.randrange(1, 500),
        })
        crm_rows.append({"Account ID": f"001A{account:014d}", "Owner field": f"{role}__c",
                         "New owner ID": dst[0], "Effective date": begin})
    weekly: dict[tuple[str, date], int] = {}
    for row in handoff_rows:
        weekly[(row["Team"], row["Start"])] = weekly.get((row["Team"], row["Start"]), 0) + 1
    accounts = frame("accounts", [
        {"Account ID": f"001A{a:014d}", "Account": f"Account {a:05d} Holdings",
         "ARR": 1000.0 * a, "Segment before": SEGMENTS[(a + 1) % 4],
         "Segment after": SEGMENTS[a % 4], "CSM before": "Person 0001",
         "CSM after": "Person 0002", "Changed": True, "Unassigned": False}
        for a in range(n_accounts)
    ])
    return PlanReport(
        meta=ReportMeta("Benchmark", start, weeks, blackout_weeks=(12,),
                        key_figures={"Handoffs": handoffs}),
        handoffs=frame("handoffs", handoff_rows),
        accounts=accounts,
        load=frame("load", [
            {"Person ID": pid, "Name": name, "Team": team, "Capacity": 100.0,
             "Load before": 80.0, "Load after": 85.0, "Peak during transition": 95.0,
             "Utilization after": 0.85} for pid, name, team in people
        ]),
        weekly=frame("weekly", [{"Team": t, "Week": w, "Handoffs": n}
                                for (t, w), n in weekly.items()]),
        segments=frame("segments", [
            {"Segment": s, "Levels": str(3 + i), "Min employees": 10 ** (i + 1),
             "Max employees": None, "Accounts before": 1, "Accounts after": 1,
             "ARR before": 1.0, "ARR after": 1.0} for i, s in enumerate(SEGMENTS)
        ]),
        stages=frame("stages", []), exceptions=frame("exceptions", []),
        notes=frame("notes", []), crm=frame("crm", crm_rows),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("handoffs", type=int, nargs="?", default=10_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the written files in")
    args = parser.parse_args(argv)
    report = synthetic_report(args.handoffs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        started = time.perf_counter()
        workbook = write_workbook(report, folder / "bench.xlsx")
        workbook_s = time.perf_counter() - started
        started = time.perf_counter()
        write_crm_csv(report, folder / "bench.csv")
        csv_s = time.perf_counter() - started
        size_mb = workbook.stat().st_size / 1e6
    verdict = "ok" if workbook_s < TARGET_SECONDS else f"SLOW (target {TARGET_SECONDS:.0f} s)"
    print(f"{args.handoffs:,} handoffs, {len(report.accounts):,} accounts, "
          f"{len(report.load):,} people: workbook {workbook_s:.1f} s ({size_mb:.1f} MB), "
          f"CRM CSV {csv_s:.2f} s - {verdict}")
    return 0 if workbook_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
