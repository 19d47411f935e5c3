"""Raw tables from CSV and XLSX: encodings, quoting, sheets, data end, formulas."""

import time
from datetime import datetime
from pathlib import Path

import openpyxl

from planner.io.tables import HeaderHint, read_table

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
    # the column is the header (it said 'B2' before, the cell posing as a column name)
    assert (error.row, error.column, error.value) == (2, "ARR", "=1+1")
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


ID_HINT = HeaderHint(lambda text: text.casefold() in ("account id", "id"), "accounts_header_row")

SALESFORCE_FOOTER = (
    '"Account ID","Account Name","Employees"\n'
    '"0015000000VALDt","Acme","120"\n'
    '"0015000000VALDu","Beta","80"\n'
    '\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  Ana Ruiz  3/4/2026 10:15 AM"\n'
    '"Orbit Cloud"\n'
)


def test_salesforce_report_footer_is_skipped_with_a_warning(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text(SALESFORCE_FOOTER, encoding="utf-8")
    table = read_table(path, hint=ID_HINT)
    # lines: 1 header, 2-3 data, 4 blank, 5-8 footer
    assert [r.values[0] for r in table.rows] == ["0015000000VALDt", "0015000000VALDu"]
    assert not table.errors
    (footer,) = [p for p in table.problems if "footer" in p.expected]
    assert footer.row == 5 and "footer row(s) 5-8" in footer.expected
    assert footer.value.startswith("Copyright (c) 2000-2026")


def test_footer_without_phrases_needs_short_rows_without_ids(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("Account ID,Name,Employees\nA-1,One,10\n\nExported for the QBR\n",
                    encoding="utf-8")
    table = read_table(path, hint=ID_HINT)
    assert [r.number for r in table.rows] == [2] and not table.errors
    assert any("footer row(s) 4 " in p.expected for p in table.problems)


def test_short_row_in_the_middle_is_an_error_naming_the_counts(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Account ID,Name,Employees\nA-1,One,10\nA-2,Two\nA-3,Three,30\n",
                    encoding="utf-8")
    table = read_table(path, hint=ID_HINT)
    (error,) = table.errors
    assert (error.row, error.value) == (3, "A-2,Two")
    assert "expected 3 fields as in the header, found 2" in error.expected
    assert [r.number for r in table.rows] == [2, 4]


def test_xlsx_total_row_at_the_bottom_is_skipped(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Account ID", "Name", "ARR"])
        ws.append(["A-1", "One", 100])
        ws.append(["A-2", "Two", 200])
        ws.append(["Grand Total", None, 300])

    table = read_table(_workbook(tmp_path / "t.xlsx", build), hint=ID_HINT)
    assert [r.values[0] for r in table.rows] == ["A-1", "A-2"]
    (note,) = table.problems
    assert (note.severity, note.row, note.value) == ("warning", 4, "Grand Total,,300")
    assert "summary row" in note.expected


def test_total_word_in_an_account_with_an_id_is_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Name,Account ID\nOne,A-1\nTotal Wine,A-2\n", encoding="utf-8")
    assert [r.values[1] for r in read_table(path, hint=ID_HINT).rows] == ["A-1", "A-2"]


def test_csv_leading_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("\n\nAccount ID,Name\nA-1,One\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ("Account ID", "Name") and table.header_row == 3
    assert [(r.number, r.values) for r in table.rows] == [(4, ("A-1", "One"))]
    assert not table.problems


def test_title_rows_above_the_header_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Accounts export\nRun 2026-03-04,by Ana\n\nAccount ID,Name\nA-1,One\n",
                    encoding="utf-8")
    table = read_table(path, hint=ID_HINT)
    assert table.headers == ("Account ID", "Name") and table.header_row == 4
    (note,) = table.problems
    assert note.severity == "warning" and note.row == 4
    assert "title row(s) 1-2" in note.expected and "accounts_header_row = 4" in note.expected


def test_xlsx_title_row_above_the_header(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Q3 accounts"])
        ws.append(["Account ID", "Name"])
        ws.append(["A-1", "One"])

    table = read_table(_workbook(tmp_path / "t.xlsx", build), hint=ID_HINT)
    assert table.headers == ("Account ID", "Name") and table.rows[0].number == 3
    assert "title row(s) 1 " in table.problems[0].expected


def test_id_header_below_data_like_rows_is_an_error_naming_row_and_option(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("key,label,staff\nK1,Kay,250\nAccount ID,Name,Employees\nA-1,One,10\n",
                    encoding="utf-8")
    table = read_table(path, hint=ID_HINT)
    (error,) = table.errors
    assert error.row == 3 and "[inputs] accounts_header_row" in error.expected
    assert table.headers == () and table.unreadable


def test_header_row_option_wins(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("x,y\nAccount ID,Name\nA-1,One\n", encoding="utf-8")
    assert read_table(path, header_row=2).headers == ("Account ID", "Name")
    error = read_table(path, header_row=9).errors[0]
    assert error.row == 9 and "the file has 3 rows" in error.expected


def test_missing_file_is_one_clear_error(tmp_path):
    table = read_table(tmp_path / "nope.csv")
    (error,) = table.problems
    assert error.expected.startswith(f"file not found: {tmp_path / 'nope.csv'}")
    assert table.unreadable


def test_utf8_with_a_stray_windows_1252_byte(tmp_path):
    path = tmp_path / "u.csv"
    # 'Zoë' is valid UTF-8; 0x92 (Windows-1252 right quote) is not
    data = "Email,Name\nz@x.com,Zoë\no@x.com,O".encode() + b"\x92Brien\n"
    path.write_bytes(data)
    table = read_table(path)
    assert [r.values[1] for r in table.rows] == ["Zoë", "O\u2019Brien"]  # no mojibake
    assert table.encoding == "UTF-8 (with 1 Windows-1252 byte(s))"
    (note,) = table.problems
    # offset: 'Email,Name\n' 11 + 'z@x.com,Zoë\n' 13 bytes (ë is 2) + 'o@x.com,O' 9 = 33
    assert (note.severity, note.row, note.value) == ("warning", 3, "byte 0x92 at offset 33")
    assert "'’'" in note.expected


def test_utf16_with_and_without_mark(tmp_path):
    for name, data in (("bom.csv", "Email,Name\nz@x.com,Zoë\n".encode("utf-16")),
                       ("le.csv", "Email,Name\nz@x.com,Zoë\n".encode("utf-16-le"))):
        path = tmp_path / name
        path.write_bytes(data)
        table = read_table(path)
        assert table.encoding == "UTF-16" and table.rows[0].values == ("z@x.com", "Zoë")


def test_workbook_named_csv_and_csv_named_xlsx(tmp_path):
    def build(wb):
        wb.active.append(["Id"])

    book = _workbook(tmp_path / "real.xlsx", build)
    renamed = tmp_path / "accounts.csv"
    renamed.write_bytes(book.read_bytes())
    (error,) = read_table(renamed).problems
    assert "this is an Excel workbook (.xlsx); name it .xlsx" in error.expected
    text = tmp_path / "accounts.xlsx"
    text.write_text("Id\n1\n", encoding="utf-8")
    (error,) = read_table(text).problems
    assert "name it .csv" in error.expected


def test_a_data_cell_saying_id_is_not_taken_for_a_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Cust#,State,Employees\nC1,WA,50\nC2,ID,60\n", encoding="utf-8")
    table = read_table(path, hint=ID_HINT)  # 'ID' (Idaho) beside a number: data, not names
    assert table.headers == ("Cust#", "State", "Employees") and not table.problems


def test_header_row_option_on_a_title_row_is_one_error_naming_the_option(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Accounts export\nGenerated 2027-01-02 by Jane\n\nAccount ID,Name,Employees\n"
                    "A-1,One,10\nA-2,Two,20\n", encoding="utf-8")
    table = read_table(path, header_row=2, hint=ID_HINT)
    # before: one "expected 1 fields as in the header, found 3" error per row below
    (error,) = table.problems
    assert (error.row, error.value) == (2, "Generated 2027-01-02 by Jane")
    assert error.expected == (
        "expected the column names in row 2 (set by [inputs] accounts_header_row, or "
        "header_row in [inputs] accounts = { ... }); that row holds only one cell, but the "
        "rows below hold up to 3 cells; row 4 looks like the column names: set the header row "
        "to 4")
    assert table.unreadable
    # a one-column file is fine: nothing below is wider than its header
    path.write_text("Title\nAccount ID\nA-1\n", encoding="utf-8")
    assert read_table(path, header_row=2, hint=ID_HINT).headers == ("Account ID",)
