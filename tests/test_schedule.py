"""The schedule optimizer on hand-made instances whose answer is worked out in the comments."""

from __future__ import annotations

from collections import Counter

from planner.check.schedule import check_schedule, schedule_objective
from planner.optimize.schedule import greedy_schedule, schedule_handoffs
from planner.scenario import ObjectiveWeights
from planner.schedule import ScheduleContext, allowed_weeks

try:
    from tests.schedule_helpers import day, handoff, person, scenario
except ImportError:  # tests/ run as plain directory
    from schedule_helpers import day, handoff, person, scenario  # type: ignore[no-redef]

#: only the early term, so the answers are easy to work out
EARLY_ONLY = ObjectiveWeights(early_forced=5, near_renewal=50, peak_week=0, wave_spread=0)


def solve(handoffs, ctx, sc):
    result = schedule_handoffs(handoffs, ctx, sc)
    assert check_schedule(handoffs, ctx, sc, result) == []
    assert schedule_objective(handoffs, ctx, sc, result) == result.terms
    return result


def test_cap_of_two_spreads_five_handoffs_over_three_weeks():
    # Ana gives 5 accounts to 5 people; at most 2 out a week: weeks 0,0,1,1,2.
    sc = scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=2)
    hs = [handoff(f"h{i}", "ana", f"r{i}") for i in range(5)]
    result = solve(hs, ScheduleContext(), sc)
    assert sorted(Counter(result.start_week.values()).items()) == [(0, 2), (1, 2), (2, 1)]
    assert result.terms["early_forced"] == 5 * (0 + 0 + 1 + 1 + 2)
    assert result.status == "OPTIMAL" and result.gap == 0.0


def test_renewal_in_week_6_keeps_the_handoff_in_week_0():
    # Renewal in week 6, freeze 4 -> no overlap in weeks 2..6; a 2-week overlap may start in
    # week 0 or from week 7. Week 0 touches the soft zone before (50); week 7 the soft zone
    # after (50 + 5*7 = 85); week 11 is clear (5*11 = 55). Week 0 is best, cost 50.
    sc = scenario(weeks=16, objective=EARLY_ONLY, renewal_freeze_weeks=4, renewal_soft_weeks=4)
    h = handoff("h", "ana", "ben", renewal=day(6, 2))
    assert allowed_weeks(h, ScheduleContext(), sc)[0] == (0, *range(7, 16))
    result = solve([h], ScheduleContext(), sc)
    assert result.start_week == {"h": 0}
    assert result.terms == {"early_forced": 0, "near_renewal": 50, "previous_change": 0,
                            "peak_week": 0,
                            "wave_spread": 0}


def test_renewal_in_week_3_pushes_the_handoff_past_the_soft_zone():
    # Renewal in week 3, freeze 2 -> weeks 1..3 frozen; week 0 overlaps week 1: first start is 4.
    # Weeks 4..7 are in the soft zone after (50 + 5w >= 70); week 8 costs 40: the answer.
    sc = scenario(weeks=16, objective=EARLY_ONLY, renewal_freeze_weeks=2, renewal_soft_weeks=4)
    result = solve([handoff("h", "ana", "ben", renewal=day(3, 4))], ScheduleContext(), sc)
    assert result.start_week == {"h": 8}
    assert result.objective == 40


def test_blackout_week_is_empty():
    sc = scenario(objective=EARLY_ONLY, blackout_weeks=(day(0, 3),))
    hs = [handoff(f"h{i}", "ana", "ben", account=f"a{i}") for i in range(3)]
    result = solve(hs, ScheduleContext(), sc)
    assert set(result.start_week.values()) == {1}


