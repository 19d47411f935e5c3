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
    assert check(listed) == ["A0 CSM: unassigned although Venus CSM has capacity"]


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
