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


def problems(tmp_path, text):
    """The messages of the ScenarioError that loading ``text`` raises."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    return caught.value.problems


def test_nested_keys_are_checked_naming_key_table_and_file(tmp_path):
    found = problems(tmp_path, BASE + "[rules]\noverlap_weeks = { CSMM = 2 }\n"
                     "[workload.points]\nPluto = { CSM = 1.0 }\nMars = { XYZ = 1.0 }\n"
                     "[workload.full_time_points]\nWizard = 10.0\n")
    assert found == [  # all reported together, in the order of the loader
        "key 'Pluto' of table [workload.points] in s.toml: expected one of the scenario's "
        "segments (Mercury, Mars, Venus, Jupiter)",
        "key 'XYZ' of table [workload.points.Mars] in s.toml: expected a role (CSM, PM, SA, "
        "HYBRID)",
        "key 'Wizard' of table [workload.full_time_points] in s.toml: expected a role (CSM, "
        "PM, SA, HYBRID)",
        "key 'CSMM' of table [rules.overlap_weeks] in s.toml: expected a role (CSM, PM, SA, "
        "HYBRID)",
    ]


def test_partial_nested_tables_merge_over_the_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + "[rules]\noverlap_weeks = { CSM = 3 }\n"
                                   "[workload.points]\nMars = { CSM = 2.5 }\n"
                                   "[workload]\nfull_time_points = { PM = 80.0 }\n"))
    # before: HYBRID's overlap and Mars's PM/SA/HYBRID points and the other segments vanished
    assert scenario.rules.overlap_weeks == {"CSM": 3, "PM": 1, "SA": 1, "HYBRID": 2}
    assert scenario.workload.points["Mars"] == {"CSM": 2.5, "PM": 3.0, "SA": 3.0, "HYBRID": 4.0}
    assert scenario.workload.points["Jupiter"]["CSM"] == 10.0
    assert scenario.workload.full_time_points == {"CSM": 100.0, "PM": 80.0, "SA": 100.0,
                                                  "HYBRID": 100.0}


def test_ranges_name_key_value_and_expectation(tmp_path):
    found = problems(tmp_path, BASE + "[rules]\nrenewal_freeze_weeks = -1\nload_tolerance = 0\n"
                     "overlap_weeks = { PM = 30 }\nmax_handoffs_out_per_week = 0\n"
                     "max_handoffs_in_per_week = -2\n[solver]\ntime_limit_s = 0\nworkers = 0\n"
                     "[workload]\ncapacity_unit = \"hours\"\n")
    text = "\n".join(found)
    assert "key 'rules.renewal_freeze_weeks' = -1: expected 0 or more" in text
    assert "key 'rules.load_tolerance' = 0.0: expected more than 0" in text
    assert "key 'rules.overlap_weeks.PM' = 30: expected at most the plan's 26 weeks" in text
    assert "key 'rules.max_handoffs_out_per_week' = 0: expected 1 or more; 0 would stop" in text
    assert "key 'rules.max_handoffs_in_per_week' = -2: expected 1 or more" in text
    assert "key 'solver.time_limit_s' = 0.0: expected more than 0 seconds" in text
    assert "key 'solver.workers' = 0: expected 1 or more worker threads" in text
    assert "key 'workload.capacity_unit' = 'hours': expected one of \"fte\", \"points\"" in text
    assert len(found) == 8


def test_segment_names_and_minimums(tmp_path):
    found = problems(tmp_path, BASE + '[[segments]]\nname = "smb"\nmin_employees = 0\n'
                     '[[segments]]\nname = "SMB"\nmin_employees = 100\n'
                     '[[segments]]\nname = " "\nmin_employees = 500\n')
    text = "\n".join(found)
    assert "key 'segments[1].min_employees' = 0: expected 1 or more" in text
    assert "'smb' and 'SMB' differ only by case" in text
    assert "key 'segments[3].name' = ' ': expected a segment name (not empty)" in text


def test_span_with_segments_is_an_error_saying_which_would_win(tmp_path):
    found = problems(tmp_path, BASE + '[segmentation]\nspan = 7\n[[segments]]\nname = "A"\n'
                     "min_employees = 10\n")
    assert "segmentation.span' = 7 and [[segments]] both define the segments" in found[0]


def test_plan_start_as_a_date_time_is_a_clear_error(tmp_path):
    found = problems(tmp_path, BASE.replace("2026-01-05", "2026-01-05T09:00:00"))
    # before: a crash later ("can't compare datetime.datetime to datetime.date")
    assert found == ["key 'plan.start' = 2026-01-05T09:00:00: expected a date like 2026-01-05, "
                     "without a time"]


def test_warnings_blackout_outside_plan_and_sheet_for_csv(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + 'accounts_sheet = "Accounts"\n'
                                   "[rules]\nblackout_weeks = [2026-03-30, 2027-01-04]\n"))
    # plan: 26 weeks from Mon 2026-01-05 -> last day Sun 2026-07-05
    assert scenario.inputs.accounts_sheet is None
    notes = {(n.column, n.value): n.expected for n in scenario.notes}
    assert set(notes) == {("inputs.accounts_sheet", "Accounts"),
                          ("rules.blackout_weeks", "2027-01-04")}
    assert "2026-01-05 to 2026-07-05" in notes[("rules.blackout_weeks", "2027-01-04")]


def test_blackout_of_every_plan_week_is_an_error(tmp_path):
    # a 2-week plan from Mon 2026-01-05: a Wednesday and a Friday black out both weeks
    text = BASE.replace("[plan]\n", "[plan]\nweeks = 2\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text + "[rules]\nblackout_weeks = [2026-01-07, "
                                             "2026-01-16]\n"))
    assert "every one of the plan's 2 weeks is a blackout week" in str(caught.value)
    one_open = load_scenario(write(tmp_path, text + "[rules]\nblackout_weeks = [2026-01-07]\n"))
    assert one_open.rules.blackout_weeks == (date(2026, 1, 7),)


def test_inline_file_tables_with_sheet_and_header_row(tmp_path):
    scenario = load_scenario(write(tmp_path, 'name = "s"\n[plan]\nstart = 2026-01-05\n'
                                   '[inputs]\naccounts = { path = "x.xlsx", sheet = "Accounts",'
                                   ' header_row = 3 }\npeople = { path = "p.xlsx", sheet = '
                                   '"Roster" }\n'))
    inputs = scenario.inputs
    assert inputs.accounts == (tmp_path / "x.xlsx").resolve()
    assert (inputs.accounts_sheet, inputs.accounts_header_row) == ("Accounts", 3)
    assert (inputs.people_sheet, inputs.people_header_row) == ("Roster", None)
    found = problems(tmp_path, 'name = "s"\n[plan]\nstart = 2026-01-05\n[inputs]\n'
                     'accounts = { path = "x.xlsx", sheet = "A", tab = 1 }\n'
                     'accounts_sheet = "B"\n')
    text = "\n".join(found)
    assert "unknown key 'inputs.accounts.tab'" in text
    assert "'inputs.accounts_sheet' = 'B' and 'inputs.accounts.sheet' = 'A' disagree" in text


def test_salesforce_ids_setting(tmp_path):
    assert load_scenario(write(tmp_path, BASE)).inputs.salesforce_ids == "auto"
    assert load_scenario(write(tmp_path, BASE + "salesforce_ids = false\n")
                         ).inputs.salesforce_ids is False
    found = problems(tmp_path, BASE + 'salesforce_ids = "yes"\n')
    assert found == ["key 'inputs.salesforce_ids' = 'yes': expected \"auto\", true or false"]


def test_team_sizes_and_coverage_keys_checked(tmp_path):
    found = problems(tmp_path, BASE + '[workload]\nteam_sizes = { "Venus CSM" = 2, '
                     '"Pluto CSM" = 1 }\n[[coverage]]\nsegment = "Mars"\nrole = "CSM"\n'
                     "months = -1\n")
    # coverage is read before workload
    assert found[0] == "key 'coverage[1].months' = -1: expected 0 or more (months as a customer)"
    assert found[1].startswith("key 'Pluto CSM' of table [workload.team_sizes] in s.toml: "
                               "expected a team 'segment role' (Mercury CSM, ")
    scenario = load_scenario(write(tmp_path, BASE + '[workload]\n'
                                   'team_sizes = { "venus csm" = 2 }\n'))
    assert scenario.workload.team_sizes == {"Venus CSM": 2}


def test_numbers_must_be_finite_and_in_range_all_listed_together(tmp_path):
    # before: each of these passed validation and crashed later with a traceback (nan/inf
    # in the load limit, 1e300 points overflowing CP-SAT's int64, a seed above int32) or
    # silently ran without a time limit (time_limit_s = inf)
    found = problems(tmp_path, BASE + "[rules]\nload_tolerance = nan\nrenewal_soon_weeks = "
                     "99999999999\n[workload.full_time_points]\nCSM = 1e300\nPM = inf\n"
                     "[workload.points]\nJupiter = { CSM = inf, PM = 1e300 }\n"
                     "[objective]\nmove = 10000000000\n"
                     "[solver]\nseed = 99999999999999999\ntime_limit_s = inf\n"
                     "workers = 100000\n")
    assert found == [  # in the order of the loader: workload, rules, objective, solver
        "key 'workload.points.Jupiter.CSM' = inf: expected a finite number",
        "key 'workload.points.Jupiter.PM' = 1e+300: expected at most 1,000,000 workload "
        "points per account",
        "key 'workload.full_time_points.CSM' = 1e+300: expected at most 1,000,000 workload "
        "points per full-time person",
        "key 'workload.full_time_points.PM' = inf: expected a finite number",
        "key 'rules.load_tolerance' = nan: expected a finite number",
        "key 'rules.renewal_soon_weeks' = 99999999999: expected at most 520 (weeks)",
        "key 'objective.move' = 10000000000: expected at most 1,000,000,000 (a weight; only "
        "the ratios between weights matter)",
        "key 'solver.time_limit_s' = inf: expected a finite number",
        "key 'solver.workers' = 100000: expected at most 256 worker threads",
        "key 'solver.seed' = 99999999999999999: expected at most 2,147,483,647 (CP-SAT's "
        "random seed is a 32-bit integer)",
    ]


def test_error_text_names_the_file_and_nan_time_limit(tmp_path):
    path = write(tmp_path, BASE + "[solver]\ntime_limit_s = nan\n[rules]\n"
                 "load_tolerance = 1000.0\nlow_health_below = 101.0\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: 3 problems:\n"
        "  - key 'rules.load_tolerance' = 1000.0: expected at most 100 (a factor of capacity, "
        "like 1.15)\n"
        "  - key 'rules.low_health_below' = 101.0: expected at most 100 (a health score "
        "0-100)\n"
        "  - key 'solver.time_limit_s' = nan: expected a finite number")


def test_largest_allowed_values_load(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + "[solver]\nseed = 2147483647\n"
                                   "time_limit_s = 86400\n[workload.points]\n"
                                   "Mars = { CSM = 1000000.0 }\n"))
    assert (scenario.solver.seed, scenario.solver.time_limit_s) == (2**31 - 1, 86400.0)
    assert scenario.workload.points["Mars"]["CSM"] == 1_000_000.0
    found = problems(tmp_path, BASE + "[solver]\ntime_limit_s = 86401\nseed = 2147483648\n")
    assert found == ["key 'solver.time_limit_s' = 86401.0: expected at most 86,400 seconds",
                     "key 'solver.seed' = 2147483648: expected at most 2,147,483,647 "
                     "(CP-SAT's random seed is a 32-bit integer)"]


def test_a_folder_given_as_the_scenario_says_so(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path)
    # before: "scenario file not found", although the folder is there
    assert str(caught.value) == f"{tmp_path.resolve()} is a folder; give the scenario's .toml file"


def test_levels_are_capped_at_26_personas(tmp_path):
    found = problems(tmp_path, BASE + '[segmentation]\nspan = 2\nlevels = "1-60"\n')
    # before: personas past Z were lettered z, {, |, ... (chr(ord("A") + i))
    assert found == ["key 'segmentation.levels = '1-60': expected a range like \"3-6\" "
                     "(fewest-most levels, from 1 to 26: one persona per level count, A to Z)"]
    scenario = load_scenario(write(tmp_path, BASE + '[segmentation]\nspan = 2\n'
                                   'levels = "1-26"\n'))
    assert scenario.segments[-1].name == "Z" and len(scenario.segments) == 26


def test_a_boolean_where_a_number_belongs_is_shown_as_toml_writes_it(tmp_path):
    # before: "= True" (Python's spelling) for `move = true`
    found = problems(tmp_path, BASE + "[objective]\nmove = true\n")
    assert found == ["key 'objective.move' = true: expected an integer"]
