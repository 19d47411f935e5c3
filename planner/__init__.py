"""planner: who takes over each customer account in a CS realignment, and when.

The public API, stage by stage (each a plain function over immutable data):

>>> from planner import load_scenario, read_inputs, plan, build_report
>>> scenario = load_scenario("scenarios/reference.toml")
>>> result = plan(scenario)                 # read, segment, assign, schedule, check
>>> report = build_report(result)           # the workbook's tables as DataFrames
"""

from planner.domain import Account, Handoff, InputError, InputProblem, Inputs, Person, Segment, Team
from planner.io.readers import read_inputs
from planner.pipeline import PlanResult, plan
from planner.reporting import build_report, key_figures
from planner.run import run_plan
from planner.scenario import Scenario, ScenarioError, load_scenario
from planner.segments import derived_segments, place_accounts

__all__ = [
    "Account", "Handoff", "InputError", "InputProblem", "Inputs", "Person", "PlanResult",
    "Scenario", "ScenarioError", "Segment", "Team", "build_report", "derived_segments",
    "key_figures", "load_scenario", "place_accounts", "plan", "read_inputs", "run_plan",
]
