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


def test_conflicting_duplicate_person_is_one_error_not_one_per_account(tmp_path):
    # Ann appears twice with different names: that row is the error; her two accounts are
    # still owned by a person of the roster (they were listed as unknown owners too).
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\nB,b,50,ann@x.com\n",
                "Email,Name\nann@x.com,Ann Lee\nann@x.com,Other Person\n")
    errors = [p for p in problems_of(case) if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [("people.csv", 3, "Name")]


def test_merged_duplicate_says_which_values_came_from_the_later_row(tmp_path):
    # the same person twice, the second row adding a Last Day: merged, and the note says so
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\n",
                "Email,Name,Last Day\nann@x.com,Ann Lee,\nann@x.com,Ann Lee,2026-02-27\n")
    inputs = read_inputs(case)
    (note,) = [n for n in inputs.notes if "same person" in n.expected]
    assert note.expected.endswith("merged into one (Last Day from row 3)")
    assert inputs.people[0].last_day == date(2026, 2, 27)


def test_last_day_before_the_plan_start_is_a_warning(tmp_path):
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\n",
                "Email,Name,Last Day\nann@x.com,Ann Lee,2025-11-28\n")
    inputs = read_inputs(case)
    (note,) = [n for n in inputs.notes if n.column == "Last Day"]
    assert (note.row, note.value) == (2, "2025-11-28")
    assert "already gone" in note.expected and "plan start (2026-01-05)" in note.expected


def test_owners_left_out_of_every_move_are_warned(tmp_path):
    # legal values that leave a CSM out of the moves; a manager's capacity 0 is normal
    plan_weeks = "; ".join(f"2026-{month:02d}-{day:02d}" for month, day in (
        (1, 5), (1, 12), (1, 19), (1, 26), (2, 2), (2, 9), (2, 16), (2, 23), (3, 2), (3, 9),
        (3, 16), (3, 23), (3, 30), (4, 6), (4, 13), (4, 20), (4, 27), (5, 4), (5, 11),
        (5, 18), (5, 25), (6, 1), (6, 8), (6, 15), (6, 22), (6, 29)))
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\n",
                "Email,Name,Role,Capacity,Max Out Per Week,Max In Per Week,Weeks Off\n"
                "ann@x.com,Ann,CSM,0,0,0,\nbo@x.com,Bo,CSM,1,,,\"" + plan_weeks + "\"\n"
                "cy@x.com,Cy,Manager,0,,,\n")
    notes = {(n.row, n.column) for n in read_inputs(case).notes}
    assert notes == {(2, "Capacity"), (2, "Max Out Per Week"), (2, "Max In Per Week"),
                     (3, "Weeks Off")}


def test_an_employees_column_blank_in_every_row_is_one_error(tmp_path):
    errors = [p for p in problems_of(make(tmp_path, "Id,Name,Employees\nA,a,\nB,b,\n"))
              if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [("accounts.csv", 1, "Employees")]
    assert "blank in every row" in errors[0].expected
    # an explicit segment is enough: no error
    ok = make(tmp_path, "Id,Name,Employees,Segment\nA,a,,Venus\n")
    assert read_inputs(ok).accounts[0].explicit_segment == "Venus"


def test_weekly_caps_out_of_range_are_errors(tmp_path):
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\n",
                "Email,Name,Max In Per Week,Max Out Per Week\n"
                "ann@x.com,Ann,99999999999999999999,-1\n")
    errors = {(p.column, p.expected) for p in problems_of(case) if p.severity == "error"}
    assert errors == {("Max In Per Week", "expected 0 to 1,000 handoffs per week"),
                      ("Max Out Per Week", "expected 0 to 1,000 handoffs per week")}


def test_an_owner_whose_role_owns_no_accounts_is_warned_once(tmp_path):
    # a typo in the title makes Ann a 'manager' function: both her accounts would move
    case = make(tmp_path, "Id,Name,Employees,CSM\nA,a,50,ann@x.com\nB,b,50,ann@x.com\n",
                "Email,Name,Role\nann@x.com,Ann,Customer Sucess Manager\n")
    (note,) = [n for n in read_inputs(case).notes if n.column == "CSM"]
    assert (note.file, note.row, note.value) == ("accounts.csv", 2, "ann@x.com")
    assert "'Customer Sucess Manager' owns no accounts in the plan, so all 2" in note.expected


