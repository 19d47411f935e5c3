"""Helpers shared by the scenario generators and the public-data importers.

Only the importers and the scenario generator scripts write files; they all use
:func:`write_csv`, so every generated CSV has the same dialect (comma, minimal
quoting, LF line ends, UTF-8 without BOM). Files are written atomically
(``planner.io.atomic``): an import that fails midway leaves the folder as it was.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from planner.domain import Segment
from planner.io.atomic import atomic_open
from planner.scenario import DEFAULT_SEGMENTS

#: Header of the accounts CSV every generator writes (recognised by the readers).
ACCOUNT_HEADER: tuple[str, ...] = (
    "Account ID", "Account Name", "Employees", "ARR", "Renewal Date", "Customer Since",
    "Go-Live Date", "Onboarding", "Health", "Region", "Parent Account", "Current Segment",
    "Strategic", "Locked", "Last Owner Change", "CSM", "PM", "SA", "HYBRID",
)

#: Header of the people CSV every generator writes.
PEOPLE_HEADER: tuple[str, ...] = (
    "Email", "Name", "Role", "Manager", "Current Team", "New Team", "Capacity", "Region",
    "Start Date", "Last Day", "Weeks Off", "Max Out Per Week", "Max In Per Week",
)


def stable_hash(key: str) -> int:
    """The SOURCES.md hash: the first 12 hex digits of sha256(key) as an integer."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16)


def segment_of(employees: int | None, segments: Sequence[Segment] = DEFAULT_SEGMENTS) -> str:
    """Segment name for an employee count; "" when missing or below the smallest segment."""
    if employees is None:
        return ""
    for segment in segments:
        if segment.contains(employees):
            return segment.name
    return ""


def iso(value: date | None) -> str:
    """ISO date text, or "" for None."""
    return value.isoformat() if value else ""


def flag(value: bool) -> str:
    """Y for true, blank for false (the roster and account flag convention)."""
    return "Y" if value else ""


def anniversary_on_or_after(anchor: date, ref: date) -> date:
    """First anniversary of ``anchor`` on or after ``ref`` (29 Feb becomes 28 Feb)."""
    year = ref.year
    while True:
        day = 28 if (anchor.month, anchor.day) == (2, 29) else anchor.day
        candidate = date(year, anchor.month, day)
        if candidate >= ref:
            return candidate
        year += 1


def add_months(value: date, months: int) -> date:
    """``value`` moved by whole months, the day clipped to the month's length."""
    year, month0 = divmod(value.year * 12 + value.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(value.day, last))


def monday(value: date) -> date:
    """The Monday of the week ``value`` falls in."""
    return value - timedelta(days=value.weekday())


def email_of(name: str, domain: str) -> str:
    """first.last@domain from a display name (letters, digits and hyphens kept)."""
    parts = ["".join(c for c in p.lower() if c.isalnum() or c == "-") for p in name.split()]
    return ".".join(p for p in parts if p) + "@" + domain


def output_files(out_dir: Path, scenario_file: str) -> tuple[Path, Path, Path]:
    """The files an importer writes into ``out_dir``: the two CSVs and its scenario."""
    return out_dir / "accounts.csv", out_dir / "people.csv", out_dir / scenario_file


def rules_text(rules: str, plan_start: date) -> str:
    """An importer's rules (from its docstring) with the terms they use defined first;
    the docstring's ``name`` quoting becomes 'name'."""
    return ("Rules used for what the source lacks. h(key) is the first 12 hex digits of "
            "sha256(key)\nas an integer; the plan start is "
            f"{plan_start:%A} {plan_start.isoformat()}.\n\n"
            + rules.strip("\n").replace("``", "'"))


def comment_block(text: str) -> str:
    """``text`` as TOML comment lines ("# " before each line; "#" for a blank one)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with LF line ends, atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[dict[str, object]]) -> int:
    """Write ``rows`` (dicts keyed by header names) to ``path`` atomically; returns the
    row count."""
    count = 0
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in header})
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an importer wrote, with the figures a person can check by hand."""

    out_dir: Path
    accounts_csv: Path
    people_csv: Path
    scenario: Path
    accounts: int
    people: int
    roles: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    onboarding: int = 0
    children: int = 0
    rules: str = ""

    def lines(self) -> list[str]:
        """A short human summary (the CLI prints it, then ``rules``)."""
        roles = ", ".join(f"{n} {r}" for r, n in sorted(self.roles.items()))
        segments = ", ".join(f"{n} {s}" if s else f"{n} by size below every segment or "
                             "without a size (the scenario's below_smallest decides)"
                             for s, n in self.segments.items())
        return [
            f"accounts: {self.accounts} ({segments}); onboarding {self.onboarding}; "
            f"children {self.children}",
            f"people: {self.people} ({roles})",
            f"wrote {self.accounts_csv}, {self.people_csv} and {self.scenario}",
        ]
