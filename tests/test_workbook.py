"""The plan workbook, reopened with openpyxl (and converted by LibreOffice)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet
from report_samples import AWKWARD_SEGMENTS, HOSTILE, MONDAYS, sample_report

from planner.io.workbook import SHEETS, write_workbook
from planner.report import HANDOFF_COLUMNS, HANDOFF_EXTRAS, PlanReport, empty_frame


@pytest.fixture(scope="module")
def report() -> PlanReport:
    return sample_report()


@pytest.fixture(scope="module")
def xlsx(report: PlanReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(report, tmp_path_factory.mktemp("wb") / "plan.xlsx")


@pytest.fixture(scope="module")
def book(xlsx: Path):
    return load_workbook(xlsx)


def _rows_by_account(sheet: Worksheet, column: int = 1, first: int = 1) -> dict[str, int]:
    return {
        sheet.cell(row=r, column=column).value: r
        for r in range(first, sheet.max_row + 1)
        if isinstance(sheet.cell(row=r, column=column).value, str)
    }


def test_sheet_names_and_order(book) -> None:
    assert book.sheetnames == list(SHEETS)
    assert SHEETS == ("Summary", "Gantt", "Handoffs", "Accounts", "Load", "Weekly",
                      "Segments", "Exceptions", "Input notes")


def test_handoffs_headers_rows_and_table(book, report: PlanReport) -> None:
    sheet = book["Handoffs"]
    headers = [c.value for c in sheet[1]]
    assert tuple(headers[:12]) == HANDOFF_COLUMNS
    assert tuple(headers[12:]) == HANDOFF_EXTRAS
    assert sheet.max_row == len(report.handoffs) + 1
    (table,) = sheet.tables.values()
    assert table.ref == f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}13"
    assert sheet.freeze_panes == "A2"
    validations = sheet.data_validations.dataValidation
    assert any(v.formula1 == '"Y"' and "L2:L13" in str(v.sqref) for v in validations)
    locked = [sheet.cell(row=r, column=12).value for r in range(2, 14)]
    assert set(locked) <= {None, "Y"} and locked.count("Y") == 1


def test_hostile_text_comes_back_exact_and_never_a_formula(book) -> None:
    sheet = book["Handoffs"]
    names = {sheet.cell(row=r, column=3).value: sheet.cell(row=r, column=3)
             for r in range(2, sheet.max_row + 1)}
    for text in HOSTILE:
        assert text in names, text
        assert names[text].data_type == "s"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert ws.title == "Gantt" and cell.column in (5, 6), (ws.title, cell)
                    assert re.fullmatch(r"=(MIN|MAX)\([EF]\d+:[EF]\d+\)", cell.value)


def test_only_product_formulas_in_the_file(xlsx: Path) -> None:
    with zipfile.ZipFile(xlsx) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                for formula in re.findall(r"<f>(.*?)</f>", xml):
                    assert re.fullmatch(r"(MIN|MAX)\([EF]\d+:[EF]\d+\)", formula), formula


def test_awkward_labels_appear_unchanged(book) -> None:
    gantt_labels = {c.value for c in book["Gantt"]["A"]}
    segment_cells = {c.value for c in book["Segments"]["A"]}
    for label in AWKWARD_SEGMENTS:
        assert label in gantt_labels
        assert label in segment_cells
    assert book["Summary"]["B1"].value == "Enterprise: EMEA/APAC – FY27 realignment"


def test_dates_are_dates_with_a_date_format(book, report: PlanReport) -> None:
    sheet = book["Handoffs"]
    for r in range(2, sheet.max_row + 1):
        for col in (8, 9):
            cell = sheet.cell(row=r, column=col)
            assert isinstance(cell.value, datetime) and cell.is_date
            assert "yy" in cell.number_format
    gantt = book["Gantt"]
    for row in gantt.iter_rows(min_row=4, min_col=5, max_col=7):
        for cell in row:
            if isinstance(cell.value, datetime):
                assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    weeks = [gantt.cell(row=3, column=8 + i) for i in range(report.meta.weeks)]
    assert [c.value.date() for c in weeks] == list(MONDAYS)
    assert all(c.is_date for c in weeks)
    summary = book["Summary"]
    starts = [row[1] for row in summary.iter_rows() if row[0].value == "Plan start (Monday)"]
    assert starts[0].value.date() == report.meta.start and starts[0].is_date
    weekly = book["Weekly"]
    assert weekly.cell(row=2, column=2).is_date


def _bar_weeks(gantt: Worksheet, row: int, weeks: int) -> list[int]:
    """Week indexes the bar rule colours on ``row``, evaluated the way the rule reads."""
    start = gantt.cell(row=row, column=5).value
    end = gantt.cell(row=row, column=6).value
    mondays = [gantt.cell(row=3, column=8 + i).value for i in range(weeks)]
    return [i for i, m in enumerate(mondays) if m <= end and m + timedelta(days=6) >= start]


def test_gantt_bar_follows_start_and_end(book, report: PlanReport) -> None:
    gantt = book["Gantt"]
    rows = _rows_by_account(gantt, first=4)
    row = rows["+SUM(1;2)"]
    assert gantt.cell(row=row, column=2).value == "CSM"
    assert gantt.cell(row=row, column=5).value.date() == date(2027, 1, 4)
    assert gantt.cell(row=row, column=6).value.date() == date(2027, 1, 17)
    assert gantt.row_dimensions[row].outlineLevel == 2
    assert _bar_weeks(gantt, row, report.meta.weeks) == [0, 1]
    rules = {
        rule.formula[0]: (str(rng.sqref), rule)
        for rng in gantt.conditional_formatting
        for rule in rng.rules
    }
    bar = "AND(ISNUMBER($E4),ISNUMBER($F4),H$3<=$F4,H$3+6>=$E4)"
    renewal = "AND(ISNUMBER($G4),H$3<=$G4,H$3+6>=$G4)"
    assert bar in rules and renewal in rules
    last_week = gantt.cell(row=3, column=7 + report.meta.weeks).column_letter
    assert rules[bar][0] == f"H4:{last_week}{gantt.max_row}"
    assert rules[bar][1].dxf.fill.fgColor.rgb.endswith("4472C4")
    assert rules[renewal][1].dxf.fill.fgColor.rgb.endswith("C00000")
    blackout = [sq for f, (sq, _) in rules.items() if f == "TRUE"]
    assert blackout == [f"L4:L{gantt.max_row}"]  # week index 4 -> column L


def test_gantt_groups_print_and_panes(book, report: PlanReport) -> None:
    gantt = book["Gantt"]
    levels = [gantt.row_dimensions[r].outlineLevel for r in range(4, gantt.max_row + 1)]
    assert levels.count(2) == len(report.handoffs)
    assert levels.count(0) == len(set(report.handoffs["Segment"]))  # one row per segment
    assert gantt.sheet_properties.outlinePr.summaryBelow is False
    assert gantt.freeze_panes == "H4"
    assert gantt.page_setup.orientation == "landscape"
    assert gantt.page_setup.fitToWidth == 1
    assert gantt.sheet_properties.pageSetUpPr.fitToPage
    assert gantt.print_title_rows == "$1:$3"
    segment_row = _rows_by_account(gantt, first=4)["Enterprise: EMEA/APAC"]
    assert gantt.cell(row=segment_row, column=5).value.startswith("=MIN(E")


def test_charts_have_explicit_solid_fills(book) -> None:
    charts = book["Load"]._charts + book["Weekly"]._charts
    assert len(charts) == 2
    for chart in charts:
        assert chart.series
        for series in chart.series:
            fill = series.graphicalProperties.solidFill
            assert fill is not None and fill.srgbClr is not None
            rgb = getattr(fill.srgbClr, "val", fill.srgbClr)
            assert re.fullmatch(r"[0-9A-F]{6}", str(rgb)), rgb


def test_weekly_heat_map_counts(book, report: PlanReport) -> None:
    weekly = book["Weekly"]
    totals = {weekly.cell(row=r, column=1).value: weekly.cell(row=r, column=14).value
              for r in range(3, weekly.max_row + 1)}
    assert totals["All teams"] == len(report.handoffs)
    assert any(r.rules[0].type == "colorScale" for r in weekly.conditional_formatting)


def test_other_sheets_have_their_rows(book, report: PlanReport) -> None:
    assert book["Accounts"].max_row == len(report.accounts) + 1
    assert book["Load"].max_row >= len(report.load) + 1
    assert book["Segments"].max_row == len(report.segments) + 1
    assert book["Exceptions"].max_row == len(report.exceptions) + 1
    assert book["Input notes"].max_row == len(report.notes) + 1
    assert book["Exceptions"]["B3"].value == "=1+1"
    assert book["Exceptions"]["B3"].data_type == "s"
    table_names = [name for ws in book.worksheets for name in ws.tables]
    assert len({n.casefold() for n in table_names}) == len(table_names)


def test_empty_plan_still_writes_every_sheet(tmp_path: Path, report: PlanReport) -> None:
    empty = PlanReport(
        meta=report.meta, handoffs=empty_frame("handoffs"), accounts=empty_frame("accounts"),
        load=empty_frame("load"), weekly=empty_frame("weekly"), segments=report.segments,
        stages=empty_frame("stages"), exceptions=empty_frame("exceptions"),
        notes=empty_frame("notes"), crm=empty_frame("crm"),
    )
    path = write_workbook(empty, tmp_path / "empty.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    assert tuple(c.value for c in book["Handoffs"][1]) == HANDOFF_COLUMNS


def test_report_rejects_missing_columns(report: PlanReport) -> None:
    with pytest.raises(ValueError, match="handoffs: missing column"):
        PlanReport(meta=report.meta, handoffs=report.handoffs.drop(columns=["Locked"]),
                   accounts=report.accounts, load=report.load, weekly=report.weekly,
                   segments=report.segments, stages=report.stages,
                   exceptions=report.exceptions, notes=report.notes, crm=report.crm)


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


REPO = Path(__file__).resolve().parents[1]
NEEDS_LIBREOFFICE = pytest.mark.skipif(
    (_soffice() is None or shutil.which("pdftotext") is None) and not os.environ.get("CI"),
    reason="LibreOffice (soffice) or poppler (pdftotext) is not installed")


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo workbook (the bundled reference scenario, with a 3-second time limit per
    stage so the test stays short) and its PDF as headless LibreOffice prints it."""
    from planner.cli import main

    folder = tmp_path_factory.mktemp("demo")
    text = (REPO / "scenarios" / "reference.toml").read_text(encoding="utf-8")
    text = text.replace('"reference/', f'"{(REPO / "scenarios" / "reference").as_posix()}/')
    scenario = folder / "reference.toml"
    scenario.write_text(text.replace("time_limit_s = 10.0", "time_limit_s = 3.0"),
                        encoding="utf-8")
    workbook = folder / "demo.xlsx"
    assert main(["plan", str(scenario), "--out", str(workbook), "--quiet"]) == 0
    soffice = _soffice()
    assert soffice, "soffice is required in CI (Debian package libreoffice-calc)"
    profile = (folder / "lo-profile").as_uri()  # own profile: parallel runs do not clash
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(workbook)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    return workbook, folder / "demo.pdf"