def test_three_role_changes_of_one_account_share_a_week():
    # PM waits for go-live in week 2 (a Monday); CSM and SA follow it there.
    sc = scenario(objective=EARLY_ONLY)
    hs = [handoff("csm", "c1", "c2", account="x"),
          handoff("pm", "p1", "p2", account="x", role="PM", go_live=day(2)),
          handoff("sa", "s1", "s2", account="x", role="SA", go_live=day(2))]
    result = solve(hs, ScheduleContext(), sc)
    assert result.start_week == {"csm": 2, "pm": 2, "sa": 2}


def test_role_changes_apart_when_same_week_is_off():
    sc = scenario(objective=EARLY_ONLY, same_week_per_account=False)
    hs = [handoff("csm", "c1", "c2", account="x"),
          handoff("pm", "p1", "p2", account="x", role="PM", go_live=day(2))]
    assert solve(hs, ScheduleContext(), sc).start_week == {"csm": 0, "pm": 2}


def test_locked_handoff_keeps_its_week():
    sc = scenario(objective=EARLY_ONLY, blackout_weeks=(day(5),))
    hs = [handoff("free", "ana", "ben"), handoff("locked", "ana", "ben", locked_week=5)]
    result = solve(hs, ScheduleContext(), sc)
    assert result.start_week == {"free": 0, "locked": 5}
    assert any("locked by a manager" in line and "blackout week 6" in line
               for line in result.diagnosis)


def test_leaver_handoffs_end_before_the_last_day():
    # Last day Wednesday of week 3 -> last full week 2; 2-week overlaps start by week 1.
    # Cap 2 a week: weeks 0,0,1,1; the fifth fits nowhere and is an exception.
    sc = scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=2)
    ctx = ScheduleContext(people=(person("lee", "Lee Chen", last_day=day(3, 2)),))
    hs = [handoff(f"h{i}", "lee", f"r{i}", forced=False) for i in range(5)]
    result = solve(hs, ctx, sc)
    assert sorted(result.start_week.values()) == [0, 0, 1, 1]
    assert len(result.exceptions) == 1
    assert ("Lee Chen: 5 outgoing handoffs, at most 4 fit with a cap of 2 a week before the "
            "last day (Jan 27, 2027)") in result.exceptions[0].reason


def test_impossible_caps_name_the_person_and_the_rule():
    # 7 handoffs out of Lee Chen, a cap of 2 and weeks 2..7 off of 8: 2 open weeks hold 4.
    sc = scenario(weeks=8, objective=EARLY_ONLY, max_handoffs_out_per_week=2)
    ctx = ScheduleContext(people=(person("lee", "Lee Chen",
                                         weeks_off=tuple(day(w) for w in range(2, 8))),))
    hs = [handoff(f"h{i}", "lee", f"r{i}") for i in range(7)]
    result = solve(hs, ctx, sc)
    assert len(result.start_week) == 4 and len(result.exceptions) == 3
    assert result.diagnosis[0] == (
        "Lee Chen: 7 outgoing handoffs, at most 4 fit with a cap of 2 a week and 6 weeks off; "
        "raise Lee Chen's weekly cap ('Max Out Per Week' in the roster, or [rules] "
        "max_handoffs_out_per_week for everyone) or move some of these accounts later in "
        "another plan")
    assert "3 handoff(s) could not be placed" in result.diagnosis[1]
    assert result.status == "OPTIMAL" and result.stages[0].set_aside == 3


def test_per_person_in_cap_override():
    sc = scenario(objective=EARLY_ONLY)
    ctx = ScheduleContext(people=(person("ben", max_in_per_week=1),))
    hs = [handoff(f"h{i}", f"g{i}", "ben") for i in range(3)]
    assert sorted(solve(hs, ctx, sc).start_week.values()) == [0, 1, 2]


def test_new_hire_gets_nothing_before_the_start_and_few_in_the_ramp():
    # Start date Tuesday of week 1 -> first week 2; ramp 1 a week for 2 weeks, then cap 6.
    sc = scenario(objective=EARLY_ONLY, new_hire_ramp_weeks=2, new_hire_ramp_max_in=1)
    ctx = ScheduleContext(people=(person("new", start_date=day(1, 1)),))
    hs = [handoff(f"h{i}", f"g{i}", "new") for i in range(4)]
    assert sorted(solve(hs, ctx, sc).start_week.values()) == [2, 3, 4, 4]


