"""`make bench`: every benchmark at its default sizes (assignment, schedule, workbook).

Figures go to the console; they are measurements, not tests. Run one benchmark with
`python -m benchmarks.assign_bench --sizes 1000 10000 50000` and the like.
"""

from __future__ import annotations

from benchmarks import assign_bench, schedule_bench, write_bench


def main() -> None:
    print("== assignment ==", flush=True)
    assign_bench.main([])
    print("\n== schedule ==", flush=True)
    schedule_bench.main([])
    print("\n== workbook ==", flush=True)
    write_bench.main([])


if __name__ == "__main__":
    main()