def test_renewal_before_the_plan_start_is_a_warning(tmp_path):
    # the plan starts 2026-01-05: a 2020 renewal is stale (no freeze), kept with a note
    case = make(tmp_path, "Id,Name,Employees,Renewal Date\nA,a,50,2020-01-15\nB,b,50,2026-03-02\n")
    inputs = read_inputs(case)
    (note,) = [n for n in inputs.notes if n.column == "Renewal Date"]
    assert (note.row, note.value) == (2, "2020-01-15")
    assert "plan start (2026-01-05)" in note.expected
    assert [a.renewal for a in inputs.accounts] == [date(2020, 1, 15), date(2026, 3, 2)]


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


def errors_of(scenario):
    return [p for p in problems_of(scenario) if p.severity == "error"]


# --- Salesforce ids -------------------------------------------------------------------------


def test_own_numbering_keeps_its_ids_exactly(tmp_path):
    # before: ACC000000000001 became ACC000000000001HAA in Account.id, the report and the CSV
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nACC000000000001,a,50\n"
                              "ACC000000000002,b,50\n"))
    assert [(a.id, a.crm_id) for a in inputs.accounts] == [
        ("ACC000000000001", "ACC000000000001"), ("ACC000000000002", "ACC000000000002")]


def test_salesforce_ids_shown_as_exported_matched_and_written_in_18_form(tmp_path):
    # 0015000000VALDt -> suffix AAP (see test_values); 0015000000VALDu: same upper-case
    # letters -> AAP too; the child names its parent in the 18-character form
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees,Parent Account\n"
                              "0015000000VALDt,Parent,500,\n"
                              "0015000000VALDu,Child,50,0015000000VALDtAAP\n"))
    parent, child = inputs.accounts
    assert (parent.id, parent.crm_id) == ("0015000000VALDt", "0015000000VALDtAAP")
    assert (child.id, child.crm_id) == ("0015000000VALDu", "0015000000VALDuAAP")
    assert child.parent_id == "0015000000VALDt"  # the parent's id as exported


def test_salesforce_ids_setting_true_and_false(tmp_path):
    text = "Id,Name,Employees\n0015000000VALDt,a,50\n0015000000VALDtAAP,b,50\n"
    # false: the two forms are compared as written, so they are two accounts
    plain = read_inputs(make(tmp_path, text, inputs_extra="salesforce_ids = false\n"))
    assert [a.crm_id for a in plain.accounts] == ["0015000000VALDt", "0015000000VALDtAAP"]
    strict = make(tmp_path, "Id,Name,Employees\n0015000000VALDt,a,50\nA-2,b,50\n",
                  inputs_extra="salesforce_ids = true\n")
    (error,) = errors_of(strict)
    assert (error.row, error.column, error.value) == (3, "Id", "A-2")
    assert "expected a Salesforce id" in error.expected


def test_one_odd_id_in_a_salesforce_column_is_named(tmp_path):
    rows = "".join(f"001500000{n}VALDt,a{n},50\n" for n in range(4))
    problems = read_inputs(make(tmp_path, "Id,Name,Employees\n" + rows
                                + "0015000000VALDtAAX,z,50\n")).notes
    (note,) = [p for p in problems if p.column == "Id"]
    assert (note.row, note.value) == (6, "0015000000VALDtAAX")
    assert "salesforce_ids = true or false" in note.expected


def test_salesforce_user_ids_in_roster_and_owner_columns(tmp_path):
    # roster has the 15-character user id; the account's owner cell the 18-character form
    # 00550 -> A, 00000 -> A, ABCDe: A, B, C, D upper at bits 0-3 -> 15 -> P
    user18 = "0055000000ABCDeAAP"
    case = make(tmp_path, f"Id,Name,Employees,CSM\nA-1,a,50,{user18}\n",
                "User Id,Name\n0055000000ABCDe,Ann\n0055000000abcde,Other Ann\n")
    inputs = read_inputs(case)
    assert [p.crm_id for p in inputs.people] == [user18, "0055000000abcde" + "AAA"]
    assert inputs.accounts[0].owners == {"CSM": user18}


# --- footers, headers, files ----------------------------------------------------------------


def test_salesforce_report_footer_makes_no_accounts(tmp_path):
    case = make(tmp_path, '"Account ID","Account Name","Employees"\n"A-1","Acme","120"\n\n'
                '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
                '"Confidential Information - Do Not Distribute"\n'
                '"Generated By:  Ana Ruiz  3/4/2026 10:15 AM"\n"Orbit Cloud"\n')
    inputs = read_inputs(case)
    assert [a.id for a in inputs.accounts] == ["A-1"]
    assert [n.row for n in inputs.notes] == [4]  # the footer, rows 4-7