def test_team_cap_per_week():
    sc = scenario(objective=EARLY_ONLY, max_handoffs_per_team_week=2)
    ctx = ScheduleContext(team_of={"b1": "Venus CSM", "b2": "Venus CSM"})
    hs = [handoff(f"h{i}", f"g{i}", f"b{i % 2 + 1}") for i in range(4)]
    assert sorted(solve(hs, ctx, sc).start_week.values()) == [0, 0, 1, 1]


def test_load_during_transition_waits_for_the_overlap_to_end():
    # Ben (capacity 10, keeps 5 points) gives Y (5) to Cid and receives X (5) from Ana:
    # holding both would be 15 > 10, so X starts when Y's 2-week overlap is over: week 2.
    sc = scenario(objective=EARLY_ONLY, load_tolerance=1.0)
    ctx = ScheduleContext(capacity={"ben": 10.0}, base_load={"ben": 5.0})
    hs = [handoff("x", "ana", "ben", points=5.0), handoff("y", "ben", "cid", points=5.0)]
    result = solve(hs, ctx, sc)
    assert result.start_week == {"x": 2, "y": 0}
    assert result.terms["early_forced"] == 10


def test_peak_and_wave_terms_smooth_a_team():
    # 4 optional handoffs into one team with no urgency: one week holds them all (peak 4,
    # 1 week) = 20*4 + 10*1 = 90; two weeks would be 20*2 + 10*2 = 60; four weeks 20 + 40 = 60.
    weights = ObjectiveWeights(early_forced=5, near_renewal=50, peak_week=20, wave_spread=10)
    sc = scenario(weeks=4, objective=weights)
    ctx = ScheduleContext(team_of={"b": "Mars CSM"})
    hs = [handoff(f"h{i}", f"g{i}", "b", forced=False) for i in range(4)]
    result = solve(hs, ctx, sc)
    assert result.objective == 60
    assert result.terms["peak_week"] + result.terms["wave_spread"] == 60


def test_handoff_with_no_week_is_an_exception_with_the_reason():
    sc = scenario(weeks=10, renewal_freeze_weeks=4, blackout_weeks=(day(0, 1),))
    ctx = ScheduleContext(people=(person("lee", "Lee Chen", last_day=day(5, 2)),))
    h = handoff("h", "lee", "ben", renewal=day(6, 2))
    result = solve([h], ctx, sc)
    assert result.start_week == {}
    assert result.exceptions[0].reason == (
        "renewal freeze weeks 2–4 (renewal on Feb 17, 2027) and blackout week 1 leave no week "
        "before Lee Chen's last day (Feb 10, 2027)")


def test_independent_parts_and_waves_in_date_order():
    sc = scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=1, wave_weeks=2)
    hs = [handoff("a1", "ana", "ben"), handoff("a2", "ana", "ben", account="z"),
          handoff("a3", "ana", "ben", account="y"), handoff("c1", "cid", "dan")]
    messages: list[str] = []
    result = schedule_handoffs(hs, ScheduleContext(), sc, progress=messages.append)
    assert check_schedule(hs, ScheduleContext(), sc, result) == []
    assert messages == ["scheduling 2 small parts"]
    assert len(result.stages) == 2
    assert sorted(result.start_week.values()) == [0, 0, 1, 2]
    assert result.waves["c1"] == 1
    assert sorted(result.waves.values()) == [1, 1, 1, 2]


def test_greedy_baseline_passes_the_checker():
    sc = scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=2)
    hs = [handoff(f"h{i}", "ana", f"r{i}") for i in range(5)]
    base = greedy_schedule(hs, ScheduleContext(), sc)
    assert check_schedule(hs, ScheduleContext(), sc, base) == []
    assert schedule_objective(hs, ScheduleContext(), sc, base)["early_forced"] == 20


