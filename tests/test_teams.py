"""Teams after the realignment: given teams, proposals by ARR kept, availability, capacity."""

from dataclasses import replace
from datetime import date
from pathlib import Path

from planner.domain import Account, Inputs, Person, Team
from planner.scenario import InputSettings, Scenario, WorkloadSettings
from planner.segments import place_accounts
from planner.teams import capacity_points, parse_new_team, place_people

START = date(2027, 1, 4)
SC = Scenario("t", Path("t.toml"), START, 13, InputSettings(Path("a.csv")))
SEGMENTS = SC.segment_names


def test_parse_new_team_uses_the_persons_role():
    assert parse_new_team("Venus", "CSM", SEGMENTS) == Team("Venus", "CSM")
    assert parse_new_team(" venus csm ", "CSM", SEGMENTS) == Team("Venus", "CSM")
    assert parse_new_team("Venus", "PM", SEGMENTS) == Team("Venus", "PM")
    assert parse_new_team("", "CSM", SEGMENTS) is None
    assert parse_new_team("Pluto", "CSM", SEGMENTS) is None


def test_capacity_in_fte_or_points():
    assert capacity_points(Person("p", "p"), SC) == 10000
    assert capacity_points(Person("p", "p", capacity=0.5), SC) == 5000
    points = replace(SC, workload=WorkloadSettings(capacity_unit="points"))
    assert capacity_points(Person("p", "p", capacity=80), points) == 8000


def _accounts():
    """10 Venus accounts (50 points) and 10 Jupiter accounts (100 points)."""
    venus = [
        Account(f"V{i}", "v", employees=500, arr=1000.0, owners={"CSM": "a" if i < 6 else "b"})
        for i in range(10)
    ]
    jupiter = [
        Account(
            f"J{i}",
            "j",
            employees=5000,
            arr=5000.0 if i < 2 else 100.0,
            owners={"CSM": "b" if i < 2 else "a"},
        )
        for i in range(10)
    ]
    return tuple(venus + jupiter)


def test_proposals_follow_workload_and_arr_kept():
    # Seats: Venus 50/100 -> round(0.5) = 0, overridden to 1; Jupiter 100/100 -> 1.
    # b keeps 10,000 ARR in Jupiter (J0, J1) vs a 800; a keeps 6,000 in Venus vs b 4,000.
    scenario = replace(SC, workload=WorkloadSettings(team_sizes={"Venus CSM": 1}))
    people = (
        Person("a", "A"),
        Person("b", "B"),
        Person("s", "S", role="Support"),
        Person("c", "C", new_team="Jupiter"),
    )
    accounts = _accounts()
    placements = place_accounts(accounts, SC.segments, "exception")
    teams = place_people(Inputs(accounts, people), placements, scenario)
    # c fills the only Jupiter seat; the Venus seat goes to a (6,000 kept vs b's 4,000);
    # b is left over and goes where the uncovered work is largest (Jupiter: 100 - 100 = 0
    # points vs Venus: 50 - 100 < 0).
    assert teams["c"].team == Team("Jupiter", "CSM") and not teams["c"].proposed
    assert teams["a"].team == Team("Venus", "CSM") and teams["a"].proposed
    assert teams["b"].team == Team("Jupiter", "CSM") and teams["b"].proposed
    assert "most uncovered work" in teams["b"].note
    assert teams["s"].team is None and teams["s"].capacity == 0


def test_proposal_by_arr_without_given_teams():
    accounts = _accounts()
    people = (Person("a", "A"), Person("b", "B"))
    placements = place_accounts(accounts, SC.segments, "exception")
    scenario = replace(SC, workload=WorkloadSettings(team_sizes={"Venus CSM": 1}))
    teams = place_people(Inputs(accounts, people), placements, scenario)
    # b keeps 10,000 in Jupiter (the largest score of all pairs), a takes the Venus seat.
    assert teams["b"].team == Team("Jupiter", "CSM")
    assert teams["a"].team == Team("Venus", "CSM")
    assert "keeps 6 account(s)" in teams["a"].note


def test_leavers_and_people_away_whole_horizon():
    mondays = tuple(date(2027, 1, 4 + 7 * w) if w < 4 else date(2027, 2, 1) for w in range(4))
    all_weeks = tuple(sorted({START.fromordinal(START.toordinal() + 7 * w) for w in range(13)}))
    people = (
        Person("l", "L", new_team="Venus", last_day=date(2027, 2, 1)),
        Person("w", "W", new_team="Venus", weeks_off=all_weeks),
        Person("x", "X", new_team="Venus", weeks_off=mondays),
        Person("y", "Y", new_team="Venus", last_day=date(2027, 6, 1)),
        Person("z", "Z", new_team="Venus", max_in_per_week=0),  # no week could take one
    )
    teams = place_people(Inputs((), people), {}, SC)
    assert not teams["z"].can_receive and teams["z"].can_keep
    assert teams["l"].leaving and not teams["l"].can_receive and not teams["l"].can_keep
    assert not teams["w"].leaving and not teams["w"].can_receive and teams["w"].can_keep
    assert teams["x"].can_receive
    assert not teams["y"].leaving and teams["y"].can_receive


def test_roster_problems_are_warned_once_in_business_words(caplog):
    """A CSM whose new team says "Venus PM" is placed in Venus CSM (the role is the
    person's), and one whose new team is not a segment gets a proposal: one warning each,
    even though the checker parses the roster again."""
    people = (Person("a", "A", new_team="Venus PM"), Person("b", "B", new_team="Pluto"))
    inputs = Inputs(_accounts(), people)
    placements = place_accounts(inputs.accounts, SC.segments, "exception")
    with caplog.at_level("WARNING", logger="planner"):
        teams = place_people(inputs, placements, SC)
        parse_new_team("Venus PM", "CSM", SEGMENTS)
    assert teams["a"].team == Team("Venus", "CSM") and teams["b"].proposed
    assert [r.getMessage() for r in caplog.records] == [
        "a: the roster's new team 'Venus PM' names the role PM, but a is a CSM; placed in "
        "Venus CSM",
        "b: the roster's new team 'Pluto' is not a segment (Mercury, Mars, Venus, Jupiter); "
        "the planner proposes a team",
    ]