def test_mapped_id_header_below_title_rows(tmp_path):
    case = make(tmp_path, "Export of 2026-03-04\n\nkey,label,staff\nK1,Kay,250\n",
                inputs_extra='[inputs.account_columns]\nid = "key"\nemployees = "staff"\n')
    inputs = read_inputs(case)
    assert [(a.id, a.row, a.employees) for a in inputs.accounts] == [("K1", 4, 250)]
    (note,) = inputs.notes
    assert note.row == 3 and "accounts_header_row = 3" in note.expected


def test_no_id_column_names_the_options(tmp_path):
    (error,) = errors_of(make(tmp_path, "Key,Label,Staff\nK1,Kay,250\n"))
    assert (error.row, error.value) == (1, "Key, Label, Staff")
    assert "[inputs.account_columns] id" in error.expected
    assert "[inputs] accounts_header_row" in error.expected


def test_missing_roster_gives_no_owner_knock_on_errors(tmp_path):
    case = make(tmp_path, "Id,Name,Employees,CSM\nA-1,a,50,ann@x.com\n", "Email\nann@x.com\n")
    (tmp_path / "people.csv").unlink()
    (error,) = errors_of(case)
    assert error.file == "people.csv" and error.expected.startswith("file not found: ")


def test_input_error_carries_encodings_and_rows(tmp_path):
    (tmp_path / "accounts.csv").write_bytes("Id,Name,Employees\nA,Zoë,lots\n".encode("cp1252"))
    (tmp_path / "s.toml").write_text('[plan]\nstart = 2026-01-05\n[inputs]\n'
                                     'accounts = "accounts.csv"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inputs(load_scenario(tmp_path / "s.toml"))
    assert caught.value.encodings == {"accounts.csv": "Windows-1252"}
    assert caught.value.rows == {"accounts.csv": 1}


def test_scenario_warnings_reach_the_notes(tmp_path):
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,50\n",
                              extra="[rules]\nblackout_weeks = [2025-12-29]\n"))
    (note,) = inputs.notes
    assert (note.file, note.column, note.value) == ("s.toml", "rules.blackout_weeks",
                                                    "2025-12-29")


# --- values in context ----------------------------------------------------------------------


def test_decimal_employee_text_is_an_error_naming_the_value(tmp_path):
    (error,) = errors_of(make(tmp_path, "Id,Name,Employees\nA,a,1.234\nB,b,\"1,234\"\n"))
    assert (error.row, error.column, error.value) == (2, "Employees", "1.234")
    assert "European thousands separator" in error.expected


def test_band_from_zero_follows_below_smallest(tmp_path):
    # before: "expected a positive employee count" stopped the run
    for policy, segment_note in (("exception", "exception"), ("lowest", "lowest")):
        inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,0-9\n",
                                  extra=f'[segmentation]\nbelow_smallest = "{policy}"\n'))
        assert inputs.accounts[0].employees == 0  # band_rule lower: 0
        (note,) = inputs.notes
        assert f'below_smallest = "{segment_note}"' in note.expected
    midpoint = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,0-9\n",
                                extra='[segmentation]\nband_rule = "midpoint"\n'))
    assert midpoint.accounts[0].employees == 4  # (0 + 9) // 2


def test_header_with_a_format_hint_is_recognised_and_sets_the_order(tmp_path):
    # 04/05/2026 alone is ambiguous; the header says month first -> 5 April
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees,Renewal Date (MM/DD/YYYY)\n"
                              "A,a,50,04/05/2026\n"))
    assert inputs.accounts[0].renewal == date(2026, 4, 5)
    assert inputs.columns["accounts.csv"][-1] == ("renewal", "Renewal Date (MM/DD/YYYY)")


def test_both_date_orders_name_a_row_and_value_of_each(tmp_path):
    (error,) = errors_of(make(tmp_path, "Id,Name,Employees,Renewal Date\nA,a,50,13/04/2026\n"
                              "B,b,50,04/05/2026\nC,c,50,04/14/2026\n"))
    assert (error.row, error.column, error.value) == (2, "Renewal Date", "13/04/2026")
    assert "row 2 ('13/04/2026') can only be day-first and row 4 ('04/14/2026') only " \
        "month-first" in error.expected


