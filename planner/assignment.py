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
    """How one part (one team) was solved. objective and bound in model units."""

    team: str
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, GREEDY, EMPTY
    objective: int
    bound: int
    seconds: float
    needs: int = 0
    people: int = 0
    variables: int = 0
    note: str = ""

    @property
    def gap(self) -> float:
        """Relative gap (objective - bound) / objective; 0 when proven optimal."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)


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
    """A team whose capacity cannot hold its accounts. points unscaled, people in FTE."""

    team: str
    points: float
    people: float

    @property
    def text(self) -> str:
        return f"{self.team} is {self.points:,.0f} points short, about {self.people:.1f} people"


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

    @property
    def objective(self) -> int:
        return sum(self.terms.values())

    @property
    def bound(self) -> int:
        return sum(s.bound for s in self.stages)

    @property
    def gap(self) -> float:
        objective = sum(s.objective for s in self.stages)
        return 0.0 if objective <= 0 else max(0.0, (objective - self.bound) / objective)

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
