"""Value parsers: every expected value below is worked out by hand."""

from datetime import date, datetime

import pytest

from planner.io import values as v
from planner.scenario import DEFAULT_SEGMENTS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,200,000.00", 1_200_000.0),
        ("1,200", 1200.0),
        ("$950", 950.0),
        ("(2,500.00)", -2500.0),
        ("USD 10,000", 10_000.0),
        ("10,000 EUR", 10_000.0),
        ("€ 1.2k", 1200.0),
        ("3M", 3_000_000.0),
        ("-75.5", -75.5),
        (48000, 48000.0),
        (12.5, 12.5),
    ],
)
def test_money(raw, expected):
    assert v.parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "N/A", " n/a ", "-", "Not Provided"])
def test_money_missing_is_none_never_zero(raw):
    assert v.parse_money(raw) is None


@pytest.mark.parametrize("raw", ["abc", "1.200,50", "12,34", "$$"])
def test_money_refused_with_expectation(raw):
    with pytest.raises(v.ValueProblem, match="expected an amount"):
        v.parse_money(raw)


def test_counts():
    assert v.parse_count("1,250") == 1250
    assert v.parse_count(" 80 ") == 80
    assert v.parse_count(96.0) == 96
    assert v.parse_count("") is None
    with pytest.raises(v.ValueProblem, match="whole number"):
        v.parse_count("12.5")


@pytest.mark.parametrize(
    ("raw", "low", "high", "approx"),
    [
        ("51-200", 51, 200, False),
        ("10,001+", 10_001, None, False),
        ("1-10", 1, 10, False),
        ("201 - 500", 201, 500, False),
        ("10k", 10_000, 10_000, False),
        ("approx. 300", 300, 300, True),
        ("250 to 499", 250, 499, False),
        ("5000 to 19,999", 5000, 19_999, False),
        ("20,000 or more", 20_000, None, False),
        ("Less than 250", None, 249, False),
        ("5,000", 5000, 5000, False),
        (120, 120, 120, False),
    ],
)
def test_employee_bands(raw, low, high, approx):
    size = v.parse_employees(raw)
    assert (size.low, size.high, size.approximate) == (low, high, approx)


@pytest.mark.parametrize(
    ("raw", "low"),
    [("1,234", 1234), ("1 234", 1234), ("1\u00a0234", 1234), ("10 001+", 10_001),
     ("10000+", 10_000), ("120.0", 120), ("5,000.00", 5000), ("1.5k", 1500)],
)
def test_whole_counts_in_text(raw, low):
    assert v.parse_employees(raw).low == low


@pytest.mark.parametrize(
    ("raw", "says"),
    [("1.234", "European thousands separator"), ("12.5", "'12.5'"),
     ("5,000.7", "'5,000.7'"), ("1.2345k", "'1.2345k'")],
)
def test_counts_that_are_not_whole_are_refused(raw, says):
    # before: "1.234" -> 1, "12.5" -> 12, "5,000.7" -> 5001, silently
    with pytest.raises(v.ValueProblem, match="whole employee count") as caught:
        v.parse_employees(raw)
    assert says in caught.value.expected


def test_fractional_spreadsheet_count_is_rounded_with_a_note():
    size = v.parse_employees(12.5)  # a number cell: no separator ambiguity; half up -> 13
    assert (size.low, size.high) == (13, 13) and "12.5 is read as 13" in size.note
    assert v.parse_employees(120.0).note == ""


def test_band_from_zero():
    band = v.parse_employees("0-9")
    assert (band.low, band.high) == (0, 9)
    assert [band.count(r) for r in ("lower", "midpoint", "upper")] == [0, 4, 9]  # (0+9)//2


@pytest.mark.parametrize("raw", ["", "self-employed", "Not Provided", None])
def test_unusable_sizes_are_none(raw):
    assert v.parse_employees(raw) is None


def test_band_rule_lower_midpoint_upper():
    band = v.parse_employees("51-200")
    assert band.count("lower") == 51
    assert band.count("midpoint") == 125  # (51 + 200) // 2
    assert band.count("upper") == 200
    open_band = v.parse_employees("10,001+")
    assert {open_band.count(r) for r in ("lower", "midpoint", "upper")} == {10_001}
    under = v.parse_employees("Less than 250")
    assert under.count("lower") is None and under.count("upper") == 249


def test_straddled_segments():
    segs = DEFAULT_SEGMENTS
    assert v.straddled_segments(v.parse_employees("51-200"), segs) == ("Mercury", "Mars")
    assert v.straddled_segments(v.parse_employees("250 to 499"), segs) == ("Mars", "Venus")
    assert v.straddled_segments(v.parse_employees("1000 to 4999"), segs) == ("Venus", "Jupiter")
    assert v.straddled_segments(v.parse_employees("500 to 999"), segs) == ()
    assert v.straddled_segments(v.parse_employees("10,001+"), segs) == ()
    assert v.straddled_segments(v.parse_employees("1-10"), segs) == ("(below smallest)",
                                                                     "Mercury")


def test_employee_garbage_is_refused():
    with pytest.raises(v.ValueProblem, match="band like 51-200"):
        v.parse_employees("lots")


