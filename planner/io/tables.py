"""Raw tables from CSV or XLSX exports: a header and rows of raw values, nothing typed yet.

Rows carry the spreadsheet row number a user would see (the header is row 1 in a CSV; in a
workbook it is the sheet's own row number). Problems are collected, not raised one by one:
``read_table`` returns every problem of the file in ``Table.problems``.

CSV: the encoding is detected (UTF-8 with or without byte-order mark, UTF-16 with a mark,
else Windows-1252) and reported; the delimiter (comma, semicolon or tab) is taken from the
header line; quoted fields may span lines and hold carriage returns.
XLSX: the first visible sheet (or the named one); the real end of the data is found from the
sheet's XML before reading, so formatting that runs to row 50,000 costs nothing; formula
cells without a saved value are errors naming sheet and cell; real date cells stay dates.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.domain import InputProblem

log = logging.getLogger(__name__)

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its spreadsheet row number and its raw values, one per header."""

    number: int
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header and rows as read, with the encoding (CSV) or sheet (XLSX) used."""

    file: str
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]
    encoding: str = ""
    sheet: str = ""
    problems: tuple[InputProblem, ...] = ()

    @property
    def errors(self) -> tuple[InputProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def clean_header(text: object) -> str:
    """Header text without byte-order mark, surrounding quotes or spaces."""
    value = "" if text is None else str(text)
    value = value.replace(BOM, "").replace("\u00a0", " ").strip()
    while len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def read_table(path: Path, display: str | None = None, sheet: str | None = None,
               header_row: int | None = None) -> Table:
    """Read a CSV or XLSX file into a Table (problems collected, never raised)."""
    display = display or path.name
    if not path.is_file():
        problem = InputProblem("error", display, None, "", str(path), "expected an existing file")
        return Table(display, (), (), problems=(problem,))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, display, sheet, header_row)
    if suffix == ".xls":
        problem = InputProblem("error", display, None, "", path.name,
                               "expected .xlsx or .csv (save the old .xls as .xlsx)")
        return Table(display, (), (), problems=(problem,))
    return read_csv(path, display, header_row)


# --- CSV ----------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding label). UTF-8 (BOM or not), UTF-16 with BOM, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252"), "Windows-1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter used most often in the header line, outside quotes: ',', ';' or tab."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, display: str, header_row: int | None = None) -> Table:
    """CSV -> Table. Record numbers are rows as a spreadsheet shows them (header = row 1)."""
    data = path.read_bytes()
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        problem = InputProblem("error", display, None, "", f"byte {exc.start}",
                               "expected text in UTF-8 or Windows-1252")
        return Table(display, (), (), problems=(problem,))
    log.info("%s read as %s", display, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        problem = InputProblem("error", display, reader.line_num, "", str(exc),
                               "expected well-formed CSV (check the quotes)")
        return Table(display, (), (), encoding, problems=(problem,))
    start = (header_row or 1) - 1
    if len(records) <= start:
        problem = InputProblem("error", display, None, "", "", "expected a header row")
        return Table(display, (), (), encoding, problems=(problem,))
    headers = tuple(clean_header(h) for h in records[start])
    problems: list[InputProblem] = []
    fixed = []
    for number, record in enumerate(records[start + 1:], start + 2):
        joined = rejoin_split_amounts(record, len(headers))
        if joined is not None:
            problems.append(InputProblem(
                "warning", display, number, "", ",".join(record),
                "expected amounts with a thousands separator in quotes; read the unquoted "
                "amount as " + ", ".join(v for v in joined if v not in record),
            ))
            record = joined
        fixed.append((number, tuple(record)))
    rows, row_problems = _data_rows(display, headers, fixed)
    return Table(display, headers, rows, encoding, problems=tuple(problems + row_problems))


_AMOUNT_HEAD = re.compile(r"^\(?-?[$€£]?\s*\d{1,3}$")
_AMOUNT_TAIL = re.compile(r"^\d{3}(?:\.\d+)?\)?$")


def rejoin_split_amounts(record: list[str], width: int) -> list[str] | None:
    """Join '$48' + '000.00' back into '$48,000.00' when an unquoted thousands separator
    split an amount, but only when the joins explain exactly the extra fields.

    Returns the repaired record, or None when the record is fine or cannot be repaired.
    """
    extra = len(record) - width
    if extra <= 0:
        return None
    joins = [
        i for i in range(len(record) - 1)
        if (_AMOUNT_HEAD.match(record[i]) or (i - 1 in _chain(record, i)))
        and _AMOUNT_TAIL.match(record[i + 1])
    ]
    if len(joins) != extra:
        return None
    out: list[str] = []
    for i, value in enumerate(record):
        if i - 1 in joins:
            out[-1] = out[-1] + "," + value
        else:
            out.append(value)
    return out


def _chain(record: list[str], i: int) -> set[int]:
    """{i - 1} when field i continues an amount started at i - 1 ('$1', '200', '000.00')."""
    ok = i >= 1 and bool(_AMOUNT_HEAD.match(record[i - 1])) and bool(
        re.match(r"^\d{3}$", record[i]))
    return {i - 1} if ok else set()


def _data_rows(
    display: str, headers: tuple[str, ...], records: list[tuple[int, tuple[Any, ...]]]
) -> tuple[tuple[RawRow, ...], list[InputProblem]]:
    """Pad short rows, refuse rows with extra non-empty fields, skip blank rows with a note."""
    width = len(headers)
    rows: list[RawRow] = []
    problems: list[InputProblem] = []
    blank: list[int] = []
    for number, values in records:
        if all(_blank(v) for v in values):
            blank.append(number)
            continue
        extra = values[width:]
        if any(not _blank(v) for v in extra):
            shown = ",".join("" if v is None else str(v) for v in values)
            problems.append(InputProblem(
                "error", display, number, "", shown,
                f"expected {width} fields as in the header, found {len(values)}",
            ))
            continue
        padded = tuple(values[:width]) + (None,) * max(0, width - len(values))
        rows.append(RawRow(number, padded))
    if blank:
        shown = ", ".join(str(n) for n in blank[:10]) + (" ..." if len(blank) > 10 else "")
        problems.append(InputProblem(
            "warning", display, blank[0], "", "",
            f"{len(blank)} blank row(s) skipped (rows {shown})",
        ))
    return tuple(rows), problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- XLSX ---------------------------------------------------------------------------------

_VALUE_TAGS = (b"<v>", b"<v ", b"<is>", b"<f>", b"<f ", b":v>", b":is>", b":f>", b":f ")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+\d+:[A-Z]+\d+)"')


def _sheet_scan(archive: zipfile.ZipFile, member: str) -> tuple[int | None, list[str], bool]:
    """(last row holding a value, merged ranges, any formula) from the sheet's XML.

    Cells that are only formatted have no <v>, <is> or <f> child, so the last such element
    marks the real end of the data.
    """
    xml = archive.read(member)
    last = max(xml.rfind(tag) for tag in _VALUE_TAGS)
    last_row: int | None = 0
    if last >= 0:
        window = max(0, last - 500_000)
        found = list(_ROW_NUMBER.finditer(xml, window, last))
        if not found and window:
            found = list(_ROW_NUMBER.finditer(xml, 0, last))
        last_row = int(found[-1].group(1)) if found else None  # None: read to the end
    merges = [m.decode() for m in _MERGE.findall(xml)]
    has_formula = any(tag in xml for tag in (b"<f>", b"<f ", b":f>", b":f "))
    return last_row, merges, has_formula


def _cell_ref(ref: str) -> tuple[int, int]:
    """'C12' -> (row 12, column 3)."""
    match = re.match(r"([A-Z]+)(\d+)", ref)
    assert match
    column = 0
    for ch in match.group(1):
        column = column * 26 + ord(ch) - 64
    return int(match.group(2)), column


def read_xlsx(path: Path, display: str, sheet: str | None = None,
              header_row: int | None = None) -> Table:
    """XLSX -> Table from the named sheet or the first visible one."""
    import openpyxl  # local: only the readers need it

    def fail(value: str, expected: str, row: int | None = None) -> Table:
        problem = InputProblem("error", display, row, "", value, expected)
        return Table(display, (), (), problems=(problem,))

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is an input problem
        return fail(str(exc), "expected a workbook Excel can open")
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                return fail(sheet, "expected a sheet named in the scenario; sheets found: "
                            + ", ".join(workbook.sheetnames))
            worksheet = workbook[sheet]
        else:
            visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
            if not visible:
                return fail("", "expected at least one visible sheet")
            worksheet = visible[0]
        member = worksheet._worksheet_path.lstrip("/")
        with zipfile.ZipFile(path) as archive:
            last_row, merges, has_formula = _sheet_scan(archive, member)
        name = worksheet.title
        shown = f"{display} [{name}]"
        if last_row == 0:
            return fail(name, "expected a header row and data in the sheet")
        raw = list(worksheet.iter_rows(max_row=last_row, values_only=True))
    finally:
        workbook.close()
    problems: list[InputProblem] = []
    if has_formula:
        problems += _formulas_without_values(path, name, shown, last_row, raw)
    first = _first_nonblank(raw)
    start = header_row or (first + 1)
    header_cells = list(raw[start - 1]) if len(raw) >= start else []
    header_rows = 1
    if header_row is None and merges:
        header_rows, header_cells, merge_problems = _merged_header(
            raw, merges, start, shown, display)
        problems += merge_problems
    while header_cells and _blank(header_cells[-1]):
        header_cells.pop()
    headers = tuple(clean_header(h) for h in header_cells)
    first_data = start + header_rows
    records = [(n, tuple(values)) for n, values in enumerate(raw[first_data - 1:], first_data)]
    rows, row_problems = _data_rows(shown, headers, records)
    problems += row_problems
    log.info("%s: %d rows read from sheet %s (data ends at row %s)",
             display, len(rows), name, last_row)
    return Table(shown, headers, rows, "", name, tuple(problems))


def _first_nonblank(raw: list[tuple[Any, ...]]) -> int:
    for index, values in enumerate(raw):
        if not all(_blank(v) for v in values):
            return index
    return 0


def _merged_header(
    raw: list[tuple[Any, ...]], merges: list[str], start: int, shown: str, display: str
) -> tuple[int, list[Any], list[InputProblem]]:
    """Header rows and labels when merged cells touch the header.

    Understood: a two-level header whose top row groups columns (e.g. 'Owners' over
    'CSM', 'PM') and whose other labels are merged down; the label of a column is its
    lowest non-blank header cell. Anything else is an error naming the merged range.
    """
    in_header = []
    for ref in merges:
        top, bottom = ref.split(":")
        (r1, c1), (r2, c2) = _cell_ref(top), _cell_ref(bottom)
        if r1 <= start <= r2 or r1 == start:
            in_header.append((ref, r1, c1, r2, c2))
    if not in_header:
        return 1, list(raw[start - 1]), []
    depth = max(r2 for _, _, _, r2, _ in in_header) - start + 1
    horizontal = [item for item in in_header if item[2] != item[4]]
    if depth == 1:
        if not horizontal:
            return 1, list(raw[start - 1]), []
        depth = 2  # a group row over a label row
    if len(raw) < start + depth - 1:
        depth = 1
    width = max(len(raw[start - 1 + i]) for i in range(depth))
    labels: list[Any] = []
    for column in range(width):
        label = None
        for level in range(depth):
            row = raw[start - 1 + level]
            value = row[column] if column < len(row) else None
            if not _blank(value):
                label = value
        labels.append(label)
    covered = {c for _, _, c1, _, c2 in in_header for c in range(c1, c2 + 1)}
    grouped = {c for _, _, c1, _, c2 in horizontal for c in range(c1, c2 + 1)}
    missing = [i + 1 for i, label in enumerate(labels) if _blank(label) and i + 1 in covered]
    second = raw[start] if len(raw) > start else ()
    stacked = [  # a column with labels on two header rows but no group over it: data?
        column + 1 for column in range(width) if column + 1 not in grouped and sum(
            1 for level in range(depth)
            if column < len(raw[start - 1 + level])
            and not _blank(raw[start - 1 + level][column])) > 1
    ]
    if missing or stacked or all(_blank(v) for v in second):
        ref = horizontal[0][0] if horizontal else in_header[0][0]
        problem = InputProblem(
            "error", shown, start, "", ref,
            f"expected one header row: merged header cells {ref} cannot be read as column "
            "names; unmerge them, or set [inputs] accounts_header_row / people_header_row to "
            "the row holding the column names",
        )
        return 1, list(raw[start - 1]), [problem]
    log.info("%s: header read from rows %d-%d (merged cells)", display, start, start + depth - 1)
    return depth, labels, []


def _formulas_without_values(path: Path, name: str, shown: str, last_row: int | None,
                             values: list[tuple[Any, ...]]) -> list[InputProblem]:
    """Formula cells whose saved value is missing (the file was never recalculated)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    problems = []
    try:
        for index, row in enumerate(workbook[name].iter_rows(max_row=last_row)):
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                column = cell.column - 1
                cached = values[index][column] if column < len(values[index]) else None
                if cached is None:
                    problems.append(InputProblem(
                        "error", shown, cell.row, cell.coordinate, str(cell.value),
                        f"expected a value in sheet '{name}' cell {cell.coordinate}: the formula "
                        "has no saved result; open and save the file in Excel, or paste values",
                    ))
    finally:
        workbook.close()
    return problems
