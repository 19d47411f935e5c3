"""The transition-plan workbook: Summary, a live Gantt, the Handoffs table and the rest.

``write_workbook(report, path)`` renders a finished ``PlanReport``; it contains no planning
logic. Sheets, in order: ``SHEETS``. The Handoffs headers are a contract other tools read
(``planner.io.previous``).

Safety rules kept here, once:

- every value from the inputs that is text is written as a string cell (data type "s"),
  even when it starts with ``=`` or looks like an error code; the only formulas are the
  product's own (the Gantt's group summaries and conditional-format rules);
- dates are written as dates with a date number format, after all styling;
- the file is written atomically (``planner.io.atomic``).
"""

from __future__ import annotations

import io
import logging
import math
import time as _time
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import Series
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import Outline, PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.atomic import atomic_open
from planner.io.names import table_name
from planner.report import HANDOFF_COLUMNS, HANDOFF_EXTRAS, PlanReport

log = logging.getLogger(__name__)

SHEETS: tuple[str, ...] = (
    "Summary", "Gantt", "Handoffs", "Accounts", "Load", "Weekly", "Segments",
    "Exceptions", "Input notes",
)

#: Number formats (also usable as key figure formats: ``{"ARR kept": (1.2e6, MONEY)}``).
DATE = "yyyy-mm-dd"
WEEK = "d mmm"
INTEGER = "#,##0"
NUMBER = "#,##0.0"
MONEY = "#,##0"
PERCENT = "0%"

CENTERED_COLUMNS = frozenset({"Wave", "Levels", "Row"})
PERCENT_COLUMNS = frozenset({"Utilization after", "Utilization before", "Gap"})
MONEY_COLUMNS = frozenset({"ARR", "ARR before", "ARR after"})
FONT = "Calibri"  # the workbook default; named styles must name it too
MAX_WIDTH = 40
MIN_WIDTH = 6
LINE_HEIGHT = 15.0  # points per line of 11-point text
WIDE_TABLE = 10  # tables with this many columns let their headers wrap (see _fit_columns)
WIDTH_SAMPLE = 3000  # rows looked at when sizing a column
EXCEL_MAX_TEXT = 32767

# Colours (RGB); LibreOffice draws theme-coloured chart series as empty, so all explicit.
HEADER_FILL = "1F4E78"
BAR = "4472C4"
SUMMARY_BAR = "8FAADC"
RENEWAL = "C00000"
BLACKOUT = "D9D9D9"
SEGMENT_FILL = "D9E1F2"
WAVE_FILL = "EEF2F9"
BEFORE = "A5A5A5"
AFTER = "2F5597"
PALETTE = (
    "2F5597", "ED7D31", "70AD47", "FFC000", "5B9BD5", "C00000", "7030A0", "00B0F0",
    "A5A5A5", "9E480E", "375623", "BF9000", "264478", "843C0C", "636363", "FF66CC",
)


# --- entry points -------------------------------------------------------------------------


def write_workbook(report: PlanReport, path: str | Path) -> Path:
    """Write the plan workbook for ``report`` to ``path`` atomically; return the path."""
    started = _time.perf_counter()
    workbook = build_workbook(report)
    path = Path(path)
    # Zipped in memory, then written in one go: openpyxl's own save leaves its ZipFile open
    # when the disk fills, and the ZipFile then fails again, with a second traceback, when
    # Python collects it. The zipped workbook is small beside the workbook objects.
    buffer = io.BytesIO()
    workbook.save(buffer)
    with atomic_open(path, "wb") as handle:
        handle.write(buffer.getbuffer())
    log.info("wrote %s (%d handoffs) in %.1f s", path, len(report.handoffs),
             _time.perf_counter() - started)
    return path