def test_unparseable_dates_name_row_column_and_value(tmp_path):
    errors = errors_of(make(tmp_path, "Id,Name,Employees,Renewal Date\nA,a,50,not a date\n"
                            "B,b,50,31/02/2027\nC,c,50,2027-01-31\n"))
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "Renewal Date", "not a date"), (3, "Renewal Date", "31/02/2027")]
    assert errors[0].expected == "expected a date like 2025-04-28"
    assert errors[1].expected == "expected a date as dd/mm/yyyy (DMY)"  # 31 > 12: day first


def test_plausibility_warnings_keep_the_values(tmp_path):
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees,ARR,Renewal Date,Customer Since\n"
                              "A,a,20000000,20000000000,1899-12-30,1901-05-01\n"))
    account = inputs.accounts[0]
    assert (account.employees, account.arr) == (20_000_000, 2e10)
    assert account.renewal is None and account.customer_since == date(1901, 5, 1)
    notes = {n.column: n.expected for n in inputs.notes}
    assert "at most 10,000,000 employees" in notes["Employees"]
    assert "ARR below 10,000,000,000" in notes["ARR"]
    assert "Excel's day zero" in notes["Renewal Date"]
    assert "between 1950 and 2100" in notes["Customer Since"]


def test_an_impossible_arr_is_an_error(tmp_path):
    # 10^14 cannot be an ARR, and a cost per 1,000 of it would overflow the model's integers.
    (error,) = errors_of(make(tmp_path, "Id,Name,Employees,ARR\nA,a,50,100000000000000\n"))
    assert (error.row, error.column, error.value) == (2, "ARR", "100000000000000")
    assert "expected ARR below 1,000,000,000,000" in error.expected


def test_roster_plausibility(tmp_path):
    people = ("Email,Name,Role,Manager,Start Date,Last Day\n"
              "a@x.com,Ann,Wizard,Bo Boss,2026-02-01,2026-01-15\n"
              "b@x.com,Bea,Support,a@x.com,,\n"
              "c@x.com,Cy,Wizard,Ann,,\n")
    problems = problems_of(make(tmp_path, "Id,Name,Employees\nA,a,50\n", people))
    (error,) = [p for p in problems if p.severity == "error"]
    assert (error.row, error.column, error.value) == (2, "Last Day", "2026-01-15")
    assert "on or after the start date 2026-02-01" in error.expected
    warnings = {(p.row, p.column, p.value): p.expected for p in problems
                if p.severity == "warning"}
    # 'Support' is a horizontal function: no note; 'Ann' is a unique name in the roster
    assert set(warnings) == {(2, "Role", "Wizard"), (2, "Manager", "Bo Boss")}
    assert "2 person(s) with this role (rows 2, 4)" in warnings[(2, "Role", "Wizard")]


