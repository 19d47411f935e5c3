"""Business words for exclusions and conflicts."""

from __future__ import annotations

from planner.explain import (
    CapConflict,
    cap_conflict_text,
    exclusion_reason,
    week_text,
    weeks_text,
)
from planner.schedule import Exclusion, ScheduleContext, allowed_weeks

try:
    from tests.schedule_helpers import day, handoff, person, scenario
except ImportError:  # tests/ run as plain directory
    from schedule_helpers import day, handoff, person, scenario  # type: ignore[no-redef]


def test_weeks_are_counted_from_one_and_compressed():
    assert weeks_text([2]) == "week 3"
    assert weeks_text([2, 3, 4, 5, 6, 7, 8, 9]) == "weeks 3–10"
    assert weeks_text([0, 1, 4]) == "weeks 1–2 and 5"
    assert week_text(scenario(), 2) == "week 3 (Jan 18, 2027)"


def test_reason_names_every_rule_and_the_last_day():
    # Renewal Wed of week 6 (0-based), freeze 4: zone weeks 2..6, a 2-week overlap cannot
    # start in 1..6; blackout week 0; the overlap must end by week 9 (no start in 9); last
    # day Wed of week 5 -> overlap ends by week 4.
    sc = scenario(weeks=10, renewal_freeze_weeks=4, blackout_weeks=(day(0, 1),))
    ctx = ScheduleContext(people=(person("lee", "Lee Chen", last_day=day(5, 2)),))
    h = handoff("h", "lee", "ben", renewal=day(6, 2))
    weeks, exclusions = allowed_weeks(h, ctx, sc)
    assert weeks == ()
    assert [e.rule for e in exclusions] == ["renewal_freeze", "blackout", "plan_end",
                                            "giver_leaves"]
    assert exclusion_reason(h, exclusions, sc) == (
        "renewal freeze weeks 2–4 (renewal on Feb 17, 2027) and blackout week 1 leave no week "
        "before Lee Chen's last day (Feb 10, 2027)")


def test_reason_without_a_leaver():
    sc = scenario(weeks=4)
    h = handoff("h", "ana", "new", role="PM", go_live=day(6))
    ctx = ScheduleContext(people=(person("new", "Noa Berg", start_date=day(2)),))
    _, exclusions = allowed_weeks(h, ctx, sc)
    assert exclusion_reason(h, exclusions, sc) == (
        "onboarding until go-live on Feb 15, 2027 (weeks 1–4) and Noa Berg starting on "
        "Jan 18, 2027 (weeks 1–2) leave no week in the plan's 4 weeks")


def test_only_the_last_day():
    sc = scenario(weeks=4)
    h = handoff("h", "lee", "ben")
    exclusions = (Exclusion("giver_leaves", (0, 1, 2, 3), "Lee Chen|2027-01-05"),)
    assert exclusion_reason(h, exclusions, sc) == (
        "Lee Chen's last day (Jan 5, 2027) leaves no week for a 2-week overlap inside the plan")


def test_cap_conflict_texts():
    sc = scenario()
    assert cap_conflict_text(CapConflict("out_cap", "Lee Chen", 7, 4, 2, 2, 6), sc) == (
        "Lee Chen: 7 outgoing handoffs, at most 4 fit with a cap of 2 a week and 6 weeks off; "
        "raise Lee Chen's weekly cap ('Max Out Per Week' in the roster, or [rules] "
        "max_handoffs_out_per_week for everyone) or move some of these accounts later in "
        "another plan")
    assert cap_conflict_text(CapConflict("in_cap", "Ana", 9, 6, 3, 2), sc) == (
        "Ana: 9 incoming handoffs, at most 6 fit with a cap of 3 a week; raise Ana's weekly "
        "cap ('Max In Per Week' in the roster, or [rules] max_handoffs_in_per_week for "
        "everyone) or give some of these accounts to another owner")
    assert cap_conflict_text(CapConflict("team_cap", "Venus CSM", 30, 20, 5, 4), sc) == (
        "Venus CSM team: 30 handoffs, at most 20 fit with a team cap of 5 a week; "
        "raise max_handoffs_per_team_week")
    load = CapConflict("load", "Ben", 2, 0, 0, 12, limit_points=11.5, kept_points=5,
                       in_points=10, handed_over=1, out_points=3)
    assert cap_conflict_text(load, sc) == (
        "Ben: keeps 5 points, hands over 1 account worth 3 points and would take over 2 "
        "accounts worth 10 points; carrying old and new accounts during the overlaps goes above "
        "the limit of 11.5 points (capacity × load_tolerance 1.15) in some week; raise "
        "load_tolerance or Ben's capacity, or hand fewer accounts to Ben")
    assert "new hire from Jan 18, 2027" in cap_conflict_text(
        CapConflict("ramp", "Noa", 5, 4, 2, 2, start_date="2027-01-18"), sc)


def test_schedule_summary_lines():
    from planner.explain import schedule_summary
    from planner.optimize.schedule import schedule_handoffs

    sc = scenario(max_handoffs_out_per_week=2, renewal_freeze_weeks=2)
    hs = [handoff(f"h{i}", "ana", f"r{i}") for i in range(3)]
    hs.append(handoff("late", "bob", "cid", renewal=day(1, 2)))  # freeze weeks 0..1
    result = schedule_handoffs(hs, ScheduleContext(), sc)
    lines = schedule_summary(hs, result, sc)
    assert lines[0] == "wave 1 (from week 1 (Jan 4, 2027)): 2 handoffs"
    assert "peak week: week 1 (Jan 4, 2027) with 2 handoffs" in lines
    assert "handoffs kept out of a renewal freeze: 1" in lines
    assert "exceptions: 0" in lines
