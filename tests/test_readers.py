"""read_inputs: header recognition, mappings and every validation rule, on tiny files."""

from datetime import date

import pytest

from planner.domain import InputError
from planner.io.readers import norm_header, read_inputs
from planner.scenario import load_scenario


def make(tmp_path, accounts, people=None, inputs_extra="", extra=""):
    """Write the CSV texts and a scenario using them; return the loaded scenario."""
    (tmp_path / "accounts.csv").write_text(accounts, encoding="utf-8")
    text = ('name = "t"\n[plan]\nstart = 2026-01-05\n[inputs]\naccounts = "accounts.csv"\n')
    if people is not None:
        (tmp_path / "people.csv").write_text(people, encoding="utf-8")
        text += 'people = "people.csv"\n'
    path = tmp_path / "s.toml"
    path.write_text(text + inputs_extra + extra, encoding="utf-8")
    return load_scenario(path)


def problems_of(scenario):
    with pytest.raises(InputError) as caught:
        read_inputs(scenario)
    return caught.value.problems


def test_norm_header():
    assert norm_header(" Account_ID ") == norm_header("account id") == "accountid"


def test_headers_recognised_loosely(tmp_path):
    case = make(
        tmp_path,
        "account id,COMPANY,Number Of Employees,Annual Recurring Revenue,renewal_date,"
        "Customer Since,Go-Live Date,Onboarding,Health Score,Region,Parent Account,Segment,"
        "Current Segment,Strategic,Locked,Last Owner Change,CSM Email,PM,SA,Hybrid Owner\n"
        "A-1,Alpha,500,\"1,000\",2026-03-31,2024-01-15,2026-02-01,Yes,75,EMEA,,Venus,Mars,"
        "x,N,2025-10-01,CSM@x.com,pm@x.com,,h@x.com\n",
    )
    (account,) = read_inputs(case).accounts
    assert (account.id, account.name, account.employees, account.arr) == ("A-1", "Alpha", 500,
                                                                         1000.0)
    assert account.renewal == date(2026, 3, 31) and account.customer_since == date(2024, 1, 15)
    assert account.go_live == date(2026, 2, 1) and account.onboarding is True
    assert (account.health, account.region, account.explicit_segment) == (75.0, "EMEA", "Venus")
    assert (account.previous_segment, account.strategic, account.locked) == ("Mars", True, False)
    assert account.last_owner_change == date(2025, 10, 1)
    assert account.owners == {"CSM": "csm@x.com", "PM": "pm@x.com", "HYBRID": "h@x.com"}


def test_people_headers_recognised(tmp_path):
    case = make(
        tmp_path, "Id,Name,Employees,CSM\nA-1,A,50,a@x.com\n",
        "Email,Full Name,Role,Manager,Current Team,New Team,FTE,Region,Start Date,Last Day,"
        "Weeks Off,Max Out Per Week,Max In Per Week\n"
        "A@x.com,Ann,Customer Success Manager,Bo,Mars,Venus,0.5,EMEA,2025-01-06,2026-06-30,"
        "2026-02-04; 2026-02-11,3,2\n",
    )
    (person,) = read_inputs(case).people
    assert (person.id, person.name, person.role, person.manager) == ("a@x.com", "Ann", "CSM",
                                                                     "Bo")
    assert (person.current_team, person.new_team, person.capacity) == ("Mars", "Venus", 0.5)
    assert person.start_date == date(2025, 1, 6) and person.last_day == date(2026, 6, 30)
    assert person.weeks_off == (date(2026, 2, 2), date(2026, 2, 9))  # Mondays
    assert (person.max_out_per_week, person.max_in_per_week) == (3, 2)


def test_mapping_overrides_and_missing_mapped_header_lists_headers(tmp_path):
    mapped = make(tmp_path, "key,label,staff\nK1,Kay,250\n",
                  inputs_extra='[inputs.account_columns]\nid = "key"\nname = "label"\n'
                  'employees = "staff"\n')
    (account,) = read_inputs(mapped).accounts
    assert (account.id, account.name, account.employees) == ("K1", "Kay", 250)
    wrong = make(tmp_path, "key,label,staff\nK1,Kay,250\n",
                 inputs_extra='[inputs.account_columns]\nid = "Account Key"\n'
                 'employees = "staff"\n')
    error = problems_of(wrong)[0]
    assert error.column == "Account Key" and "'key', 'label', 'staff'" in error.expected


