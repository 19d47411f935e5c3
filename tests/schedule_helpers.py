"""Small builders for the schedule tests: a scenario, people and handoffs by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from planner.domain import Handoff, Person
from planner.scenario import (
    InputSettings,
    ObjectiveWeights,
    RuleSettings,
    Scenario,
    SolverSettings,
)

START = date(2027, 1, 4)  # a Monday


def day(week: int, weekday: int = 0) -> date:
    """The date of ``weekday`` (0 = Monday) in 0-based plan week ``week``."""
    return START + timedelta(weeks=week, days=weekday)


def scenario(weeks: int = 12, objective: ObjectiveWeights | None = None,
             time_limit: float = 5.0, **rules: object) -> Scenario:
    base = RuleSettings()
    return Scenario(
        name="test", path=Path("test.toml"), start=START, weeks=weeks,
        inputs=InputSettings(accounts=Path("accounts.csv")),
        rules=replace(base, **rules),
        objective=objective or ObjectiveWeights(),
        solver=SolverSettings(time_limit_s=time_limit, workers=1, seed=0),
    )


def handoff(hid: str, giver: str | None, receiver: str | None, *, account: str | None = None,
            role: str = "CSM", forced: bool = True, **extra: object) -> Handoff:
    account = account or f"acct-{hid}"
    return Handoff(id=hid, account_id=account, account_name=f"Account {account}", role=role,
                   from_id=giver, to_id=receiver, forced=forced,
                   reason="segment changed" if forced else "rebalancing", **extra)


def person(pid: str, name: str | None = None, **extra: object) -> Person:
    return Person(id=pid, name=name or pid.title(), **extra)
