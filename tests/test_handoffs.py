"""Handoffs derived from an assignment: forced vs optional, reasons, stable ids."""

from datetime import date, timedelta
from pathlib import Path

from planner.domain import Account, Inputs, Person
from planner.handoffs import derive_handoffs
from planner.optimize.assign import assign
from planner.scenario import InputSettings, Scenario, SolverSettings
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


def handoffs_for(accounts, people):
    inputs = Inputs(tuple(accounts), tuple(people))
    placements = place_accounts(inputs.accounts, SC.segments, "exception")
    result = assign(inputs, placements, SC)
    return derive_handoffs(inputs, placements, result, SC)


def test_reasons_and_ids():
    accounts = [
        # Segment changed Mars -> Venus: owner x is in Mars now.
        Account(
            "B1",
            "B1",
            employees=500,
            previous_segment="Mars",
            customer_since=OLD,
            owners={"CSM": "x"},
        ),
        # Owner leaves.
        Account("C1", "C1", employees=500, customer_since=OLD, owners={"CSM": "gone"}),
        # Mars customer past its first year: HYBRID released, CSM newly needed.
        Account("D1", "D1", employees=200, customer_since=OLD, owners={"HYBRID": "h"}),
        # Owner not in the roster.
        Account("E1", "E1", employees=500, customer_since=OLD, owners={"CSM": "nobody"}),
    ]
    people = [
        Person("p1", "P1", new_team="Venus"),
        Person("p2", "P2", new_team="Venus"),
        Person("x", "X", new_team="Mars"),
        Person("h", "H", role="HYBRID", new_team="Mars"),
        Person("gone", "G", new_team="Venus", last_day=date(2027, 1, 29)),
    ]
    handoffs = handoffs_for(accounts, people)
    summary = [(h.id, h.account_id, h.role, h.from_id, h.forced, h.reason) for h in handoffs]
    assert summary == [
        ("H0001", "B1", "CSM", "x", True, "segment changed Mars -> Venus"),
        ("H0002", "C1", "CSM", "gone", True, "owner leaves (last day 2027-01-29)"),
        ("H0003", "D1", "CSM", None, True, "CSM newly needed"),
        ("H0004", "D1", "HYBRID", "h", True, "HYBRID released: no longer needed in Mars"),
        ("H0005", "E1", "CSM", "nobody", True, "owner not in roster"),
    ]
    by_id = {h.id: h for h in handoffs}
    assert by_id["H0001"].to_id in {"p1", "p2"} and by_id["H0001"].points == 5.0
    assert by_id["H0003"].to_id == "x" and by_id["H0004"].to_id is None
    assert by_id["H0001"].segment_before == "Mars" and by_id["H0001"].segment_after == "Venus"


def test_optional_move_is_rebalancing():
    # p1 holds 4 Venus accounts (20 points), p2 two: A0 (cheapest) moves to p2.
    accounts = [
        Account(
            f"A{i}",
            f"A{i}",
            employees=500,
            arr=1000.0 * (i + 1),
            customer_since=OLD,
            owners={"CSM": "p1" if i < 4 else "p2"},
        )
        for i in range(6)
    ]
    people = [Person("p1", "P1", new_team="Venus"), Person("p2", "P2", new_team="Venus")]
    (handoff,) = handoffs_for(accounts, people)
    assert (handoff.id, handoff.account_id, handoff.from_id, handoff.to_id) == (
        "H0001",
        "A0",
        "p1",
        "p2",
    )
    assert (handoff.forced, handoff.reason, handoff.arr) == (False, "rebalancing Venus CSM", 1000.0)


def test_owner_changed_team_is_forced():
    accounts = [Account("A1", "A1", employees=500, customer_since=OLD, owners={"CSM": "p3"})]
    people = [Person("p1", "P1", new_team="Venus"), Person("p3", "P3", new_team="Jupiter")]
    (handoff,) = handoffs_for(accounts, people)
    assert (handoff.from_id, handoff.to_id, handoff.forced) == ("p3", "p1", True)
    assert handoff.reason == "owner changed team (now Jupiter CSM)"


def test_segment_change_is_optional_when_the_owner_moved_to_the_new_team_too():
    """B0 was a Mars account and is Venus now; its owner p1 is in Venus CSM and stays, so
    p1 could keep it. p1 holds 4 Venus accounts (20 points), p2 two: the optimizer moves the
    cheapest, B0 (ARR 1k: move 101 + fit 40 < balance saving 200), for balance only."""
    accounts = [
        Account(f"{'B' if i == 0 else 'A'}{i}", f"A{i}", employees=500, arr=1000.0 * (i + 1),
                customer_since=OLD, previous_segment="Mars" if i == 0 else "Venus",
                owners={"CSM": "p1" if i < 4 else "p2"})
        for i in range(6)
    ]
    people = [Person("p1", "P1", new_team="Venus"), Person("p2", "P2", new_team="Venus")]
    (handoff,) = handoffs_for(accounts, people)
    assert (handoff.account_id, handoff.from_id, handoff.to_id) == ("B0", "p1", "p2")
    assert (handoff.forced, handoff.reason) == (False, "rebalancing Venus CSM")


def test_owner_away_for_the_whole_plan_is_forced():
    """p3 is off every week of the 13-week plan and holds A1 and A2 (10 points); p1 holds
    nothing. Targets 5 and 5: moving one account (101 or 102 + 40) saves 20 x 10 = 200, so
    one moves, and p3 could not have taken part in the handoff anyway: forced."""
    weeks = tuple(START + timedelta(weeks=w) for w in range(13))
    accounts = [Account(f"A{i}", f"A{i}", employees=500, arr=1000.0 * i, customer_since=OLD,
                        owners={"CSM": "p3"}) for i in (1, 2)]
    people = [Person("p1", "P1", new_team="Venus"),
              Person("p3", "P3", new_team="Venus", weeks_off=weeks)]
    (handoff,) = handoffs_for(accounts, people)
    assert (handoff.account_id, handoff.from_id, handoff.to_id) == ("A1", "p3", "p1")
    assert (handoff.forced, handoff.reason) == (True, "owner away for the whole plan")


def test_an_account_waiting_for_a_decision_releases_nothing():
    # Mars first-year account: it now needs one HYBRID owner instead of its CSM; nobody is
    # in Mars HYBRID, so the HYBRID role is unassigned. Releasing the CSM would leave the
    # account with nobody in the CRM: no handoff, the CSM stays until a decision.
    new = START - timedelta(days=90)
    accounts = [Account("M1", "M1", employees=200, customer_since=new, owners={"CSM": "c"})]
    people = [Person("c", "C", new_team="Mars")]
    inputs = Inputs(tuple(accounts), tuple(people))
    placements = place_accounts(inputs.accounts, SC.segments, "exception")
    result = assign(inputs, placements, SC)
    assert [(u.account_id, u.role) for u in result.unassigned] == [("M1", "HYBRID")]
    assert derive_handoffs(inputs, placements, result, SC) == ()
