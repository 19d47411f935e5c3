"""Deterministic synthetic inputs for the assignment benchmark (no files).

Three roles (CSM always; PM and SA while onboarding), four segments, about one CSM per 60
accounts. Today's owners come from the old organization: about 70% of accounts are held
by someone who stays in the account's new team (optional moves only), the rest by someone
now in another segment team or leaving (forced moves). Families, strategic accounts,
regions, renewals, health and part-time people are sprinkled in.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from planner.domain import Account, Inputs, Person
from planner.scenario import (
    CoverageRule,
    InputSettings,
    Scenario,
    SolverSettings,
    WorkloadSettings,
)

START = date(2027, 1, 4)
SEGMENTS = ("Mercury", "Mars", "Venus", "Jupiter")
SEGMENT_SHARE = (0.40, 0.30, 0.22, 0.08)
EMPLOYEES = {
    "Mercury": (10, 99),
    "Mars": (100, 399),
    "Venus": (400, 2999),
    "Jupiter": (3000, 50000),
}
#: Points chosen so that one CSM carries about 60 accounts at ~85% utilization.
POINTS = {
    "Mercury": {"CSM": 1.0, "PM": 4.0, "SA": 4.0, "HYBRID": 4.0},
    "Mars": {"CSM": 1.2, "PM": 5.0, "SA": 5.0, "HYBRID": 5.0},
    "Venus": {"CSM": 1.8, "PM": 8.0, "SA": 8.0, "HYBRID": 8.0},
    "Jupiter": {"CSM": 3.0, "PM": 12.0, "SA": 12.0, "HYBRID": 12.0},
}
ROLES3 = ("CSM", "PM", "SA")
REGIONS = ("AMER", "EMEA", "APAC")
ONBOARDING_SHARE = 0.15
UTILIZATION = 0.85


def scenario(time_limit_s: float = 30.0, workers: int = 2, seed: int = 0) -> Scenario:
    """The benchmark scenario: CSM always, PM and SA while onboarding, in every segment."""
    coverage = tuple(
        CoverageRule(s, r, "always" if r == "CSM" else "onboarding")
        for s in SEGMENTS
        for r in ROLES3
    )
    return Scenario(
        name="benchmark",
        path=Path("benchmark.toml"),
        start=START,
        weeks=13,
        inputs=InputSettings(accounts=Path("generated")),
        coverage=coverage,
        workload=WorkloadSettings(points={s: dict(p) for s, p in POINTS.items()}),
        solver=SolverSettings(time_limit_s=time_limit_s, workers=workers, seed=seed),
    )


def generate(
    n_accounts: int, seed: int = 0, time_limit_s: float = 30.0, workers: int = 2
) -> tuple[Inputs, Scenario]:
    """Inputs with ``n_accounts`` accounts and a roster sized to the workload, plus the scenario."""
    rng = random.Random(seed)
    segs = rng.choices(SEGMENTS, weights=SEGMENT_SHARE, k=n_accounts)
    onboarding = [rng.random() < ONBOARDING_SHARE for _ in range(n_accounts)]
    people, teams = _people(rng, segs, onboarding)
    accounts = [_account(rng, i, segs[i], onboarding[i], teams) for i in range(n_accounts)]
    return Inputs(tuple(accounts), tuple(people)), scenario(time_limit_s, workers, seed)


def _people(rng: random.Random, segs: list[str], onboarding: list[bool]):
    """People per (segment, role) until staying capacity covers the workload at 85%; 3% leave."""
    people, teams = [], {}
    for role in ROLES3:
        for segment in SEGMENTS:
            n = sum(
                1
                for s, o in zip(segs, onboarding, strict=True)
                if s == segment and (role == "CSM" or o)
            )
            points = n * POINTS[segment][role]
            members, capacity, k = [], 0.0, 0
            while capacity < points / UTILIZATION or not members:
                pid = f"{role.lower()}.{segment.lower()}.{k:04d}@example.com"
                fte = rng.choices((1.0, 0.8, 0.5), weights=(0.85, 0.1, 0.05))[0]
                leaving = rng.random() < 0.03
                people.append(
                    Person(
                        id=pid,
                        name=pid.split("@")[0],
                        role=role,
                        new_team=segment,
                        capacity=fte,
                        region=rng.choice(REGIONS),
                        last_day=START + timedelta(weeks=4) if leaving else None,
                    )
                )
                members.append(pid)
                capacity += 0.0 if leaving else 100 * fte
                k += 1
            teams[(segment, role)] = members
    return people, teams


def _account(rng: random.Random, i: int, segment: str, onboarding: bool, teams) -> Account:
    """One account; its owners come from the account's own team 70% of the time."""
    low, high = EMPLOYEES[segment]
    owners = {}
    for role in ROLES3 if onboarding else ("CSM",):
        if rng.random() < 0.7:
            pool = teams[(segment, role)]
        else:
            pool = teams[(rng.choice(SEGMENTS), role)]
        owners[role] = rng.choice(pool)
    parent = f"ACC{rng.randrange(i):06d}" if i > 10 and rng.random() < 0.05 else None
    return Account(
        id=f"ACC{i:06d}",
        name=f"Customer {i}",
        employees=rng.randint(low, high),
        arr=round(rng.lognormvariate(10.5, 1.0), 2),
        renewal=START + timedelta(days=rng.randrange(365)),
        customer_since=START - timedelta(days=rng.randrange(30, 2000)),
        onboarding=onboarding,
        health=float(rng.randint(20, 100)),
        region=rng.choice(REGIONS),
        parent_id=parent,
        strategic=rng.random() < 0.03,
        owners=owners,
    )
