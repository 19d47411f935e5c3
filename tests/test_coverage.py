"""Coverage rules: which roles an account needs, from segment and lifecycle."""

from datetime import date
from pathlib import Path

from planner.coverage import coverage_needs, months_between, needed_roles, released_roles
from planner.domain import Account, Inputs
from planner.scenario import InputSettings, Scenario
from planner.segments import Placement

START = date(2027, 1, 4)
SC = Scenario("t", Path("t.toml"), START, 13, InputSettings(Path("a.csv")))


def test_months_between_counts_whole_months():
    assert months_between(date(2026, 1, 4), START) == 12
    assert months_between(date(2026, 1, 5), START) == 11
    assert months_between(date(2027, 3, 1), START) == -2


def test_venus_needs_csm_always_and_pm_sa_while_onboarding():
    assert needed_roles(Account("A", "A"), "Venus", SC) == ("CSM",)
    assert needed_roles(Account("A", "A", onboarding=True), "Venus", SC) == ("CSM", "PM", "SA")
    live_later = Account("A", "A", go_live=date(2027, 2, 1))
    assert needed_roles(live_later, "Jupiter", SC) == ("CSM", "PM", "SA")
    live_before = Account("A", "A", go_live=date(2026, 12, 1))
    assert needed_roles(live_before, "Jupiter", SC) == ("CSM",)


def test_mars_hybrid_in_first_year_then_csm():
    new = Account("A", "A", customer_since=date(2026, 8, 1))
    old = Account("A", "A", customer_since=date(2025, 12, 1))
    exactly_a_year = Account("A", "A", customer_since=date(2026, 1, 4))
    assert needed_roles(new, "Mars", SC) == ("HYBRID",)
    assert needed_roles(old, "Mars", SC) == ("CSM",)
    assert needed_roles(exactly_a_year, "Mars", SC) == ("CSM",)


def test_missing_customer_since_is_new_only_when_onboarding():
    assert needed_roles(Account("A", "A"), "Mars", SC) == ("CSM",)
    assert needed_roles(Account("A", "A", onboarding=True), "Mars", SC) == ("HYBRID",)


def test_exception_accounts_need_nothing_and_mercury_needs_a_csm():
    assert needed_roles(Account("A", "A"), None, SC) == ()
    assert needed_roles(Account("A", "A", onboarding=True), "Mercury", SC) == ("CSM",)


def test_needs_carry_scaled_points_and_released_roles_are_listed():
    accounts = (
        Account("B", "B", onboarding=True, owners={"CSM": "c"}),
        Account("A", "A", customer_since=date(2020, 1, 1), owners={"HYBRID": "h"}),
        Account("X", "X", owners={"CSM": "c"}),
    )
    placements = {
        "A": Placement("A", "Mars", "employees"),
        "B": Placement("B", "Venus", "employees"),
        "X": Placement("X", None, "exception"),
    }
    needs = coverage_needs(Inputs(accounts, ()), placements, SC)
    assert [(n.account_id, n.role, n.points) for n in needs] == [
        ("A", "CSM", 200),
        ("B", "CSM", 500),
        ("B", "PM", 500),
        ("B", "SA", 500),
    ]
    assert released_roles(Inputs(accounts, ()), placements, SC) == (("A", "HYBRID", "h"),)


def test_missing_workload_points_are_warned_once(caplog):
    """Three Venus accounts need an SA (onboarding) but [workload] points has no Venus SA:
    each counts 1 point (100 scaled) and the scenario gets one warning, not three."""
    from dataclasses import replace

    from planner.scenario import WorkloadSettings

    scenario = replace(SC, path=Path("no-sa.toml"),
                       workload=WorkloadSettings(points={"Venus": {"CSM": 5.0, "PM": 5.0}}))
    accounts = tuple(Account(f"A{i}", "A", onboarding=True) for i in range(3))
    placements = {a.id: Placement(a.id, "Venus", "employees") for a in accounts}
    with caplog.at_level("WARNING", logger="planner"):
        needs = coverage_needs(Inputs(accounts, ()), placements, scenario)
    assert [n.points for n in needs if n.role == "SA"] == [100, 100, 100]
    assert [r.getMessage() for r in caplog.records] == [
        "no-sa.toml: [workload] points gives no points for Venus SA; each such account counts "
        "1.0 point (add an entry to set it)"
    ]
