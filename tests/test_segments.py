"""First-principles segments and account placement, checked against hand calculations."""

from planner.domain import Account
from planner.scenario import DEFAULT_SEGMENTS
from planner.segments import derived_segments, max_employees, place_account


def bounds(segments):
    return [(s.min_employees, s.max_employees) for s in segments]


def test_span_7_levels_3_to_6_exactly():
    segments = derived_segments(7, 3, 6)
    assert bounds(segments) == [(9, 57), (58, 400), (401, 2801), (2802, None)]
    assert [s.levels for s in segments] == ["3", "4", "5", "6+"]
    assert [s.name for s in segments] == ["A", "B", "C", "D"]


def test_span_5_by_hand():
    # max(L) = (5^L - 1) / 4: L=2 -> 6, 3 -> 31, 4 -> 156, 5 -> 781
    assert bounds(derived_segments(5, 3, 6)) == [(7, 31), (32, 156), (157, 781), (782, None)]


def test_span_10_by_hand():
    # max(L) = 1 + 10 + ... + 10^(L-1): 11, 111, 1111, 11111
    assert bounds(derived_segments(10, 3, 6)) == [(12, 111), (112, 1111), (1112, 11111),
                                                  (11112, None)]
    assert max_employees(10, 2) == 11


def test_default_segments():
    assert [(s.name, s.min_employees, s.max_employees) for s in DEFAULT_SEGMENTS] == [
        ("Mercury", 10, 99), ("Mars", 100, 399), ("Venus", 400, 2999), ("Jupiter", 3000, None)]


def test_placement_by_size_and_boundaries():
    for employees, segment in ((10, "Mercury"), (99, "Mercury"), (100, "Mars"), (399, "Mars"),
                               (400, "Venus"), (2999, "Venus"), (3000, "Jupiter")):
        placed = place_account(Account("a", "A", employees=employees), DEFAULT_SEGMENTS,
                               "exception")
        assert (placed.segment, placed.source) == (segment, "employees")


def test_explicit_segment_wins():
    placed = place_account(Account("a", "A", employees=50, explicit_segment="Jupiter"),
                           DEFAULT_SEGMENTS, "exception")
    assert (placed.segment, placed.source) == ("Jupiter", "explicit")


def test_below_smallest_both_policies():
    small = Account("a", "A", employees=9)
    lowest = place_account(small, DEFAULT_SEGMENTS, "lowest")
    assert (lowest.segment, lowest.source) == ("Mercury", "lowest")
    exception = place_account(small, DEFAULT_SEGMENTS, "exception")
    assert (exception.segment, exception.source) == (None, "exception")
    unknown = place_account(Account("b", "B"), DEFAULT_SEGMENTS, "exception")
    assert unknown.segment is None and "no usable employee count" in unknown.note
