"""The solver-free checker: each hard rule caught on a broken plan; objective recomputed."""

from dataclasses import replace
from datetime import date
from pathlib import Path

from planner.assignment import Unassigned
from planner.check.assignment import assignment_objective, check_assignment
from planner.domain import Account, Inputs, Person
from planner.optimize.assign import assign
from planner.scenario import InputSettings, Scenario, SolverSettings, WorkloadSettings
from planner.segments import place_accounts

START = date(2027, 1, 4)
SC = Scenario(
    "t",
    Path("t.toml"),
    START,
    13,
    InputSettings(Path("a.csv")),
    solver=SolverSettings(time_limit_s=5.0, workers=1, seed=7),
)
OLD = date(2020, 1, 1)


def setup(accounts=None, people=None, scenario=SC):
    accounts = accounts or [
        Account(
            f"A{i}",
            f"A{i}",
            employees=500,
            arr=10000.0 * (i + 1),
            customer_since=OLD,
            owners={"CSM": "p1" if i < 4 else "p2"},
            locked=i == 5,
            parent_id="A3" if i == 2 else None,
        )
        for i in range(6)
    ]
    people = people or [
        Person("p1", "P1", new_team="Venus"),
        Person("p2", "P2", new_team="Venus"),
        Person("p9", "P9", new_team="Venus", last_day=date(2027, 2, 1)),
        Person("s", "S", role="Support"),
    ]
    inputs = Inputs(tuple(accounts), tuple(people))
    placements = place_accounts(inputs.accounts, scenario.segments, "exception")
    return inputs, placements, assign(inputs, placements, scenario)


def test_optimizer_plan_passes_and_objective_matches():
    inputs, placements, result = setup()
    assert check_assignment(inputs, placements, result, SC) == []
    assert assignment_objective(inputs, placements, result, SC) == result.terms


def with_owners(result, **changes):
    owners = dict(result.owners)
    for account, person in changes.items():
        if person is None:
            owners.pop((account, "CSM"))
        else:
            owners[(account, "CSM")] = person
    return replace(result, owners=owners)


def test_each_hard_rule_is_caught():
    inputs, placements, result = setup()
    check = lambda r: check_assignment(inputs, placements, r, SC)  # noqa: E731
    assert check(with_owners(result, A5="p1")) == ["A5 CSM: locked, but moved from p2 to p1"]
    assert check(with_owners(result, A0="p9")) == ["A0 CSM: owner p9 leaves before the plan ends"]
    assert check(with_owners(result, A0="s")) == ["A0 CSM: owner s is in None, not Venus CSM"]
    split = check(with_owners(result, A2="p1", A3="p2"))
    assert any("family A3 in Venus CSM has several CSMs" in p for p in split)
    assert check(with_owners(result, A0=None)) == ["A0 CSM: neither owned nor unassigned"]
    listed = replace(
        with_owners(result, A0=None), unassigned=(Unassigned("A0", "CSM", "Venus CSM", 5.0, "x"),)
    )
    # p1 holds 15 of 100 points after A0 leaves: room for A0's 5 points.
    assert check(listed) == ["A0 CSM: unassigned although p1 in Venus CSM has room for it"]


def test_capacity_is_checked():
    scenario = replace(SC, workload=WorkloadSettings(full_time_points={"CSM": 15.0}))
    inputs, placements, result = setup(scenario=scenario)
    assert check_assignment(inputs, placements, result, scenario) == []
    owners = {k: "p1" for k in result.owners}
    problems = check_assignment(inputs, placements, replace(result, owners=owners), scenario)
    assert "p1: load 30 points over capacity 15" in problems


def test_objective_is_recomputed_by_hand():
    inputs, placements, result = setup()
    # Everyone keeps: p1 20 points, p2 10, target 15 each -> balance 20 x 10 points.
    kept = replace(result, owners={(f"A{i}", "CSM"): "p1" if i < 4 else "p2" for i in range(6)})
    assert assignment_objective(inputs, placements, kept, SC) == {
        "move": 0,
        "fit": 0,
        "balance": 20 * 1000,
        "unassigned": 0,
    }
    # A0 (ARR 10k) to p2: move 110, fit 40 (p2 holds nothing in A0's family), balance 0.
    moved = with_owners(kept, A0="p2")
    assert assignment_objective(inputs, placements, moved, SC) == {
        "move": 11000,
        "fit": 4000,
        "balance": 0,
        "unassigned": 0,
    }