def build_workbook(report: PlanReport) -> Workbook:
    """The workbook for ``report``, not yet saved (tests and notebooks may inspect it)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_named_styles(workbook)
    tables: set[str] = set()
    writers = (
        _write_summary, _write_gantt, _write_handoffs, _write_accounts, _write_load,
        _write_weekly, _write_segments, _write_exceptions, _write_input_notes,
    )
    for name, writer in zip(SHEETS, writers, strict=True):
        sheet = workbook.create_sheet(name)
        writer(sheet, report, tables)
        _print_setup(sheet)
    workbook.active = 0
    for sheet in workbook.worksheets:  # one selected tab, or Excel opens in group-edit mode
        sheet.sheet_view.tabSelected = sheet.title == SHEETS[0]
    return workbook


# --- styles and cells ------------------------------------------------------------------------


def _font(size: float = 11, **kwargs: Any) -> Font:
    """A font that names its face and size (LibreOffice picks a serif for unnamed ones)."""
    return Font(name=FONT, size=size, **kwargs)


def _add_named_styles(workbook: Workbook) -> None:
    """Register the named styles every sheet uses (once per workbook)."""
    thin = Side(style="thin", color="BFBFBF")
    header = NamedStyle(
        "pl_header",
        font=_font(bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor=HEADER_FILL),
        alignment=Alignment(vertical="center", wrap_text=True),
        border=Border(bottom=thin),
    )
    week = NamedStyle(
        "pl_week",
        font=_font(bold=True, color="FFFFFF", size=9),
        fill=PatternFill("solid", fgColor=HEADER_FILL),
        alignment=Alignment(horizontal="center", vertical="bottom", text_rotation=90),
        number_format=WEEK,
    )
    styles = [
        header,
        week,
        NamedStyle("pl_title", font=_font(bold=True, size=14, color=HEADER_FILL)),
        NamedStyle("pl_subtitle", font=_font(italic=True, color="595959")),
        NamedStyle("pl_section", font=_font(bold=True, size=12, color=HEADER_FILL),
                   border=Border(bottom=Side(style="medium", color=HEADER_FILL))),
        NamedStyle("pl_label", font=_font(bold=True)),
        NamedStyle("pl_date", number_format=DATE, alignment=Alignment(horizontal="left")),
        NamedStyle("pl_int", number_format=INTEGER),
        NamedStyle("pl_num", number_format=NUMBER),
        NamedStyle("pl_money", number_format=MONEY),
        NamedStyle("pl_pct", number_format=PERCENT),
        NamedStyle("pl_center", alignment=Alignment(horizontal="center")),
        NamedStyle("pl_wrap", alignment=Alignment(wrap_text=True, vertical="top")),
        NamedStyle("pl_segment", font=_font(bold=True),
                   fill=PatternFill("solid", fgColor=SEGMENT_FILL)),
        NamedStyle("pl_wave", font=_font(bold=True, italic=True),
                   fill=PatternFill("solid", fgColor=WAVE_FILL),
                   alignment=Alignment(indent=1)),
        NamedStyle("pl_segment_date", font=_font(bold=True), number_format=DATE,
                   fill=PatternFill("solid", fgColor=SEGMENT_FILL),
                   alignment=Alignment(horizontal="left")),
        NamedStyle("pl_wave_date", font=_font(bold=True, italic=True),
                   number_format=DATE,
                   fill=PatternFill("solid", fgColor=WAVE_FILL),
                   alignment=Alignment(horizontal="left")),
    ]
    for style in styles:
        if style.font.name is None:  # unnamed fonts fall back to a serif in LibreOffice
            style.font = _font(size=11)
        workbook.add_named_style(style)


def _plain(value: Any) -> Any:
    """A value openpyxl can store: dates as dates, numbers as numbers, the rest as text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return _clean_text(value) if value else None
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    """Text an .xlsx can hold: XML-illegal control characters become U+FFFD (logged)."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        log.warning("control characters replaced in %r", text[:40])
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > EXCEL_MAX_TEXT:
        log.warning("text of %d characters cut to the %d a cell holds", len(text), EXCEL_MAX_TEXT)
        text = text[:EXCEL_MAX_TEXT]
    return text


def _put(sheet: Worksheet, row: int, column: int, value: Any, style: str | None = None) -> Cell:
    """Write one value; text always stays text (never a formula or an error code)."""
    value = _plain(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if style is not None:
        cell.style = style
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def _formula(sheet: Worksheet, row: int, column: int, formula: str, style: str) -> Cell:
    """One of the product's own formulas (never built from input text)."""
    cell = sheet.cell(row=row, column=column, value=formula)
    cell.data_type = "f"
    cell.style = style
    return cell


