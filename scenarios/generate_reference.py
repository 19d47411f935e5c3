"""Regenerate the bundled reference organization: scenarios/reference/{accounts,people}.csv.

Run from anywhere: ``python scenarios/generate_reference.py [--seed 7]``. The output is
deterministic (seeded), so regenerating with the default seed leaves the committed
files byte-for-byte unchanged; tests check exactly that.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from planner.importers.reference import generate_reference  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Write the reference CSVs and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--out", type=Path, default=HERE / "reference", help="output folder")
    args = parser.parse_args(argv)
    generate_reference(args.out, seed=args.seed)
    print(f"wrote {args.out / 'accounts.csv'} and {args.out / 'people.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
