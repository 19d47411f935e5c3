"""The CRM update CSV: columns, ISO dates, numbers stay numbers, formula text neutralised."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from report_samples import HOSTILE, sample_report

from planner.io.crm_csv import FORMULA_STARTS, csv_field, neutralise, write_crm_csv
from planner.report import CRM_COLUMNS


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_columns_rows_and_iso_dates(tmp_path: Path) -> None:
    report = sample_report()
    path = write_crm_csv(report, tmp_path / "crm.csv")
    rows = _read(path)
    assert tuple(rows[0][:4]) == CRM_COLUMNS
    assert rows[0][4:] == ["Account", "ARR"]
    assert len(rows) == len(report.crm) + 1
    assert rows[1][:4] == ["001A000001ABCDEFGH", "CSM_Owner__c", "ben.okafor@example.com",
                           "2027-01-04"]
    released = [r for r in rows[1:] if r[4] == "Tailspin Toys"][0]
    assert released[2] == ""  # coverage released: the owner field is cleared
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "Ünïcödé GmbH".encode() in raw


def test_formula_text_is_neutralised_and_numbers_stay_numbers(tmp_path: Path) -> None:
    path = write_crm_csv(sample_report(), tmp_path / "crm.csv")
    accounts = {r[4]: r for r in _read(path)[1:]}
    for text in HOSTILE[:5]:
        assert "'" + text in accounts, text
    assert "#N/A" in accounts  # not a formula start: left as is
    arr = {r[4]: r[5] for r in _read(path)[1:]}
    assert arr["'-2+3"] == "-2500"  # a real negative number is not neutralised
    assert arr["'+SUM(1;2)"] == "20000"


def test_field_rules() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\r\nx") == "'\r\nx"
    assert neutralise("Acme") == "Acme"
    assert csv_field(-2500.0) == -2500
    assert csv_field(12.5) == 12.5
    assert csv_field(float("nan")) == ""
    assert csv_field(None) == ""
    assert csv_field(True) == "true"
    assert csv_field("@x") == "'@x"


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None)
def test_any_text_reads_back_neutralised_and_recoverable(tmp_path_factory, texts) -> None:
    report = sample_report()
    crm = report.crm.iloc[: len(texts)].copy()
    crm = crm.reindex(range(len(texts))).assign(Account=texts)
    path = write_crm_csv(replace(report, crm=crm), tmp_path_factory.mktemp("csv") / "c.csv")
    read_back = [r[4] for r in _read(path)[1:]]
    assert read_back == [neutralise(t) for t in texts]
    for original, shown in zip(texts, read_back, strict=True):
        assert not shown.startswith(FORMULA_STARTS)
        assert (shown[1:] if original.startswith(FORMULA_STARTS) else shown) == original