def _style_for(column: str, value: Any) -> str | None:
    """The named style for a value in a column of a data table."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return "pl_date"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if column in CENTERED_COLUMNS:
            return "pl_center"
        if column in PERCENT_COLUMNS:
            return "pl_pct"
        if column in MONEY_COLUMNS:
            return "pl_money"
        return "pl_int" if isinstance(value, int) else "pl_num"
    if isinstance(value, str) and len(value) > MAX_WIDTH - 2:
        return "pl_wrap"
    return None


def _display_width(value: Any) -> int:
    value = _plain(value)
    if value is None:
        return 0
    if isinstance(value, date):
        return 11
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _fit_columns(sheet: Worksheet, columns: Sequence[str], frame: pd.DataFrame | None,
                 left: int = 1, minimum: int = MIN_WIDTH, filters: bool = True,
                 wrap_headers: bool = False) -> None:
    """Column widths from the header and a sample of the content, capped at MAX_WIDTH.

    ``wrap_headers``: the header may wrap at its spaces, so only its longest word sets a
    minimum (wide tables such as Accounts then print at a readable size)."""
    for offset, name in enumerate(columns):
        header = max(str(name).split(), key=len, default="") if wrap_headers else str(name)
        widest = len(header) + (3 if filters else 1)
        if frame is not None and name in frame.columns and len(frame):
            sample = frame[name].iloc[:WIDTH_SAMPLE]
            widest = max(widest, max((_display_width(v) for v in sample), default=0) + 2)
        letter = get_column_letter(left + offset)
        sheet.column_dimensions[letter].width = float(min(MAX_WIDTH, max(minimum, widest)))


def _write_frame(sheet: Worksheet, frame: pd.DataFrame, tables: set[str], label: str,
                 columns: Sequence[str] | None = None, top: int = 1,
                 empty_text: str = "") -> int:
    """Write ``frame`` as an Excel table with filters at row ``top``; return the last row.

    An empty frame keeps its header and gets one row (``empty_text`` or blank), so the table
    stays valid and a reader still finds the headers."""
    columns = list(frame.columns if columns is None else columns)
    wide = len(columns) >= WIDE_TABLE
    _fit_columns(sheet, columns, frame, wrap_headers=wide)
    widths = [sheet.column_dimensions[get_column_letter(c)].width
              for c in range(1, len(columns) + 1)]
    header_lines = 1
    for col, name in enumerate(_unique_headers(columns), start=1):
        _put(sheet, top, col, name, "pl_header")
        header_lines = max(header_lines, _wrapped_words(name, widths[col - 1] - 3))
    if header_lines > 1:  # LibreOffice does not grow rows for wrapped text on its own
        sheet.row_dimensions[top].height = LINE_HEIGHT * header_lines
    row = top
    for row, values in enumerate(frame[columns].itertuples(index=False, name=None), start=top + 1):
        lines = 1
        for col, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
            plain = _plain(value)
            style = _style_for(name, plain)
            _put(sheet, row, col, plain, style)
            if style == "pl_wrap":
                lines = max(lines, _wrapped_lines(plain, widths[col - 1]))
        if lines > 1:  # LibreOffice does not grow rows for wrapped text on its own
            sheet.row_dimensions[row].height = LINE_HEIGHT * lines
            for col in range(1, len(columns) + 1):  # sheet[row] rescans the whole sheet
                cell = sheet.cell(row=row, column=col)
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal,
                                           vertical="top", wrap_text=cell.alignment.wrap_text)
    if not len(frame):
        row = top + 1
        if empty_text:
            _put(sheet, row, 1, empty_text, "pl_subtitle")
    ref = f"A{top}:{get_column_letter(len(columns))}{row}"
    table = Table(displayName=table_name(label, tables), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    return row


def _unique_headers(columns: Sequence[Any]) -> list[str]:
    """Header texts unique ignoring case (Excel repairs tables whose columns clash)."""
    seen: set[str] = set()
    headers = []
    for column in columns:
        name = str(column).strip() or "Column"
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.casefold())
        headers.append(candidate)
    return headers


def _wrapped_words(text: str, width: float) -> int:
    """Lines a header takes when it wraps at its spaces in ``width`` characters."""
    lines, line = 1, 0
    for word in text.split():
        if line and line + 1 + len(word) > width:
            lines, line = lines + 1, len(word)
        else:
            line += (1 if line else 0) + len(word)
    return lines


def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapping column ``width`` characters wide (estimated)."""
    per_line = max(1, int(width * 1.1))  # average text is narrower than the "0" of a width unit
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.splitlines() or [""])


