"""Coverage: which roles each account needs after the realignment, and what they weigh.

Rules come from ``scenario.coverage`` (segment, role, when, months):
- ``always``: the role is needed;
- ``onboarding``: needed while the account onboards: ``Account.onboarding`` is True, or
  its go-live date is after the plan start;
- ``first_months``: needed while the account has been a customer for fewer than
  ``months`` full months at the plan start;
- ``after_months``: needed once the account has been a customer for ``months`` or more.

Missing ``customer_since`` (a decision, documented here): an account that is onboarding is
treated as a new customer (first months); any other account as an established one
(after months). CRM exports often leave the date blank on old accounts.

A HYBRID owner covers CSM, PM and SA: when an account needs HYBRID, rules asking for those
roles on the same account are dropped (one point of contact).

Accounts without a segment (exceptions) need nothing here: they keep their owners until
a leader decides their segment, and appear in the plan's exceptions instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from planner.domain import HYBRID_COVERS, POINT_SCALE, Account, Inputs
from planner.scenario import Scenario
from planner.segments import Placement

log = logging.getLogger(__name__)

#: Points used when the scenario has no workload entry for a segment and role.
FALLBACK_POINTS = 1.0


@dataclass(frozen=True, slots=True)
class Need:
    """One role an account needs after the realignment.

    points: workload in scaled points (workload points x POINT_SCALE), an integer.
    """

    account_id: str
    role: str
    segment: str
    points: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.account_id, self.role)


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (negative when ``later`` comes first)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def is_onboarding(account: Account, scenario: Scenario) -> bool:
    """Onboarding: flagged as onboarding, or going live after the plan start."""
    if account.onboarding:
        return True
    return account.go_live is not None and account.go_live > scenario.start


def is_first_months(account: Account, months: int, scenario: Scenario) -> bool:
    """Customer for fewer than ``months`` full months at plan start (see module doc if unknown)."""
    if account.customer_since is None:
        return is_onboarding(account, scenario)
    return months_between(account.customer_since, scenario.start) < months


def rule_applies(when: str, months: int, account: Account, scenario: Scenario) -> bool:
    """Whether one coverage rule's lifecycle condition holds for the account."""
    if when == "always":
        return True
    if when == "onboarding":
        return is_onboarding(account, scenario)
    if when == "first_months":
        return is_first_months(account, months, scenario)
    if when == "after_months":
        return not is_first_months(account, months, scenario)
    raise ValueError(f"unknown coverage condition {when!r}")


def needed_roles(account: Account, segment: str | None, scenario: Scenario) -> tuple[str, ...]:
    """The roles ``account`` needs in ``segment``, in rule order, HYBRID absorbing CSM/PM/SA."""
    if segment is None:
        return ()
    roles: list[str] = []
    for rule in scenario.coverage:
        if rule.segment != segment or rule.role in roles:
            continue
        if rule_applies(rule.when, rule.months, account, scenario):
            roles.append(rule.role)
    if "HYBRID" in roles:
        roles = [r for r in roles if r not in HYBRID_COVERS]
    return tuple(roles)


def need_points(segment: str, role: str, scenario: Scenario) -> int:
    """Workload of one role on one account of ``segment``, in scaled integer points."""
    points = scenario.workload.points.get(segment, {}).get(role)
    if points is None:
        _warn_once(scenario, segment, role)
        points = FALLBACK_POINTS
    return round(points * POINT_SCALE)


_WARNED: set[tuple[str, str, str]] = set()


def _warn_once(scenario: Scenario, segment: str, role: str) -> None:
    """One warning per scenario, segment and role (need_points runs once per account)."""
    key = (str(scenario.path), segment, role)
    if key not in _WARNED:
        _WARNED.add(key)
        log.warning("%s: [workload] points gives no points for %s %s; each such account "
                    "counts %s point (add an entry to set it)", scenario.path, segment, role,
                    FALLBACK_POINTS)


def coverage_needs(
    inputs: Inputs, placements: dict[str, Placement], scenario: Scenario
) -> tuple[Need, ...]:
    """Every (account, role) the plan must cover, sorted by account id then role."""
    needs = []
    for account in inputs.accounts:
        placement = placements.get(account.id)
        segment = placement.segment if placement else None
        for role in needed_roles(account, segment, scenario):
            assert segment is not None
            needs.append(Need(account.id, role, segment, need_points(segment, role, scenario)))
    return tuple(sorted(needs, key=lambda n: (n.account_id, n.role)))


def released_roles(
    inputs: Inputs, placements: dict[str, Placement], scenario: Scenario
) -> tuple[tuple[str, str, str], ...]:
    """(account id, role, current owner) for roles held today that the account no longer needs.

    Exception accounts (no segment) release nothing: they wait for a segment decision.
    """
    released = []
    for account in inputs.accounts:
        placement = placements.get(account.id)
        if placement is None or placement.segment is None:
            continue
        needed = set(needed_roles(account, placement.segment, scenario))
        for role, owner in account.owners.items():
            if owner and role not in needed:
                released.append((account.id, role, owner))
    return tuple(sorted(released))