def _pdf_pages(pdf: Path) -> list[str]:
    """The text of every page (pdftotext, layout order)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _word_height(pdf: Path, page: int) -> float:
    """The median height of the words on a page (points): the printed text size."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    heights = [float(y1) - float(y0) for y0, y1 in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', html)]
    return sorted(heights)[len(heights) // 2]


@NEEDS_LIBREOFFICE
def test_libreoffice_prints_the_demo_workbook(demo_pdf: tuple[Path, Path]) -> None:
    workbook, pdf = demo_pdf
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    pages = _pdf_pages(pdf)
    # every sheet prints, in order, each page footed "<sheet> page N of M"
    firsts = {}
    for number, text in enumerate(pages, start=1):
        for sheet in SHEETS:
            if re.search(rf"^\s*{sheet} page \d+ of {len(pages)}\s*$", text, re.MULTILINE):
                firsts.setdefault(sheet, number)
    assert list(firsts) == list(SHEETS) and firsts["Summary"] == 1
    summary = load_workbook(workbook, read_only=True)["Summary"]
    figures: dict = {}
    for label, value in summary.iter_rows(max_col=2, values_only=True):
        figures.setdefault(label, value)  # the key figure, not the review notes below
    first = pages[0]
    assert "Transition plan" in first and "Orbit Cloud reference re-segmentation" in first
    assert "Key figures" in first
    keeping = figures["Accounts keeping every owner"]
    assert re.search(rf"Accounts keeping every owner\s+{keeping:,}\b", first)
    assert re.search(rf"Handoffs\s+{figures['Handoffs']:,}\b", first)
    # readable sizes: 11-point text measures about 11 points printed at full scale; the
    # Summary (a long status line) and the Load sheet (tables and chart side by side)
    # used to print at about half and a third of it (5.5 and 4); Accounts, 19 columns
    # wide, at 5.3 before its headers could wrap
    assert _word_height(pdf, firsts["Summary"]) >= 9.5
    assert _word_height(pdf, firsts["Load"]) >= 7.0
    assert _word_height(pdf, firsts["Accounts"]) >= 6.0


def test_long_text_wraps_in_a_taller_row(book) -> None:
    sheet = book["Handoffs"]
    row = _rows_by_account(sheet, column=1)["H-0012"]
    account = sheet.cell(row=row, column=3)
    assert account.value == "A" * 60 + " Holdings"
    assert account.alignment.wrap_text
    assert sheet.row_dimensions[row].height >= 30
    assert sheet.cell(row=row, column=1).alignment.vertical == "top"
    assert sheet.cell(row=row, column=8).is_date  # re-aligned dates keep their format
    assert all(sheet.column_dimensions[c].width <= 40 for c in "ABCDEFGHIJKL")


# XML turns a carriage return into a line feed, and control characters cannot be stored.
_CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    min_size=1, max_size=40,
).filter(lambda t: not ILLEGAL_CHARACTERS_RE.search(t))