def _print_setup(sheet: Worksheet, landscape: bool = True) -> None:
    """Landscape, fit to one page wide (unless the writer set a scale of its own), header
    rows repeated (set where a sheet has them)."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    if sheet.page_setup.scale is None:
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.oddFooter.center.text = "&A  page &P of &N"
    if sheet.freeze_panes and sheet.title != "Summary":
        header_row = int("".join(ch for ch in sheet.freeze_panes if ch.isdigit())) - 1
        if header_row >= 1:
            sheet.print_title_rows = f"1:{header_row}"


def _solid(series: Series, rgb: str) -> None:
    """An explicit solid fill and outline on a chart series (LibreOffice needs it)."""
    series.graphicalProperties.solidFill = rgb
    series.graphicalProperties.line.solidFill = rgb


def _bar_chart(title: str, y_title: str, x_title: str = "") -> BarChart:
    chart = BarChart()
    chart.title = title
    chart.y_axis.title = y_title
    if x_title:
        chart.x_axis.title = x_title
    chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


# --- Summary --------------------------------------------------------------------------------


#: Summary column widths: labels, values, then the optimizer-stage columns C..H. They add
#: up to what a landscape page holds at 100% (about 145 character widths with the margins),
#: so fit-to-width does not shrink the sheet; long values run over the empty cells to the
#: right, within the page.
SUMMARY_WIDTHS = {"A": 56.0, "B": 26.0, **{letter: 10.5 for letter in "CDEFGH"}}


def _write_summary(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """Scenario, run, key figures, optimizer stages, how to review, versions, fingerprints."""
    meta = report.meta
    _put(sheet, 1, 1, "Transition plan", "pl_title")
    _put(sheet, 1, 2, meta.scenario, "pl_title")
    row = 2
    for n, clause in enumerate(_status_clauses(meta.status)):  # one line each, never wider
        _put(sheet, row, 1, "Status" if n == 0 else None, "pl_label")
        _put(sheet, row, 2, clause)
        row += 1
    blackouts = ", ".join(meta.week_mondays[i].isoformat() for i in meta.blackout_weeks)
    facts: list[tuple[str, Any, str | None]] = [
        ("Scenario", meta.scenario, None),
        ("Plan start (Monday)", meta.start, "pl_date"),
        ("Plan end (Sunday)", meta.end, "pl_date"),
        ("Weeks", meta.weeks, "pl_int"),
        ("Blackout weeks (no handoffs)", blackouts or "none", None),
        ("Run time: read, plan and check (seconds)", round(meta.run_seconds, 1), "pl_num"),
    ]
    if meta.previous:
        facts.append(("Previous plan", meta.previous, None))
    row = _label_values(sheet, row + 1, "Plan", facts)
    figures = [(label, *_figure(label, value)) for label, value in meta.key_figures.items()]
    row = _label_values(sheet, row + 1, "Key figures", figures)
    row = _stage_table(sheet, row + 1, report.stages)
    row = _label_values(sheet, row + 1, "How to review this plan", [
        ("Gantt", "one row per handoff, grouped by segment and wave", None),
        ("", "blue bars: overlap weeks (both owners engaged)", None),
        ("", "red: renewal week; grey columns: blackout weeks", None),
        ("", "the +/- buttons at the left fold the groups", None),
        ("", "last group: handoffs not scheduled (no week fits the rules)", None),
        ("Handoffs", "Locked = Y keeps a row's new owner and start date", None),
        ("", "edit To or Start first to change them, then lock the row", None),
        ("", "a row without Start: give it one, lock it, plan again", None),
        ("Re-plan", "planner plan SCENARIO --previous THIS_FILE.xlsx", None),
        ("Keeping every owner", "an account with a segment and no owner change or gap", None),
        ("Moved clear of a renewal freeze", "handoffs for which the freeze ruled out weeks", None),
        ("", "that their other rules allowed; all kept out of the freeze", None),
    ])
    row = _label_values(sheet, row + 1, "Versions", [
        (name, version, None) for name, version in meta.versions.items()
    ])
    _label_values(sheet, row + 1, "Input files (sha256)", [
        (name, digest, None) for name, digest in meta.fingerprints.items()
    ])
    for letter, width in SUMMARY_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    for cells in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cells[0].value, str) and len(cells[0].value) > SUMMARY_WIDTHS["A"] - 2:
            cells[0].alignment = Alignment(wrap_text=True, vertical="top")
            sheet.row_dimensions[cells[0].row].height = LINE_HEIGHT * 2


def _status_clauses(status: str) -> list[str]:
    """The status line cut at its "; " clauses (a long line would shrink the printout)."""
    return [part.strip() for part in status.split(";") if part.strip()] or ["(not given)"]


def _figure(label: str, value: Any) -> tuple[Any, str | None]:
    """A key figure value and its style; ``(value, number_format)`` pairs are honoured,
    other money figures (label mentions ARR) get whole units."""
    if isinstance(value, tuple) and len(value) == 2:
        number, fmt = value
        return number, {INTEGER: "pl_int", NUMBER: "pl_num", MONEY: "pl_money",
                        PERCENT: "pl_pct", DATE: "pl_date"}.get(fmt, "pl_num")
    plain = _plain(value)
    return plain, _style_for("ARR" if "ARR" in str(label) else "", plain)


def _label_values(sheet: Worksheet, row: int, section: str,
                  items: Iterable[tuple[str, Any, str | None]]) -> int:
    """A section title and label/value rows; returns the next free row."""
    _put(sheet, row, 1, section, "pl_section")
    _put(sheet, row, 2, None, "pl_section")
    row += 1
    empty = True
    for label, value, style in items:
        _put(sheet, row, 1, label, "pl_label")
        cell = _put(sheet, row, 2, value, style)
        if style in ("pl_date", "pl_int", "pl_num", "pl_money", "pl_pct"):
            cell.alignment = Alignment(horizontal="right")
        row += 1
        empty = False
    if empty:
        _put(sheet, row, 1, "none", "pl_subtitle")
        row += 1
    return row


def _stage_table(sheet: Worksheet, row: int, stages: pd.DataFrame) -> int:
    """Status, objective, bound and gap per optimizer stage; returns the next free row."""
    _put(sheet, row, 1, "Optimizer stages", "pl_section")
    _put(sheet, row, 2, None, "pl_section")
    row += 1
    columns = list(stages.columns)
    for col, name in enumerate(columns, start=1):
        _put(sheet, row, col, name, "pl_header")
    for values in stages.itertuples(index=False, name=None):
        row += 1
        for col, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
            plain = _plain(value)
            cell = _put(sheet, row, col, plain, _style_for(name, plain))
            if name == "Gap" and isinstance(plain, float):
                cell.number_format = "0.0%"
    if not len(stages):
        row += 1
        _put(sheet, row, 1, "no optimizer stages recorded", "pl_subtitle")
    return row + 2


# --- Gantt ----------------------------------------------------------------------------------

GANTT_COLUMNS: tuple[str, ...] = ("Account", "Role", "From", "To", "Start", "End", "Renewal")
GANTT_TITLE_ROWS = 3  # title, legend/months, header
GANTT_FIRST_WEEK = len(GANTT_COLUMNS) + 1


def _gantt_order(report: PlanReport) -> pd.DataFrame:
    """Handoffs sorted by segment (segment-table order), wave, start, account, role."""
    handoffs = report.handoffs.copy()
    if "Renewal" not in handoffs.columns:
        handoffs["Renewal"] = None
    order = {name: i for i, name in enumerate(report.segments["Segment"].tolist())}
    segment = handoffs["Segment"].map(lambda s: "" if _plain(s) is None else str(s))
    handoffs["_segment"] = segment
    handoffs["_segment_rank"] = segment.map(lambda s: order.get(s, len(order)))
    handoffs["_wave"] = pd.to_numeric(handoffs["Wave"], errors="coerce").fillna(0).astype(int)
    handoffs["_start"] = pd.to_datetime(handoffs["Start"], errors="coerce")
    return handoffs.sort_values(
        ["_segment_rank", "_segment", "_wave", "_start", "Account", "Role"],
        kind="stable", na_position="last", key=_sort_key,
    )


def _sort_key(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        return series.map(lambda v: "" if _plain(v) is None else str(v).casefold())
    return series


def _write_gantt(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """One row per handoff grouped by segment then wave, then the handoffs the schedule
    could not place in a "Not scheduled" group (no Start, so no bar); bars by conditional
    formatting."""
    meta = report.meta
    header = GANTT_TITLE_ROWS
    _gantt_header(sheet, report)
    ordered = _gantt_order(report)
    placed = ordered[ordered["_start"].notna()]
    row = header
    for segment, seg_rows in _groups(placed, "_segment"):
        row += 1
        segment_row = row
        row = _gantt_rows_of_segment(sheet, seg_rows, row)
        _gantt_group_row(sheet, segment_row, segment or "(no segment)", len(seg_rows),
                         segment_row + 1, row, "pl_segment", 0)
    row = _gantt_not_scheduled(sheet, ordered[ordered["_start"].isna()], row)
    last = max(row, header + 1)
    _gantt_rules(sheet, header, last, meta.weeks, meta.blackout_weeks)
    sheet.sheet_properties.outlinePr = Outline(summaryBelow=False, summaryRight=False)
    sheet.sheet_format.outlineLevelRow = 2  # Excel shows the 1-2-3 outline buttons
    sheet.freeze_panes = sheet.cell(row=header + 1, column=GANTT_FIRST_WEEK)
    sheet.print_options.gridLines = True
    if len(report.handoffs) == 0:
        text = "No handoffs scheduled."
        if len(report.exceptions):
            text += f" See Exceptions: {len(report.exceptions)} item(s) could not be planned."
        _put(sheet, header + 1, 1, text, "pl_subtitle")


NOT_SCHEDULED_GROUP = "Not scheduled"


def _gantt_not_scheduled(sheet: Worksheet, rows: pd.DataFrame, row: int) -> int:
    """The group of handoffs without a week: their rows, no dates and so no bar."""
    if not len(rows):
        return row
    row += 1
    group_row = row
    for values in rows[list(GANTT_COLUMNS)].itertuples(index=False, name=None):
        row += 1
        _gantt_handoff_row(sheet, row, values, 1)
    count = len(rows)
    _gantt_group_row(sheet, group_row, NOT_SCHEDULED_GROUP, count, group_row + 1, row,
                     "pl_segment", 0, dates=False)
    _put(sheet, group_row, 3, f"{count} handoff{'s' if count != 1 else ''}: no week found "
                              "(Reason on the Handoffs sheet)", "pl_segment")
    return row


def _groups(frame: pd.DataFrame, key: str) -> Iterable[tuple[Any, pd.DataFrame]]:
    """Consecutive groups of a sorted frame, in order."""
    if not len(frame):
        return []
    return frame.groupby(key, sort=False)


def _gantt_rows_of_segment(sheet: Worksheet, rows: pd.DataFrame, row: int) -> int:
    """Wave group rows and their handoff rows below a segment row; returns the last row."""
    for wave, wave_rows in _groups(rows, "_wave"):
        row += 1
        wave_row = row
        for values in wave_rows[list(GANTT_COLUMNS)].itertuples(index=False, name=None):
            row += 1
            _gantt_handoff_row(sheet, row, values, 2)
        label = f"Wave {wave}" if wave else "No wave"
        _gantt_group_row(sheet, wave_row, label, len(wave_rows), wave_row + 1, row,
                         "pl_wave", 1)
    return row


#: What the Gantt shows in an empty From / To cell (the Handoffs sheet keeps them blank).
NO_FROM, NO_TO = "(new coverage)", "(role released)"


def _gantt_handoff_row(sheet: Worksheet, row: int, values: Sequence[Any], level: int) -> None:
    """One handoff row: account, role, from, to, start, end, renewal."""
    for col, value in enumerate(values, start=1):
        plain = _plain(value)
        if plain is None and GANTT_COLUMNS[col - 1] in ("From", "To"):
            _put(sheet, row, col, NO_FROM if col == 3 else NO_TO, "pl_subtitle")
            continue
        _put(sheet, row, col, plain, "pl_date" if col >= 5 and plain else None)
    sheet.row_dimensions[row].outlineLevel = level


def _gantt_group_row(sheet: Worksheet, row: int, label: str, count: int, first: int,
                     last: int, style: str, level: int, dates: bool = True) -> None:
    """A group title row whose Start/End are MIN/MAX formulas over its rows (a summary bar;
    none when ``dates`` is False: MIN of blank cells would show 1900-01-00)."""
    _put(sheet, row, 1, label, style)
    _put(sheet, row, 2, None, style)
    _put(sheet, row, 3, f"{count} handoff{'s' if count != 1 else ''}", style)
    _put(sheet, row, 4, None, style)
    date_style = f"{style}_date"
    if dates:
        _formula(sheet, row, 5, f"=MIN(E{first}:E{last})", date_style)
        _formula(sheet, row, 6, f"=MAX(F{first}:F{last})", date_style)
    else:
        _put(sheet, row, 5, None, style)
        _put(sheet, row, 6, None, style)
    _put(sheet, row, 7, None, style)
    if level:
        sheet.row_dimensions[row].outlineLevel = level


def _gantt_header(sheet: Worksheet, report: PlanReport) -> None:
    """Title, legend, month labels and the header row with one real date per week."""
    meta = report.meta
    header = GANTT_TITLE_ROWS
    _put(sheet, 1, 1, f"Handoff schedule: {meta.scenario}", "pl_title")
    sheet.row_dimensions[1].height = 21
    _put(sheet, 2, 1, "Blue: overlap weeks. Red: renewal week. Grey: blackout week. "
                      "Edit Start or End and the bar moves.", "pl_subtitle")
    for col, name in enumerate(GANTT_COLUMNS, start=1):
        _put(sheet, header, col, name, "pl_header")
    widths = {"Account": 30, "Role": 8, "From": 20, "To": 20}
    for col, name in enumerate(GANTT_COLUMNS, start=1):
        letter = get_column_letter(col)
        if name in widths and name in report.handoffs.columns and len(report.handoffs):
            _fit_columns(sheet, [name], report.handoffs, left=col, filters=False)
            current = sheet.column_dimensions[letter].width
            sheet.column_dimensions[letter].width = min(current, widths[name] + 6)
        else:
            sheet.column_dimensions[letter].width = 11.5
    previous_month = None
    for index, monday in enumerate(meta.week_mondays):
        col = GANTT_FIRST_WEEK + index
        cell = _put(sheet, header, col, monday, "pl_week")
        if index in meta.blackout_weeks:
            cell.fill = PatternFill("solid", fgColor="7F7F7F")
        sheet.column_dimensions[get_column_letter(col)].width = 3.3
        month = (monday.year, monday.month)
        if month != previous_month:
            _put(sheet, 2, col, monday.strftime("%b %Y"), "pl_label")
            previous_month = month
    sheet.row_dimensions[header].height = 44


def _gantt_rules(sheet: Worksheet, header: int, last: int, weeks: int,
                 blackouts: Sequence[int]) -> None:
    """Conditional formats: renewal week, group summary bars, handoff bars, blackout weeks.

    A week column (Monday M in the header) is part of a bar when M <= End and M + 6 >= Start,
    so the bar follows the row's Start and End cells wherever a manager edits them."""
    first = header + 1
    w0 = get_column_letter(GANTT_FIRST_WEEK)
    wn = get_column_letter(GANTT_FIRST_WEEK + weeks - 1)
    grid = f"{w0}{first}:{wn}{last}"
    monday = f"{w0}${header}"
    in_bar = (f"ISNUMBER($E{first}),ISNUMBER($F{first}),"
              f"{monday}<=$F{first},{monday}+6>=$E{first}")
    rules = [
        (f"AND(ISNUMBER($G{first}),{monday}<=$G{first},{monday}+6>=$G{first})", RENEWAL),
        (f"AND($B{first}=\"\",{in_bar})", SUMMARY_BAR),
        (f"AND({in_bar})", BAR),
    ]
    for formula, colour in rules:
        sheet.conditional_formatting.add(grid, FormulaRule(
            formula=[formula], fill=PatternFill("solid", fgColor=colour, bgColor=colour),
            stopIfTrue=True,
        ))
    for index in blackouts:
        letter = get_column_letter(GANTT_FIRST_WEEK + index)
        sheet.conditional_formatting.add(f"{letter}{first}:{letter}{last}", FormulaRule(
            formula=["TRUE"], fill=PatternFill("solid", fgColor=BLACKOUT, bgColor=BLACKOUT),
        ))


