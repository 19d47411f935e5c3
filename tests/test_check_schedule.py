"""The solver-free schedule checker: it catches broken rules, recomputes the terms, and
agrees with the optimizer on random small instances."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.check.schedule import check_schedule, schedule_objective
from planner.optimize.schedule import schedule_handoffs
from planner.scenario import ObjectiveWeights
from planner.schedule import Schedule, ScheduleContext, ScheduleException, waves

try:
    from tests.schedule_helpers import day, handoff, person, scenario
except ImportError:  # tests/ run as plain directory
    from schedule_helpers import day, handoff, person, scenario  # type: ignore[no-redef]


def plan(starts, sc, exceptions=()):
    return Schedule(dict(starts), tuple(exceptions), waves(dict(starts), sc))


def test_a_valid_schedule_has_no_problems():
    sc = scenario(max_handoffs_out_per_week=2)
    hs = [handoff(f"h{i}", "ana", f"r{i}") for i in range(3)]
    assert check_schedule(hs, ScheduleContext(), sc, plan({"h0": 0, "h1": 0, "h2": 1}, sc)) == []


def test_broken_rules_are_named():
    sc = scenario(max_handoffs_out_per_week=2, blackout_weeks=(day(3),),
                  renewal_freeze_weeks=2)
    ctx = ScheduleContext(people=(person("lee", "Lee Chen", last_day=day(4, 2)),),
                          capacity={"ben": 1.0})
    hs = [handoff("a", "ana", "ben", points=5.0), handoff("b", "ana", "cid"),
          handoff("c", "ana", "dan"),
          handoff("d", "eve", "fay", renewal=day(6)),           # freeze weeks 4..6
          handoff("e", "lee", "gus"),                            # last full week 3
          handoff("f", "ivy", "jon", locked_week=2),
          handoff("g1", "kim", "lou", account="x"), handoff("g2", "max", "ned", account="x"),
          handoff("m", "ana", "ola")]
    starts = {"a": 0, "b": 0, "c": 0, "d": 3, "e": 3, "f": 1, "g1": 1, "g2": 2}
    problems = check_schedule(hs, ctx, sc, plan(starts, sc))
    assert "ana: 3 outgoing handoffs in week 1" in problems
    assert "handoff d: overlap weeks 4–5 touch the renewal freeze" in problems
    assert "handoff d: starts in blackout week 4" in problems
    assert "handoff e: overlap ends after Lee Chen's last day 2027-02-03" in problems
    assert "handoff f: locked in week 3, scheduled in week 2" in problems
    assert ("account x: role changes start in weeks [2, 3] although those in weeks 2 and 3 "
            "could all start in week 1") in problems
    assert "ben: load 5 points in week 1 above 1.15" in problems
    assert "handoff m: must be either scheduled or an exception" in problems


def test_caps_ramp_and_people_rules_are_rederived():
    # 8-week plan, team cap 2. Roster: ana may give 1 a week, noa starts Wednesday of week 1
    # (first week 2, ramp 1 a week in weeks 2-3), ivy takes at most 1, joe is off in week 4,
    # kai leaves Tuesday of week 5 (works week 4 through its Friday, not week 5).
    sc = scenario(weeks=8, max_handoffs_per_team_week=2, new_hire_ramp_weeks=2,
                  new_hire_ramp_max_in=1)
    ctx = ScheduleContext(
        people=(person("ana", max_out_per_week=1), person("noa", "Noa", start_date=day(1, 2)),
                person("ivy", max_in_per_week=1), person("joe", "Joe", weeks_off=(day(4, 3),)),
                person("kai", "Kai", last_day=day(5, 1))),
        team_of={"t1": "Venus CSM", "t2": "Venus CSM", "t3": "Venus CSM"})
    hs = [handoff("a1", "ana", "x1"), handoff("a2", "ana", "x2"),       # ana: 2 in week 1
          handoff("n1", "g1", "noa", role="PM"),                        # before noa starts
          handoff("n2", "g2", "noa", role="PM"), handoff("n3", "g3", "noa", role="PM"),
          handoff("i1", "g4", "ivy"), handoff("i2", "g5", "ivy"),       # ivy: 2 in week 1
          handoff("t1", "g6", "t1"), handoff("t2", "g7", "t2"), handoff("t3", "g8", "t3"),
          handoff("j1", "joe", "y1"), handoff("j2", "g9", "joe"),       # in joe's week off
          handoff("k1", "g10", "kai", role="PM"),                       # after kai's last week
          handoff("o1", "g11", "y2", role="PM", go_live=day(3, 1)),     # before go-live
          handoff("e1", "g12", "y3")]                                   # ends after week 8
    starts = {"a1": 0, "a2": 0, "n1": 1, "n2": 2, "n3": 2, "i1": 0, "i2": 0,
              "t1": 6, "t2": 6, "t3": 6, "j1": 4, "j2": 4, "k1": 5, "o1": 3, "e1": 7}
    assert sorted(check_schedule(hs, ctx, sc, plan(starts, sc))) == sorted([
        "Ana: 2 outgoing handoffs in week 1",
        "handoff n1: starts before Noa's start date 2027-01-13",
        "Noa: 2 incoming handoffs in week 3",  # ramp: 1 a week in weeks 3-4 (1-based)
        "Ivy: 2 incoming handoffs in week 1",
        "Venus CSM: 3 handoffs in week 7",
        "handoff j1: starts in a week off of Joe",
        "handoff j2: starts in a week off of Joe",
        "handoff k1: starts after Kai's last day 2027-02-09",
        "handoff o1: starts before go-live 2027-01-26",
        "handoff e1: overlap weeks 8–9 end after the plan's 8 weeks",
    ])


def test_a_split_is_accepted_only_when_no_week_suits_all():
    # CSM weeks 0-2 (Wen leaves Friday of week 3), PM and SA weeks 5-11 (go-live week 5):
    # the account may split into {CSM} and {PM, SA}, but PM and SA may not split further.
    sc = scenario()
    ctx = ScheduleContext(people=(person("wen", "Wen Novak", last_day=day(3, 4)),))
    hs = [handoff("csm", "wen", "ben", account="birch"),
          handoff("pm", "pat", "pia", account="birch", role="PM", go_live=day(5)),
          handoff("sa", "sam", "sue", account="birch", role="SA", go_live=day(5))]
    assert check_schedule(hs, ctx, sc, plan({"csm": 0, "pm": 5, "sa": 5}, sc)) == []
    assert check_schedule(hs, ctx, sc, plan({"csm": 0, "pm": 5, "sa": 6}, sc)) == [
        "account birch: role changes start in weeks [1, 6, 7] although those in weeks 6 and 7 "
        "could all start in week 6"]
    # without Wen leaving, week 5 suits all three: no split is accepted
    free = ScheduleContext()
    assert check_schedule(hs, free, sc, plan({"csm": 0, "pm": 5, "sa": 5}, sc)) == [
        "account birch: role changes start in weeks [1, 6] although those in weeks 1 and 6 "
        "could all start in week 6"]


def test_family_is_checked_through_the_grandchild():
    # r -> c -> g: with family_same_week a grandchild apart from its root is caught.
    sc = scenario(family_same_week=True)
    ctx = ScheduleContext(parent_of={"c": "r", "g": "c"})
    hs = [handoff("root", "ana", "ben", account="r"), handoff("gc", "cid", "dan", account="g")]
    assert check_schedule(hs, ctx, sc, plan({"root": 2, "gc": 2}, sc)) == []
    assert check_schedule(hs, ctx, sc, plan({"root": 2, "gc": 0}, sc)) == [
        "family r: role changes start in weeks [1, 3] although those in weeks 1 and 3 could "
        "all start in week 1"]


def test_exception_counts_as_covered_and_stays_with_its_owner():
    sc = scenario(load_tolerance=1.0)
    ctx = ScheduleContext(capacity={"ana": 10.0}, base_load={"ana": 8.0})
    hs = [handoff("a", "ana", "ben", points=3.0)]
    # Ana starts at 11 > 10: the limit is her load at the plan start, so keeping it is fine.
    schedule = plan({}, sc, [ScheduleException("a", "no week")])
    assert check_schedule(hs, ctx, sc, schedule) == []


def test_objective_terms_by_hand():
    sc = scenario(objective=ObjectiveWeights(early_forced=5, near_renewal=50, peak_week=20,
                                             wave_spread=10), renewal_freeze_weeks=2,
                  renewal_soft_weeks=2)
    ctx = ScheduleContext(team_of={"ana": "Mars CSM", "ben": "Venus CSM", "cid": "Venus CSM"})
    hs = [handoff("a", "ana", "ben"),                              # urgent, week 3
          handoff("b", "ana", "cid", forced=False),                # week 3
          handoff("c", "dan", "cid", forced=False, renewal=day(8))]  # week 2: soft zone 3..5
    terms = schedule_objective(hs, ctx, sc, plan({"a": 3, "b": 3, "c": 2}, sc))
    # early 5*3; near: c's overlap (weeks 2-3) touches the soft zone 4..5? no: freeze 6..8,
    # soft 4..5 before -> weeks 2..3 are clear. Mars CSM: week 3 x2 -> peak 2, 1 week;
    # Venus CSM: week 3 x2, week 2 x1 -> peak 2, 2 weeks.
    assert terms == {"early_forced": 15, "near_renewal": 0, "previous_change": 0,
                     "peak_week": 20 * (2 + 2),
                     "wave_spread": 10 * (1 + 2)}
    terms = schedule_objective(hs, ctx, sc, plan({"a": 3, "b": 3, "c": 3}, sc))
    assert terms["near_renewal"] == 50  # weeks 3..4 touch week 4


PEOPLE = ["p0", "p1", "p2", "p3", "p4"]


@st.composite
def instances(draw):
    weeks = draw(st.integers(4, 8))
    n = draw(st.integers(1, 8))
    # families: each account may have a parent among the accounts before it (chains of 3+)
    parents = {f"a{k}": f"a{draw(st.integers(0, k - 1))}" for k in range(1, 6)
               if draw(st.integers(0, 2)) == 0}
    hs = []
    for i in range(n):
        giver = draw(st.sampled_from(PEOPLE + [None]))
        receiver = draw(st.sampled_from([p for p in PEOPLE if p != giver]))
        renewal = draw(st.one_of(st.none(), st.integers(-2, weeks + 6)))
        go_live = draw(st.one_of(st.none(), st.integers(-2, weeks)))
        locked = draw(st.one_of(st.none(), st.integers(0, weeks - 1))) \
            if draw(st.integers(0, 9)) == 0 else None
        account = draw(st.integers(0, 5))
        hs.append(handoff(
            f"h{i}", giver, receiver, account=f"a{account}",
            role=draw(st.sampled_from(["CSM", "PM", "SA"])), forced=draw(st.booleans()),
            points=float(draw(st.integers(0, 4))),
            renewal=None if renewal is None else day(renewal, 2),
            go_live=None if go_live is None else day(go_live, 1), locked_week=locked,
            onboarding=draw(st.booleans()), parent_id=parents.get(f"a{account}")))
    people = []
    for pid in PEOPLE:
        extra = {}
        if draw(st.integers(0, 4)) == 0:
            extra["last_day"] = day(draw(st.integers(1, weeks)), draw(st.integers(0, 6)))
        if draw(st.integers(0, 4)) == 0:
            extra["start_date"] = day(draw(st.integers(0, weeks - 1)), 0)
        if draw(st.integers(0, 3)) == 0:
            extra["weeks_off"] = (day(draw(st.integers(0, weeks - 1))),)
        if draw(st.integers(0, 4)) == 0:
            extra["max_out_per_week"] = draw(st.integers(1, 2))
        people.append(person(pid, **extra))
    ctx = ScheduleContext(
        parent_of=parents,
        people=tuple(people),
        team_of={pid: draw(st.sampled_from(["T1", "T2"])) for pid in PEOPLE},
        capacity={pid: float(draw(st.integers(3, 12))) for pid in PEOPLE[:3]},
        base_load={pid: float(draw(st.integers(0, 6))) for pid in PEOPLE},
    )
    sc = scenario(
        weeks=weeks, time_limit=2.0,
        max_handoffs_out_per_week=draw(st.integers(1, 3)),
        max_handoffs_in_per_week=draw(st.integers(1, 3)),
        max_handoffs_per_team_week=draw(st.integers(0, 3)),
        renewal_freeze_weeks=draw(st.integers(0, 3)),
        renewal_soft_weeks=draw(st.integers(0, 2)),
        blackout_weeks=(day(draw(st.integers(0, weeks - 1)), 3),),
        same_week_per_account=draw(st.booleans()),
        family_same_week=draw(st.booleans()),
        onboarding_csm_waits=draw(st.booleans()),
        wave_weeks=draw(st.integers(1, 2)),
        load_tolerance=1.0,
    )
    return hs, ctx, sc


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_any_schedule_passes_the_checker_and_terms_match(instance):
    hs, ctx, sc = instance
    result = schedule_handoffs(hs, ctx, sc)
    assert check_schedule(hs, ctx, sc, result) == []
    assert schedule_objective(hs, ctx, sc, result) == result.terms
    assert len(result.start_week) + len(result.exceptions) == len(hs)