@given(st.lists(_CELL_TEXT, min_size=1, max_size=10))
@settings(max_examples=40, deadline=None)
def test_any_input_text_comes_back_exact_as_text(tmp_path_factory, texts: list[str]) -> None:
    report = sample_report()
    handoffs = report.handoffs.iloc[: len(texts)].copy()
    handoffs = handoffs.reindex(range(len(texts)))
    handoffs["Account"] = texts
    handoffs["Handoff ID"] = [f"H-{i}" for i in range(len(texts))]
    path = write_workbook(replace(report, handoffs=handoffs),
                          tmp_path_factory.mktemp("wb") / "t.xlsx")
    sheet = load_workbook(path)["Handoffs"]
    cells = [sheet.cell(row=r, column=3) for r in range(2, len(texts) + 2)]
    assert [c.value for c in cells] == texts
    assert all(c.data_type == "s" for c in cells)


def test_opens_on_summary_with_a_single_selected_tab(book) -> None:
    assert book.active.title == "Summary"
    assert [ws.sheet_view.tabSelected for ws in book.worksheets].count(True) == 1


@NEEDS_LIBREOFFICE
def test_demo_segments_add_up_before_and_after(demo_pdf: tuple[Path, Path]) -> None:
    # the reference export leaves Current Segment blank on 18 accounts (ARR 135,800, counted
    # with pandas): they are the no-segment row's "before", so both columns add up to 1,500
    from sheets import sheet_rows

    from planner.reporting import NO_SEGMENT_ROW

    rows = {r["Segment"]: r for r in sheet_rows(demo_pdf[0], "Segments")}
    assert sum(r["Accounts before"] for r in rows.values()) == 1500
    assert sum(r["Accounts after"] for r in rows.values()) == 1500
    none = rows[NO_SEGMENT_ROW]
    assert (none["Accounts before"], none["ARR before"]) == (18, 135_800)