# --- Handoffs -------------------------------------------------------------------------------


def _write_handoffs(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """The flat, filterable handoff table; headers exactly HANDOFF_COLUMNS, then extras."""
    handoffs = report.handoffs.copy()
    handoffs["Locked"] = handoffs["Locked"].map(_locked_text)
    extras = [c for c in HANDOFF_EXTRAS if c in handoffs.columns]
    others = [c for c in handoffs.columns if c not in HANDOFF_COLUMNS and c not in extras]
    columns = [*HANDOFF_COLUMNS, *extras, *others]
    last = _write_frame(sheet, handoffs, tables, "Handoffs", columns)
    locked = get_column_letter(HANDOFF_COLUMNS.index("Locked") + 1)
    validation = DataValidation(
        type="list", formula1='"Y"', allow_blank=True, showErrorMessage=True,
        errorTitle="Locked", error="Type Y to lock this handoff, or leave the cell empty.",
        promptTitle="Locked", prompt="Y keeps this row's new owner and start date in the "
                                     "next run.", showInputMessage=True,
    )
    validation.add(f"{locked}2:{locked}{max(last, 2)}")
    sheet.add_data_validation(validation)
    sheet.column_dimensions[locked].width = 9
    sheet.print_area = f"A1:{locked}{max(last, 2)}"  # the contract columns; extras on screen


def _locked_text(value: Any) -> str:
    plain = _plain(value)
    if plain in ("Yes", "Y", "y", 1):
        return "Y"
    return ""


# --- Accounts, Segments, Exceptions, Input notes ------------------------------------------


def _write_accounts(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """Every account: segments and owners before/after per role, then the Yes/No columns
    (changed, unassigned, not scheduled, keeps every owner) together at the right."""
    accounts = report.accounts
    flags = [c for c in ("Changed", "Unassigned", "Not scheduled", "Keeps every owner")
             if c in accounts.columns]
    columns = [c for c in accounts.columns if c not in flags] + flags
    _write_frame(sheet, accounts, tables, "Accounts", columns)


def _write_segments(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """The segment table with accounts and ARR per segment before and after."""
    segments = report.segments.copy()
    open_ended = [_plain(lo) is not None and _plain(hi) is None
                  for lo, hi in zip(segments["Min employees"], segments["Max employees"],
                                    strict=True)]
    segments["Max employees"] = [
        "no maximum" if top else hi for top, hi in zip(open_ended, segments["Max employees"],
                                                        strict=True)]
    _write_frame(sheet, segments, tables, "Segments")
    column = list(segments.columns).index("Max employees") + 1
    for offset, top in enumerate(open_ended, start=2):
        if top:  # text among numbers: aligned with them
            sheet.cell(row=offset, column=column).alignment = Alignment(horizontal="right")


def _write_exceptions(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """What could not be planned, why, and the suggested fix."""
    _write_frame(sheet, report.exceptions, tables, "Exceptions",
                 empty_text="No exceptions: everything was planned.")


def _write_input_notes(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """Validation warnings with file, row and column."""
    _write_frame(sheet, report.notes, tables, "Input notes",
                 empty_text="No warnings in the inputs.")


# --- Load -----------------------------------------------------------------------------------

LOAD_CHART_MAX_PEOPLE = 40


def _write_load(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """Every person's load before/after/peak; beside it the team totals and under them a
    chart (one bar pair per person up to LOAD_CHART_MAX_PEOPLE, else per team).

    On screen the blocks sit side by side; on paper each is a print range of its own, so
    each page is scaled to its block (printed together they came out at a 4-point size),
    and the people table keeps its header row on every page."""
    load = report.load
    columns = _load_columns(load)
    last = _write_frame(sheet, load, tables, "Load", columns)
    if not len(load):
        return
    for name in ("Peak week", "Proposed team", "Leaving"):  # apart from their neighbours
        if name in columns:
            for row in range(2, last + 1):
                cell = sheet.cell(row=row, column=columns.index(name) + 1)
                cell.alignment = Alignment(horizontal="center")
    team_col = len(columns) + 2
    team_last = _team_load_table(sheet, load, team_col, tables)
    if len(load) <= LOAD_CHART_MAX_PEOPLE:
        chart = _load_chart(sheet, "Load per person: before and after (points)",
                            label_col=columns.index("Name") + 1,
                            before_col=columns.index("Load before") + 1, first=2, last=last)
        rows = last - 1
    else:
        chart = _load_chart(sheet, "Load per team: before and after (points)",
                            label_col=team_col, before_col=team_col + 3, first=2,
                            last=team_last)
        rows = team_last - 1
    chart.height = max(7.5, min(24.0, 3.0 + 0.75 * rows))
    chart.width = LOAD_CHART_WIDTH_CM
    sheet.add_chart(chart, f"{get_column_letter(team_col)}{team_last + 3}")
    chart_rows = math.ceil(chart.height / ROW_CM) + 1
    sheet.print_area = [
        f"A1:{get_column_letter(len(columns))}{last}",
        f"{get_column_letter(team_col)}1:{get_column_letter(team_col + len(TEAM_HEADERS) - 1)}"
        f"{team_last + 3 + chart_rows}",
    ]
    # Fit-to-width would scale the two ranges as one block as wide as both: a fixed scale
    # that fits the wider range keeps each on its page at a readable size.
    sheet.page_setup.scale = _scale_to_fit(sheet, [range(1, len(columns) + 1),
                                                   range(team_col, team_col + len(TEAM_HEADERS))])


LOAD_CHART_WIDTH_CM = 15.5  # about the width of the team table above it
ROW_CM = 0.53  # height of a 15-point row
PRINTABLE_PT = 700  # a landscape Letter page less its 0.4-inch margins (734), less 5% to spare
POINTS_PER_WIDTH = 6.8  # a width unit of 11-point Calibri as LibreOffice prints it (Excel:
#                         about 5.3); the larger keeps the scale safe in both


def _scale_to_fit(sheet: Worksheet, blocks: Sequence[range]) -> int:
    """The print scale (percent) at which the widest block of columns fits a page's width."""
    widest = max(sum(sheet.column_dimensions[get_column_letter(c)].width or 8.43
                     for c in block) for block in blocks)
    return max(10, min(100, int(100 * PRINTABLE_PT / (POINTS_PER_WIDTH * widest))))


def _load_columns(load: pd.DataFrame) -> list[str]:
    """The Load columns in reading order: the peak's week right after the peak."""
    columns = [c for c in load.columns if c != "Peak week"]
    if "Peak week" in load.columns:
        columns.insert(columns.index("Peak during transition") + 1, "Peak week")
    return columns


def _load_chart(sheet: Worksheet, title: str, label_col: int, before_col: int,
                first: int, last: int) -> BarChart:
    """Horizontal bars: load before (grey) and after (blue) for each row."""
    chart = _bar_chart(title, "points")
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.y_axis.majorGridlines = None
    data = Reference(sheet, min_col=before_col, max_col=before_col + 1,
                     min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=label_col, min_row=first, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # first person at the top, as in the table
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.numFmt.sourceLinked = False
    for series, colour in zip(chart.series, (BEFORE, AFTER), strict=False):
        _solid(series, colour)
    return chart


def _team_load_table(sheet: Worksheet, load: pd.DataFrame, col: int, tables: set[str],
                     top: int = 1) -> int:
    """Team totals (Team, People, Capacity, Load before/after, Utilization) with their
    header at row ``top``; returns the last row."""
    grouped = load.assign(_n=1).groupby("Team", sort=True, dropna=False).agg(
        People=("_n", "sum"), Capacity=("Capacity", "sum"),
        before=("Load before", "sum"), after=("Load after", "sum"),
    )
    headers = list(TEAM_HEADERS)
    for offset, name in enumerate(headers):
        _put(sheet, top, col + offset, name, "pl_header")
    row = top
    for team, values in grouped.iterrows():
        row += 1
        capacity = float(values["Capacity"] or 0)
        label = _plain(team) or "(no team: leaving or not placed)"
        cells = [label, int(values["People"]), capacity, float(values["before"]),
                 float(values["after"]), float(values["after"]) / capacity if capacity else None]
        for offset, (name, value) in enumerate(zip(headers, cells, strict=True)):
            plain = _plain(value)
            _put(sheet, row, col + offset, plain, _style_for(name, plain))
    ref = f"{get_column_letter(col)}{top}:{get_column_letter(col + len(headers) - 1)}{row}"
    table = Table(displayName=table_name("Load by team", tables), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    frame = grouped.reset_index().rename(columns={"before": "Load before", "after": "Load after"})
    _fit_columns(sheet, headers, frame, left=col, minimum=12)
    return row


TEAM_HEADERS = ("Team", "People", "Capacity", "Load before", "Load after", "Utilization after")


# --- Weekly ---------------------------------------------------------------------------------


def _write_weekly(sheet: Worksheet, report: PlanReport, tables: set[str]) -> None:
    """Handoffs per team and week: a heat-mapped grid, totals and a stacked column chart."""
    meta = report.meta
    grid = _weekly_grid(report)
    _put(sheet, 1, 1, "Handoffs starting per team and week", "pl_title")
    header = 2
    _put(sheet, header, 1, "Team", "pl_header")
    for index, monday in enumerate(meta.week_mondays):
        cell = _put(sheet, header, index + 2, monday, "pl_week")
        if index in meta.blackout_weeks:
            cell.fill = PatternFill("solid", fgColor="7F7F7F")
        sheet.column_dimensions[get_column_letter(index + 2)].width = 4.2
    total_col = meta.weeks + 2
    _put(sheet, header, total_col, "Total", "pl_header")
    sheet.row_dimensions[header].height = 44
    row = header
    for team, counts in grid.iterrows():
        row += 1
        _put(sheet, row, 1, team, "pl_label")
        for index, count in enumerate(counts.tolist()):
            _put(sheet, row, index + 2, int(count), "pl_int")
        _put(sheet, row, total_col, int(counts.sum()), "pl_label")
    _put(sheet, row + 1, 1, "All teams", "pl_label")
    for index in range(meta.weeks + 1):
        _put(sheet, row + 1, index + 2, int(grid.iloc[:, index].sum()) if index < meta.weeks
             else int(grid.to_numpy().sum()), "pl_label")
    _fit_columns(sheet, ["Team"], grid.reset_index(), filters=False, minimum=12)
    sheet.column_dimensions[get_column_letter(total_col)].width = 7
    sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
    if len(grid):
        last_week = get_column_letter(meta.weeks + 1)
        sheet.conditional_formatting.add(f"B{header + 1}:{last_week}{row}", ColorScaleRule(
            start_type="num", start_value=0, start_color="FFFFFF",
            mid_type="percentile", mid_value=50, mid_color="FFE699",
            end_type="max", end_color="F8696B",
        ))
        _weekly_chart(sheet, header, row, meta.weeks)


def _weekly_grid(report: PlanReport) -> pd.DataFrame:
    """team x week counts (weeks = the plan's Mondays, zeros filled), teams sorted."""
    weekly = report.weekly
    mondays = list(report.meta.week_mondays)
    if not len(weekly):
        return pd.DataFrame(columns=mondays, dtype=int)
    frame = weekly.assign(
        Week=weekly["Week"].map(_plain),
        Team=weekly["Team"].map(lambda t: "" if _plain(t) is None else str(_plain(t))),
        Handoffs=pd.to_numeric(weekly["Handoffs"], errors="coerce").fillna(0),
    )
    grid = frame.pivot_table(index="Team", columns="Week", values="Handoffs", aggfunc="sum")
    outside = [w for w in grid.columns if w not in set(mondays)]
    if outside:
        log.warning("weekly counts for %d week(s) outside the plan ignored", len(outside))
    return grid.reindex(columns=mondays).fillna(0).astype(int).sort_index(key=_sort_key)


def _weekly_chart(sheet: Worksheet, header: int, last: int, weeks: int) -> None:
    """Stacked columns: handoffs per week, one series (explicit colour) per team."""
    chart = _bar_chart("Handoffs per week by team", "handoffs")
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 40
    data = Reference(sheet, min_col=1, max_col=weeks + 1, min_row=header + 1, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, max_col=weeks + 1, min_row=header))
    chart.x_axis.number_format = WEEK
    chart.x_axis.numFmt.sourceLinked = False
    for index, series in enumerate(chart.series):
        _solid(series, PALETTE[index % len(PALETTE)])
    chart.width = max(18.0, min(40.0, 0.8 * weeks))
    chart.height = 9
    sheet.add_chart(chart, f"A{last + 3}")

