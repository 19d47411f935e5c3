"""planner: who takes over each customer account in a CS realignment, and when.

The public API, stage by stage (each a plain function over immutable data):

>>> from planner import load_scenario, read_inputs, plan, build_report
>>> scenario = load_scenario("scenarios/reference.toml")
>>> result = plan(scenario)                 # read, segment, assign, schedule, check
>>> report = build_report(result)           # the workbook's tables as DataFrames
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The names are imported on first use (PEP 562), not with the package: `import planner`
# must stay cheap, because the `planner` command imports it before it can install its
# Ctrl-C handling, and pandas and OR-Tools take most of a second to load.
#: public name -> the module that defines it
_PUBLIC: dict[str, str] = {
    "Account": "planner.domain",
    "Handoff": "planner.domain",
    "InputError": "planner.domain",
    "InputProblem": "planner.domain",
    "Inputs": "planner.domain",
    "Person": "planner.domain",
    "Segment": "planner.domain",
    "Team": "planner.domain",
    "read_inputs": "planner.io.readers",
    "PlanResult": "planner.pipeline",
    "plan": "planner.pipeline",
    "build_report": "planner.reporting",
    "key_figures": "planner.reporting",
    "run_plan": "planner.run",
    "Scenario": "planner.scenario",
    "ScenarioError": "planner.scenario",
    "load_scenario": "planner.scenario",
    "derived_segments": "planner.segments",
    "place_accounts": "planner.segments",
}

__all__ = [
    "Account", "Handoff", "InputError", "InputProblem", "Inputs", "Person", "PlanResult",
    "Scenario", "ScenarioError", "Segment", "Team", "build_report", "derived_segments",
    "key_figures", "load_scenario", "place_accounts", "plan", "read_inputs", "run_plan",
]

if TYPE_CHECKING:  # type checkers and IDEs see the names as if imported eagerly
    from planner.domain import (
        Account,
        Handoff,
        InputError,
        InputProblem,
        Inputs,
        Person,
        Segment,
        Team,
    )
    from planner.io.readers import read_inputs
    from planner.pipeline import PlanResult, plan
    from planner.reporting import build_report, key_figures
    from planner.run import run_plan
    from planner.scenario import Scenario, ScenarioError, load_scenario
    from planner.segments import derived_segments, place_accounts


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and remember the name."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
