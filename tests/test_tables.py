"""Raw tables from CSV and XLSX: encodings, quoting, sheets, data end, formulas."""

import time
from datetime import datetime
from pathlib import Path

import openpyxl

from planner.io.tables import read_table

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def test_csv_utf8_bom_and_quoted_headers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes('\ufeff"Account ID", "Name" \r\n"A-1","Ä Co"\r\n'.encode())
    table = read_table(path)
    assert table.headers == ("Account ID", "Name")
    assert table.encoding == "UTF-8 with BOM"
    assert table.rows[0].values == ("A-1", "Ä Co") and table.rows[0].number == 2


def test_csv_windows_1252(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("Email,Name\nz@x.com,Zoë O’Brien\n".encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "Windows-1252"
    assert table.rows[0].values[1] == "Zoë O’Brien"


def test_csv_quoted_field_spanning_lines_with_cr(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b'"Id","Links","Size"\n"1","a\r\n\r\nb","250 to 499"\n"2","c","x"\n')
    table = read_table(path)
    assert [r.number for r in table.rows] == [2, 3]  # records, as a spreadsheet shows them
    assert table.rows[0].values == ("1", "a\r\n\r\nb", "250 to 499")


def test_csv_extra_field_is_an_error_naming_the_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Email,Name\na@x.com,A\nb@x.com,B,extra\n", encoding="utf-8")
    table = read_table(path)
    assert len(table.rows) == 1
    (error,) = table.errors
    assert (error.file, error.row) == ("p.csv", 3)
    assert "expected 2 fields" in error.expected


def test_csv_semicolon_and_blank_rows(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Id;Name\n1;A\n\n2;B\n", encoding="utf-8")
    table = read_table(path)
    assert [r.values for r in table.rows] == [("1", "A"), ("2", "B")]
    assert [r.number for r in table.rows] == [2, 4]
    (note,) = table.problems
    assert note.severity == "warning" and note.row == 3


def test_unquoted_thousands_separator_rejoined_with_warning(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Id,ARR,CSM\nA-1,$48,000.00,a@x.com\n", encoding="utf-8")
    table = read_table(path)
    assert table.rows[0].values == ("A-1", "$48,000.00", "a@x.com")
    assert table.problems[0].severity == "warning"


def _workbook(path, build):
    wb = openpyxl.Workbook()
    build(wb)
    wb.save(path)
    return path


def test_xlsx_first_visible_sheet_or_named(tmp_path):
    def build(wb):
        hidden = wb.active
        hidden.title = "Lookup"
        hidden.append(["junk"])
        hidden.sheet_state = "hidden"
        data = wb.create_sheet("Accounts")
        data.append(["Account ID", "Renewal Date"])
        data.append(["A-1", datetime(2025, 6, 30)])
        other = wb.create_sheet("Other")
        other.append(["Id"])
        other.append(["O-1"])

    path = _workbook(tmp_path / "w.xlsx", build)
    table = read_table(path)
    assert table.sheet == "Accounts"
    assert table.rows[0].values == ("A-1", datetime(2025, 6, 30))  # real dates stay dates
    assert read_table(path, sheet="Other").rows[0].values == ("O-1",)
    missing = read_table(path, sheet="Nope")
    assert "Lookup, Accounts, Other" in missing.errors[0].expected


def test_xlsx_formula_without_saved_value_names_sheet_and_cell(tmp_path):
    def build(wb):
        ws = wb.active
        ws.title = "Data"
        ws.append(["Id", "ARR"])
        ws.append(["A-1", "=1+1"])  # openpyxl saves no cached result

    table = read_table(_workbook(tmp_path / "f.xlsx", build))
    (error,) = table.errors
    assert error.row == 2 and error.column == "B2"
    assert "sheet 'Data' cell B2" in error.expected


def test_xlsx_two_row_merged_header_is_understood(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Account ID", "Owners", None])
        ws.append([None, "CSM", "PM"])
        ws.append(["A-1", "a@x.com", "b@x.com"])
        ws.merge_cells("A1:A2")
        ws.merge_cells("B1:C1")

    table = read_table(_workbook(tmp_path / "m.xlsx", build))
    assert table.headers == ("Account ID", "CSM", "PM")
    assert table.rows[0].number == 3
    assert not table.errors


def test_xlsx_title_merged_over_all_columns_is_understood(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Accounts export", None, None])
        ws.append(["Account ID", "Name", "Employees"])
        ws.append(["A-1", "One", 10])
        ws.merge_cells("A1:C1")

    table = read_table(_workbook(tmp_path / "t.xlsx", build))
    assert table.headers == ("Account ID", "Name", "Employees") and not table.errors


def test_xlsx_merged_header_over_data_is_an_error_naming_range_and_option(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Account ID", "Owner", None])
        ws.append(["A-1", "a@x.com", "b@x.com"])
        ws.merge_cells("B1:C1")

    path = _workbook(tmp_path / "t.xlsx", build)
    error = read_table(path).errors[0]
    assert error.value == "B1:C1" and error.row == 1
    assert "accounts_header_row" in error.expected and "unmerge" in error.expected


def test_c07_formatting_to_row_50000_reads_fast():
    start = time.perf_counter()
    table = read_table(CASES / "c07-formatted-empty-rows" / "accounts.xlsx")
    elapsed = time.perf_counter() - start
    assert [r.values[0] for r in table.rows] == ["X-1", "X-2", "X-3", "X-4", "X-5"]
    assert elapsed < 1.0