def test_xlsx_formula_cell_reported_once(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Id", "Name", "Employees", "ARR"])
    ws.append(["A", "a", 12.5, "=1+1"])  # no saved result; a fractional count
    wb.save(tmp_path / "a.xlsx")
    (tmp_path / "x.toml").write_text('[plan]\nstart = 2026-01-05\n[inputs]\n'
                                     'accounts = "a.xlsx"\n', encoding="utf-8")
    problems = problems_of(load_scenario(tmp_path / "x.toml"))
    # one error for the formula cell, named by header and cell; no "ARR is missing" after it
    assert [(p.severity, p.column) for p in problems] == [("error", "ARR"),
                                                         ("warning", "Employees")]
    assert "cell D2" in problems[0].expected
    assert "12.5 is read as 13" in problems[1].expected


def test_near_miss_owner_header_points_at_owner_columns(tmp_path):
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees,CSM Emial\nA,a,50,x@y.com\n"))
    (note,) = inputs.notes
    assert (note.row, note.column) == (1, "CSM Emial")
    assert 'set [inputs.owner_columns] CSM = "CSM Emial"' in note.expected
    assert inputs.ignored_columns == {"accounts.csv": ("CSM Emial",)}
    assert inputs.accounts[0].owners == {}


def test_unknown_owner_quotes_the_cell_as_written(tmp_path):
    case = make(tmp_path, "Id,Name,Employees,CSM Email\nA,a,50, Ana Ruiz \n",
                "Email,Name\nann@x.com,Ann Lee\n")
    (error,) = errors_of(case)
    # before: found 'ana ruiz' (the lower-cased matching key), not what the file says
    assert (error.row, error.column, error.value) == (2, "CSM Email", " Ana Ruiz ")


def test_id_columns_name_the_headers_of_each_file(tmp_path):
    inputs = read_inputs(make(tmp_path, "Account Number,Name,Employees\nA,a,50\n",
                              "Work Email,Name\nann@x.com,Ann\n"))
    assert inputs.id_columns == {"accounts": ("accounts.csv", "Account Number"),
                                 "people": ("people.csv", "Work Email")}


def test_capacity_in_points_is_capped(tmp_path):
    case = make(tmp_path, "Id,Name,Employees\nA,a,50\n",
                "Email,Name,Capacity\nann@x.com,Ann,1000001\nbo@x.com,Bo,1000000\n",
                extra='[workload]\ncapacity_unit = "points"\n')
    (error,) = errors_of(case)
    # 1,000,001 points x POINT_SCALE 100 would feed CP-SAT terms beyond the tested range
    assert (error.row, error.column, error.value) == (2, "Capacity", "1000001")
    assert error.expected == ("expected a capacity of at most 1,000,000 points ([workload] "
                              "capacity_unit = \"points\")")


def test_parent_loop_is_broken_at_the_smallest_id_with_a_warning(tmp_path):
    # F2 -> F3 -> F1 -> F2 (row order differs from the loop order on purpose); F9 hangs
    # below the loop. The smallest id of the loop, F1, becomes the top: its parent is
    # dropped, so F2 -> F3 -> F1 and F9 -> F2 all end at F1.
    inputs = read_inputs(make(tmp_path, "Account ID,Name,Employees,Parent Account\n"
                              "F2,Two,50,F3\nF3,Three,50,F1\nF1,One,50,F2\nF9,Nine,50,F2\n"))
    parents = {a.id: a.parent_id for a in inputs.accounts}
    assert parents == {"F2": "F3", "F3": "F1", "F1": None, "F9": "F2"}
    (note,) = [n for n in inputs.notes if "loop" in n.expected]
    # before: no note, and each account of the loop was its own family's top
    assert (note.row, note.column, note.value) == (4, "Parent Account", "F2")
    assert note.expected == (
        "expected parent accounts that lead to a top account; these parents go round in a "
        "loop: F1 -> F2 -> F3 -> F1 (with F2 (row 2), F3 (row 3)). F1, the smallest id of the "
        "loop, is taken as the family's top and its parent is ignored, so the family rules "
        "still apply; fix the parent of one of them")


def test_own_manager_and_manager_loops_are_warnings(tmp_path):
    people = ("Email,Name,Manager\nann@x.com,Ann,Bo\nbo@x.com,Bo,cy@x.com\n"
              "cy@x.com,Cy,ann@x.com\ndee@x.com,Dee,dee@x.com\neve@x.com,Eve,Ann\n")
    inputs = read_inputs(make(tmp_path, "Id,Name,Employees\nA,a,50\n", people))
    notes = [(n.row, n.column, n.value, n.expected) for n in inputs.notes]
    # Ann -> Bo (by name) -> Cy -> Ann is a loop; Dee manages herself; Eve reports to Ann,
    # inside the reporting line but not part of the loop, so no note about her
    assert notes == [
        (2, "Manager", "Bo", "expected a reporting line that ends at a top manager; these "
         "managers go round in a loop: Ann -> Bo -> Cy -> Ann (rows 2, 3, 4)"),
        (5, "Manager", "dee@x.com", "expected a manager other than the person: Dee is their "
         "own manager"),
    ]


def test_parent_and_duplicate_person_notes_quote_the_cells(tmp_path):
    # a 15-character Salesforce parent id is matched in its 18-character form; the note
    # quotes it as the file writes it. Rows 2 and 3 of the roster are one person (e-mail
    # case aside): the note names the 'Work Email' column and the id as row 3 writes it.
    accounts = ("Account ID,Name,Employees,Parent Account\n"
                "0015000000VALDtAAP,Acme,500,0015000000Nope1\n")
    people = "Work Email,Name\nann@x.com,Ann\nANN@x.com,Ann\n"
    inputs = read_inputs(make(tmp_path, accounts, people))
    notes = {(n.row, n.column, n.value) for n in inputs.notes}
    assert (2, "Parent Account", "0015000000Nope1") in notes
    assert (3, "Work Email", "ANN@x.com") in notes
