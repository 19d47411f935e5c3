"""The assignment result: who owns each (account, role) after the realignment. Solver-free.

Objective units: every term is reported in model units, which are 1/POINT_SCALE of a
weight unit (a move that weighs 100 in ``[objective]`` costs 10,000 model units; one
point of load deviation at balance weight 20 costs 20 x POINT_SCALE = 2,000 units).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planner.coverage import Need
from planner.domain import POINT_SCALE
from planner.teams import TeamPlacement


@dataclass(frozen=True, slots=True)
class PartStats:
    """How one part (one team) was solved. objective and bound in model units.

    status: OPTIMAL (within the relative gap of a bound that holds for the whole team),
        "OPTIMAL (candidate lists)" (optimal only among each account's shortlist of
        candidates, see ``shortlist``), FEASIBLE (best found in the time limit), GREEDY
        (the baseline, no model) or EMPTY (nothing to decide).
    shortlist: candidates per account in the model before LP pricing widened it (0:
        everyone in the team). The bound always holds for the whole team.
    """

    team: str
    status: str
    objective: int
    bound: int
    seconds: float
    needs: int = 0
    people: int = 0
    variables: int = 0
    note: str = ""
    shortlist: int = 0

    @property
    def gap(self) -> float:
        """Relative gap (objective - bound) / objective; 0 when proven optimal."""
        return relative_gap(self.objective, self.bound)


@dataclass(frozen=True, slots=True)
class AssignProgress:
    """One progress report of the assignment stage (objectives in model units).

    part/parts/team: which part (1-based, in segment then role order) the figures are of.
    objective/bound: that part's best plan so far and its bound (final when ``status`` is
        set, the running incumbent otherwise).
    finished: parts done so far; total_objective/total_bound: their sums (the figures the
        stage's summary reports once every part is done).
    """

    part: int
    parts: int
    team: str
    objective: int
    bound: int
    status: str = ""
    finished: int = 0
    total_objective: int = 0
    total_bound: int = 0

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    @property
    def total_gap(self) -> float:
        return relative_gap(self.total_objective, self.total_bound)

    @property
    def text(self) -> str:
        """One line for a terminal, in weight units (model units / POINT_SCALE)."""
        head = f"assign: part {self.part} of {self.parts} ({self.team})"
        figures = f"objective {self.objective / POINT_SCALE:,.0f}, gap {self.gap:.1%}"
        if not self.status:
            return f"{head} solving: best {figures}"
        return (f"{head} {self.status}: {figures}; {self.finished} of {self.parts} parts done, "
                f"objective {self.total_objective / POINT_SCALE:,.0f}, gap {self.total_gap:.2%}")


def relative_gap(objective: int, bound: int) -> float:
    """(objective - bound) / objective, 0 when the objective is 0 or below the bound."""
    if objective <= 0:
        return 0.0
    return max(0.0, (objective - bound) / objective)


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A covered need left without owner: it needs a leader's decision."""

    account_id: str
    role: str
    team: str
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A team whose capacity cannot hold its accounts. points unscaled, people in FTE.

    members: people in the team who stay; 0 means the team is empty (all its work waits).
    """

    team: str
    points: float
    people: float
    members: int = 1

    @property
    def text(self) -> str:
        if self.members == 0:
            return (f"{self.team} has no one: {self.points:,.0f} points of work, "
                    f"about {self.people:.1f} people")
        return f"{self.team} is {self.points:,.0f} points short, about {self.people:.1f} people"


@dataclass(frozen=True, slots=True)
class Overload:
    """A person whose locked accounts alone weigh more than their capacity (points unscaled).

    Locks are hard, so the plan keeps them and lists the overload for a decision.
    """

    person_id: str
    team: str
    load: float
    capacity: float

    @property
    def what(self) -> str:
        return f"{self.person_id} ({self.team})"

    @property
    def reason(self) -> str:
        return (f"{self.person_id} holds {self.load:,.0f} points of locked accounts, "
                f"over a capacity of {self.capacity:,.0f} points")

    @property
    def fix(self) -> str:
        return f"unlock some of {self.person_id}'s accounts or raise their capacity"


@dataclass(frozen=True, slots=True)
class FamilySplit:
    """A parent/child family that no single person can hold, so its accounts were assigned
    one by one (points unscaled; room: the most any eligible person had beside their
    locked accounts, None when no one may hold every account of the family)."""

    root: str
    team: str
    accounts: tuple[str, ...]
    points: float
    room: float | None

    @property
    def what(self) -> str:
        return f"family {self.root} ({len(self.accounts)} accounts) in {self.team}"

    @property
    def reason(self) -> str:
        if self.room is None:
            return (f"no one in {self.team} may hold all {len(self.accounts)} accounts "
                    "(locks, leavers or people away); assigned one by one")
        return (f"the family needs {self.points:,.0f} points and no one in {self.team} has "
                f"that much room (at most {self.room:,.0f} beside locked accounts); "
                "assigned one by one")

    @property
    def fix(self) -> str:
        return "accept several CSMs for this family, or raise one person's capacity"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Owners after the realignment, with everything the summary and the checker need.

    owners: (account id, role) -> new owner id for every covered need that got one.
    released: (account id, role, previous owner) for roles no longer needed.
    load_before/load_after/capacity: person id -> scaled points (POINT_SCALE).
    spread_before/spread_after: team label -> max minus min utilization, in percent points.
    terms: objective term name -> cost in model units (see module doc).
    balance_shape: how the balance term was modelled ("deviation", "bands" or "spread").
    pins: (account id, role) -> owner locked by a manager in a previous plan.
    overloads: people whose locked accounts exceed their capacity (kept, listed).
    splits: families no single person could hold (assigned one by one, listed).
    """

    teams: dict[str, TeamPlacement]
    needs: tuple[Need, ...]
    owners: dict[tuple[str, str], str]
    unassigned: tuple[Unassigned, ...]
    shortfalls: tuple[Shortfall, ...]
    released: tuple[tuple[str, str, str], ...]
    load_before: dict[str, int]
    load_after: dict[str, int]
    capacity: dict[str, int]
    spread_before: dict[str, float]
    spread_after: dict[str, float]
    stages: tuple[PartStats, ...]
    terms: dict[str, int]
    balance_shape: str = "deviation"
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    pins: dict[tuple[str, str], str] = field(default_factory=dict)  # owners a manager locked
    previous: dict[tuple[str, str], str] = field(default_factory=dict)  # last plan's owners
    overloads: tuple[Overload, ...] = ()  # people over capacity because of locks
    splits: tuple[FamilySplit, ...] = ()  # families assigned one by one

    @property
    def attention(self) -> tuple[Overload | FamilySplit, ...]:
        """Decisions for a leader beside shortfalls and unassigned accounts (what, reason,
        fix), for the Exceptions sheet."""
        return (*self.overloads, *self.splits)

    @property
    def objective(self) -> int:
        return sum(self.terms.values())

    @property
    def bound(self) -> int:
        return sum(s.bound for s in self.stages)

    @property
    def gap(self) -> float:
        return relative_gap(sum(s.objective for s in self.stages), self.bound)

    @property
    def proposed_teams(self) -> dict[str, TeamPlacement]:
        return {pid: t for pid, t in self.teams.items() if t.proposed}

    def frames(self) -> dict[str, Any]:
        """DataFrames for the notebook: owners, people, unassigned, parts, terms."""
        import pandas as pd  # local: pandas only at the edges

        owners = pd.DataFrame(
            [{"account_id": a, "role": r, "owner": p} for (a, r), p in sorted(self.owners.items())]
        )
        people = pd.DataFrame(
            [
                {
                    "person_id": pid,
                    "role": t.role,
                    "team": t.team.label if t.team else "",
                    "proposed": t.proposed,
                    "leaving": t.leaving,
                    "capacity": self.capacity.get(pid, 0) / POINT_SCALE,
                    "load_before": self.load_before.get(pid, 0) / POINT_SCALE,
                    "load_after": self.load_after.get(pid, 0) / POINT_SCALE,
                }
                for pid, t in sorted(self.teams.items())
            ]
        )
        unassigned = pd.DataFrame([vars_of(u) for u in self.unassigned])
        parts = pd.DataFrame([{**vars_of(s), "gap": s.gap} for s in self.stages])
        terms = pd.DataFrame([{"term": k, "cost": v} for k, v in self.terms.items()])
        return {
            "owners": owners,
            "people": people,
            "unassigned": unassigned,
            "parts": parts,
            "terms": terms,
        }


def vars_of(obj: Any) -> dict[str, Any]:
    """Field name -> value of a slotted dataclass."""
    return {name: getattr(obj, name) for name in obj.__slots__}


def utilization_spread(loads: dict[str, int], capacity: dict[str, int], people) -> float:
    """Max minus min utilization (percent points) over ``people`` with capacity; 0 if < 2."""
    utils = [100.0 * loads.get(p, 0) / capacity[p] for p in people if capacity.get(p, 0) > 0]
    return round(max(utils) - min(utils), 2) if len(utils) >= 2 else 0.0