def test_new_hire_ramp_conflict_is_diagnosed():
    # Noa starts in week 0 and may take 1 a week for 2 weeks; the plan has 2 weeks: 2 fit of 3.
    sc = scenario(weeks=2, objective=EARLY_ONLY, new_hire_ramp_weeks=2, new_hire_ramp_max_in=1)
    ctx = ScheduleContext(people=(person("noa", "Noa Berg", start_date=day(0)),))
    hs = [handoff(f"h{i}", f"g{i}", "noa") for i in range(3)]
    result = solve(hs, ctx, sc)
    assert len(result.exceptions) == 1
    assert result.diagnosis[0].startswith(
        "Noa Berg (new hire from Jan 4, 2027): 3 incoming handoffs, at most 2 fit with 1 a week "
        "in the first 2 weeks")


def test_a_short_time_limit_still_returns_a_checked_schedule():
    from benchmarks.schedule_bench import bench_scenario, generate

    hs, ctx = generate(600)
    sc = bench_scenario(time_limit=0.5, workers=1)
    result = schedule_handoffs(hs, ctx, sc)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert len(result.start_week) + len(result.exceptions) == len(hs)
    assert check_schedule(hs, ctx, sc, result) == []
    assert schedule_objective(hs, ctx, sc, result) == result.terms
    assert 0.0 <= result.gap < 1.0 and result.bound <= result.objective


def test_small_parts_in_parallel_give_the_same_answer():
    hs = [handoff(f"h{i}", f"g{i % 4}", f"r{i % 4}", account=f"a{i}") for i in range(12)]
    one = schedule_handoffs(hs, ScheduleContext(),
                            scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=1))
    sc2 = scenario(objective=EARLY_ONLY, max_handoffs_out_per_week=1)
    from dataclasses import replace
    sc2 = replace(sc2, solver=replace(sc2.solver, workers=2))
    two = schedule_handoffs(hs, ScheduleContext(), sc2)
    assert len(one.stages) == len(two.stages) == 4
    assert one.terms == two.terms == {"early_forced": 5 * 4 * (0 + 1 + 2), "near_renewal": 0,
                                      "previous_change": 0, "peak_week": 0, "wave_spread": 0}


def test_large_impossible_part_is_caught_by_the_relaxation_and_diagnosed():
    # 250 accounts out of one owner, 6 a week over 26 weeks: 156 fit, 94 are exceptions.
    sc = scenario(weeks=26, objective=EARLY_ONLY, time_limit=20.0)
    ctx = ScheduleContext(people=(person("lee", "Lee Chen"),))
    hs = [handoff(f"h{i}", "lee", f"r{i}") for i in range(250)]
    result = schedule_handoffs(hs, ctx, sc)
    assert check_schedule(hs, ctx, sc, result) == []
    assert len(result.start_week) == 156 and len(result.exceptions) == 94
    assert result.diagnosis[0].startswith(
        "Lee Chen: 250 outgoing handoffs, at most 156 fit with a cap of 6 a week")
    assert result.stages[0].set_aside == 94


def test_replan_keeps_the_previous_week_unless_the_gain_is_worth_more():
    # Alone, a forced handoff goes to week 0. The previous plan had it in week 3: moving it
    # back to week 0 saves 5 x 3 = 15 but costs previous_change 200, so it stays in week 3.
    sc = scenario(objective=EARLY_ONLY)
    moved = solve([handoff("h", "ana", "ben", previous_week=3)], ScheduleContext(), sc)
    assert moved.start_week == {"h": 3}
    assert moved.terms["early_forced"] == 15 and moved.terms["previous_change"] == 0
    fresh = solve([handoff("h", "ana", "ben")], ScheduleContext(), sc)
    assert fresh.start_week == {"h": 0}