def test_duplicate_account_ids_name_both_rows(tmp_path):
    problems = problems_of(make(tmp_path, "Id,Name,Employees\nA,a,50\nB,b,50\nA,c,60\n"))
    (error,) = [p for p in problems if p.severity == "error"]
    assert (error.row, error.column, error.value) == (4, "Id", "A")
    assert "row 2" in error.expected


def test_salesforce_18_form_makes_duplicates_visible(tmp_path):
    problems = problems_of(make(tmp_path, "Id,Name,Employees\n0015000000VALDt,a,50\n"
                                "0015000000valdt,b,50\n0015000000VALDtAAP,c,50\n"))
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.row == 4 and "row 2" in error.expected  # row 3 (other case) stays distinct


def test_negative_and_zero_counts_are_errors_negative_arr_warning(tmp_path):
    problems = problems_of(make(tmp_path, "Id,Name,Employees,ARR\nA,a,0,10\nB,b,-5,10\n"
                                "C,c,50,-100\n"))
    errors = {(p.row, p.column) for p in problems if p.severity == "error"}
    assert errors == {(2, "Employees"), (3, "Employees")}
    assert any(p.row == 4 and p.column == "ARR" and p.severity == "warning" for p in problems)


def test_unknown_explicit_segment_is_error_parent_not_found_warning(tmp_path):
    problems = problems_of(make(tmp_path, "Id,Name,Employees,Segment,Parent Account\n"
                                "A,a,50,Pluto,\nB,b,50,venus,Nowhere\n"))
    (error,) = [p for p in problems if p.severity == "error"]
    assert (error.row, error.column, error.value) == (2, "Segment", "Pluto")
    assert "Mercury, Mars, Venus, Jupiter" in error.expected
    assert any(p.row == 3 and p.column == "Parent Account" for p in problems
               if p.severity == "warning")


def test_parent_by_name_and_explicit_segment_canonical(tmp_path):
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees,Segment,Parent Account\n"
                              "A,Acme,5000,,\nB,Acme Kids,50,venus,Acme\n"))
    child = inputs.accounts[1]
    assert child.parent_id == "A" and child.explicit_segment == "Venus"


def test_owner_not_in_roster_is_error_owner_by_unique_name_resolves(tmp_path):
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,Ann Lee\nB,b,50,ghost@x.com\n",
                "Email,Name\nann@x.com,Ann Lee\n")
    (error,) = [p for p in problems_of(case) if p.severity == "error"]
    assert (error.file, error.row, error.column, error.value) == ("accounts.csv", 3, "CSM",
                                                                  "ghost@x.com")
    ok = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,Ann Lee\n",
              "Email,Name\nann@x.com,Ann Lee\n")
    assert read_inputs(ok).accounts[0].owners == {"CSM": "ann@x.com"}


def test_below_smallest_policies_reported(tmp_path):
    for policy in ("lowest", "exception"):
        inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,5\n",
                                  extra=f'[segmentation]\nbelow_smallest = "{policy}"\n'))
        (note,) = inputs.notes
        assert note.row == 2 and f'below_smallest = "{policy}"' in note.expected


def test_band_rule_midpoint(tmp_path):
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,51-200\n",
                              extra='[segmentation]\nband_rule = "midpoint"\n'))
    assert inputs.accounts[0].employees == 125
    assert inputs.accounts[0].employees_raw == "51-200"


def test_all_files_reported_together_with_fingerprints(tmp_path):
    case = make(tmp_path, "Id,Name,Employees\nA,a,lots\n", "Email,Name,FTE\nb@x.com,B,-1\n")
    problems = problems_of(case)
    assert {p.file for p in problems if p.severity == "error"} == {"accounts.csv", "people.csv"}
    good = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,50\n"))
    assert good.encodings == {"accounts.csv": "UTF-8"}
    assert len(good.fingerprints["accounts.csv"]) == 64


def test_header_only_accounts_file_is_an_error(tmp_path):
    problems = problems_of(make(tmp_path, "Id,Name,Employees\n"))
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.file == "accounts.csv" and "at least one account" in error.expected
