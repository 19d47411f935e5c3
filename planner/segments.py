"""Segments from first principles, and placing each account in its segment.

An organization with L reporting levels and a span of control r has at most
1 + r + ... + r^(L-1) = (r^L - 1) / (r - 1) employees, and at least one more than an
organization with L - 1 levels.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain import Account, Segment


def max_employees(span: int, levels: int) -> int:
    """Largest organization with ``levels`` reporting levels and ``span`` reports per manager."""
    return (span**levels - 1) // (span - 1)


def derived_segments(span: int, fewest: int, most: int) -> tuple[Segment, ...]:
    """The first-principles table: one segment per level count, the last open-ended.

    With span 7 and levels 3-6: A 9-57, B 58-400, C 401-2801, D 2802+ (exactly).
    """
    segments = []
    for i, levels in enumerate(range(fewest, most + 1)):
        low = max_employees(span, levels - 1) + 1
        last = levels == most
        high = None if last else max_employees(span, levels)
        label = f"{levels}+" if last else str(levels)
        segments.append(Segment(chr(ord("A") + i), low, high, label))
    return tuple(segments)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one account goes, and why.

    segment: the segment after the realignment, or None when the account is an exception.
    source: "explicit" (leader's override), "employees", "lowest" (below the smallest
    segment, placed by policy) or "exception".
    """

    account_id: str
    segment: str | None
    source: str
    note: str = ""


def place_account(
    account: Account, segments: tuple[Segment, ...], below_smallest: str
) -> Placement:
    """Explicit segment first, then employee count, then the below-smallest policy."""
    if account.explicit_segment:
        return Placement(account.id, account.explicit_segment, "explicit")
    lowest = segments[0]
    if account.employees is not None:
        for segment in segments:
            if segment.contains(account.employees):
                return Placement(account.id, segment.name, "employees")
        staff = "1 employee" if account.employees == 1 else f"{account.employees} employees"
        reason = f"{staff} is below {lowest.name} ({lowest.min_employees}+)"
    else:
        reason = "no usable employee count"
    if below_smallest == "lowest":
        return Placement(account.id, lowest.name, "lowest", f"{reason}; placed in {lowest.name}")
    return Placement(account.id, None, "exception", f"{reason}; needs a segment decision")


def place_accounts(
    accounts: tuple[Account, ...], segments: tuple[Segment, ...], below_smallest: str
) -> dict[str, Placement]:
    """Account id -> placement, for every account."""
    return {a.id: place_account(a, segments, below_smallest) for a in accounts}
