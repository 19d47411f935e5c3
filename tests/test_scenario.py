"""Scenario loading: strict keys, typed values, defaults, derived segments."""

from datetime import date

import pytest

from planner.scenario import DEFAULT_SEGMENTS, ScenarioError, load_scenario

BASE = 'name = "s"\n[plan]\nstart = 2026-01-05\n[inputs]\naccounts = "a.csv"\n'


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_key_names_key_and_file(tmp_path):
    path = write(tmp_path, BASE + "[rules]\nfreeze_weks = 3\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "rules.freeze_weks" in str(caught.value) and str(path) in str(caught.value)


def test_wrong_type_names_key_value_and_expectation(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, BASE + '[solver]\nworkers = "two"\n'))
    message = str(caught.value)
    assert "solver.workers" in message and "'two'" in message and "an integer" in message


def test_missing_tables_take_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE))
    assert scenario.start == date(2026, 1, 5) and scenario.weeks == 26
    assert scenario.segments == DEFAULT_SEGMENTS
    assert scenario.segmentation.below_smallest == "exception"
    assert scenario.solver.time_limit_s == 30.0
    assert scenario.inputs.accounts == (tmp_path / "a.csv").resolve()
    assert scenario.inputs.people is None


def test_segments_derived_from_span(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + '[segmentation]\nspan = 7\nlevels = "3-6"\n'))
    assert [(s.min_employees, s.max_employees) for s in scenario.segments] == [
        (9, 57), (58, 400), (401, 2801), (2802, None)]


def test_plan_start_must_be_a_monday(tmp_path):
    with pytest.raises(ScenarioError, match="Monday"):
        load_scenario(write(tmp_path, BASE.replace("2026-01-05", "2026-01-06")))


def test_header_row_settings(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + "accounts_header_row = 3\n"))
    assert scenario.inputs.accounts_header_row == 3
    assert scenario.inputs.people_header_row is None