def test_dates_iso_and_orders():
    assert v.parse_date("2025-06-30", None).value == date(2025, 6, 30)
    assert v.parse_date("2022/03/31 13:09:40", None).value == date(2022, 3, 31)
    assert v.parse_date("03/04/2025", "DMY").value == date(2025, 4, 3)
    assert v.parse_date("03/04/2025", "MDY").value == date(2025, 3, 4)
    assert v.parse_date("13/04/2025", None).value == date(2025, 4, 13)
    assert v.parse_date("3 Apr 2025", None).value == date(2025, 4, 3)
    assert v.parse_date("Apr 3, 2025", None).value == date(2025, 4, 3)
    assert v.parse_date(datetime(2025, 6, 30, 0, 0), None).value == date(2025, 6, 30)
    assert v.parse_date("", None) is None


def test_ambiguous_date_without_order_names_the_setting():
    with pytest.raises(v.ValueProblem, match="date_order"):
        v.parse_date("03/04/2025", None)


def test_date_under_wrong_order_is_refused():
    with pytest.raises(v.ValueProblem, match="mm/dd/yyyy"):
        v.parse_date("13/04/2025", "MDY")


def test_excel_serial_with_note():
    parsed = v.parse_date(45775, None)
    assert parsed.value == date(2025, 4, 28)
    assert "Excel serial" in parsed.note
    assert v.parse_date("45775", None).value == date(2025, 4, 28)


def test_date_order_evidence_points_at_one_value_of_each_order():
    values = ["03/04/2025", "13/04/2025", "2025-01-01", "04/13/2025", "14/04/2025"]
    assert v.date_order_evidence(values) == {"DMY": 1, "MDY": 3}


def test_column_order():
    assert v.column_date_order(["03/04/2025", "13/04/2025"]) == "DMY"
    assert v.column_date_order(["04/13/2025", "03/04/2025"]) == "MDY"
    assert v.column_date_order(["03/04/2025", "05/06/2025"]) is None
    with pytest.raises(v.ValueProblem, match="one day/month order"):
        v.column_date_order(["13/04/2025", "04/13/2025"])


@pytest.mark.parametrize(("raw", "expected"), [
    ("Y", True), ("Yes", True), ("true", True), ("1", True), ("x", True), (1, True),
    ("N", False), ("no", False), ("0", False), ("", None), (None, None)])
def test_booleans(raw, expected):
    assert v.parse_bool(raw) is expected


def test_health():
    assert v.parse_health("75") == 75.0
    assert v.parse_health("75%") == 75.0
    assert v.parse_health("Red") == 20.0
    assert v.parse_health("") is None
    with pytest.raises(v.ValueProblem, match="0 to 100"):
        v.parse_health("120")


def test_salesforce_ids():
    # chunks 00150 / 00000 / VALDt: upper-case bits 0, 0, 1+2+4+8=15 -> A, A, P
    assert v.salesforce_suffix("0015000000VALDt") == "AAP"
    # the key is the 18-character form only in a Salesforce column (the old per-value
    # conversion gave ACC000000000001 a bogus suffix: that assertion encoded the bug)
    assert v.account_key("0015000000VALDt", salesforce=True) == "0015000000VALDtAAP"
    assert v.account_key("0015000000VALDtAAP", salesforce=True) == "0015000000VALDtAAP"
    assert v.account_key("0015000000VALDt") == "0015000000VALDt"
    # same letters, different case: different ids, never merged
    assert v.account_key("0015000000valdt", True) != v.account_key("0015000000VALDt", True)
    assert v.person_key("0055000000ABCDe", salesforce=True) == "0055000000ABCDe" + \
        v.salesforce_suffix("0055000000ABCDe")
    assert v.person_key("EMP000000000001") == "emp000000000001"


def test_salesforce_column_decision():
    # 18-character form of 001D000000IRFma: chunk 001D0 has D at bit 3 -> 8 -> 'I';
    # 00000 -> 'A'; IRFma has I, R, F at bits 0, 1, 2 -> 7 -> 'H': suffix IAH
    assert v.salesforce_suffix("001D000000IRFma") == "IAH"
    real = ["0015000000VALDt", "001D000000IRFmaIAH", "0013000000abCDe"]
    assert v.salesforce_column(real) == v.IdColumn(True)
    # a company's own numbering is not Salesforce, even at 15 characters
    assert v.salesforce_column(["ACC000000000001", "ACC000000000002"]) == v.IdColumn(False)
    assert v.salesforce_column(["123456789012345"]) == v.IdColumn(False)
    # an 18-character id with a wrong checksum spoils the column: the first odd one is named
    ids = ["0015000000VALDt"] * 4 + ["0015000000VALDtAAX"]
    assert v.salesforce_column(ids) == v.IdColumn(False, 4)
    assert v.salesforce_column(["A-1", "A-2"]) == v.IdColumn(False)
    assert v.salesforce_column([]) == v.IdColumn(False)


def test_person_keys_and_text():
    assert v.person_key(" Ana.Ruiz@Example.COM ") == "ana.ruiz@example.com"
    assert v.person_key("Kai\u00a0Berg") == v.person_key("Kai Berg") == "kai berg"
    assert v.clean_text(" Zoë O’Brien ") == "Zoë O’Brien"
    assert v.clean_text("Kai\u00a0Berg") == "Kai\u00a0Berg"  # names kept exactly


def test_split_list_and_monday():
    assert v.split_list("2025-01-06; 2025-01-15") == ["2025-01-06", "2025-01-15"]
    assert v.split_list("2025-01-06, 2025-01-15") == ["2025-01-06", "2025-01-15"]
    assert v.monday_of(date(2025, 1, 15)) == date(2025, 1, 13)