def test_every_balance_shape_is_recomputed():
    inputs, placements, _ = setup()
    for shape in ("deviation", "bands", "spread"):
        result = assign(inputs, placements, SC, balance_shape=shape)
        assert check_assignment(inputs, placements, result, SC) == []
        assert assignment_objective(inputs, placements, result, SC) == result.terms
        kept = replace(result, owners={(f"A{i}", "CSM"): "p1" if i < 4 else "p2" for i in range(6)})
        # Deviations from the target 15: +5 and -5 points (scaled 500 each).
        # deviation: 500 + 500; bands: 10% of 100 points = 1000 scaled, so no steep part;
        # spread: (500 - (-500)) x 2 people.
        expected = {"deviation": 1000, "bands": 1000, "spread": 2000}[shape]
        assert assignment_objective(inputs, placements, kept, SC)["balance"] == 20 * expected


def ten_point_csms():
    return replace(SC, workload=WorkloadSettings(full_time_points={"CSM": 10.0}))


TWO = [Person("p1", "P1", new_team="Venus"), Person("p2", "P2", new_team="Venus")]


def test_a_lock_overload_is_accepted_only_for_locked_accounts():
    """p1 (10 points) keeps three locked 5-point accounts: 15 points, listed as an overload.
    Giving p1 the unlocked A3 as well is a plain overload (20 points); an overload the
    assignment does not list is caught too."""
    scenario = ten_point_csms()
    accounts = [
        Account(f"L{i}", f"L{i}", employees=500, customer_since=OLD, locked=True,
                owners={"CSM": "p1"})
        for i in range(3)
    ] + [Account("A3", "A3", employees=500, customer_since=OLD, owners={"CSM": "p1"})]
    inputs, placements, result = setup(accounts, TWO, scenario)
    check = lambda r: check_assignment(inputs, placements, r, scenario)  # noqa: E731
    assert check(result) == [] and result.owners[("A3", "CSM")] == "p2"
    assert check(with_owners(result, A3="p1")) == ["p1: load 20 points over capacity 10"]
    assert check(replace(result, overloads=())) == [
        "p1: locked accounts over capacity, but not listed"]


def test_a_family_split_is_accepted_only_when_no_one_could_hold_it():
    """Family F0, F1, F2 (15 points). With 10-point CSMs no one can hold it: the split plan
    passes. The same plan judged with 100-point CSMs is caught, whatever the optimizer's
    notes and splits say (the checker recomputes)."""
    accounts = [
        Account("F0", "F0", employees=500, customer_since=OLD),
        Account("F1", "F1", employees=500, customer_since=OLD, parent_id="F0"),
        Account("F2", "F2", employees=500, customer_since=OLD, parent_id="F0"),
    ]
    scenario = ten_point_csms()
    inputs, placements, result = setup(accounts, TWO, scenario)
    assert len(set(result.owners.values())) == 2 and result.splits
    assert check_assignment(inputs, placements, result, scenario) == []
    assert check_assignment(inputs, placements, result, SC) == [
        "family F0 in Venus CSM has several CSMs: p1, p2, although one person could hold "
        "all of it"
    ]


def test_a_strategic_account_waits_only_when_strategic_work_fills_everyone():
    """Two 10-point CSMs, strategic S0-S2 and plain A0-A1 (ARR 1k, 2k; 5 points each, 25 in
    all). The
    plan places the strategic ones first: one waits only if everyone is full of strategic
    accounts. Swapping a waiting strategic account with a placed plain one is caught."""
    scenario = ten_point_csms()
    accounts = [
        Account(f"S{i}", f"S{i}", employees=500, customer_since=OLD, strategic=True)
        for i in range(3)
    ] + [Account(f"A{i}", f"A{i}", employees=500, arr=1000.0 * (i + 1), customer_since=OLD)
         for i in range(2)]
    inputs, placements, result = setup(accounts, TWO, scenario)
    assert check_assignment(inputs, placements, result, scenario) == []
    assert [u.account_id for u in result.unassigned] == ["A0"]  # lowest ARR
    owner = result.owners[("S0", "CSM")]
    swapped = replace(
        result,
        owners={**{k: v for k, v in result.owners.items() if k != ("S0", "CSM")},
                ("A0", "CSM"): owner},
        unassigned=(Unassigned("S0", "CSM", "Venus CSM", 5.0, "x"),),
    )
    assert check_assignment(inputs, placements, swapped, scenario) == [
        f"S0 CSM: strategic account left unassigned although {owner} has room beside their "
        "strategic and locked accounts"
    ]
