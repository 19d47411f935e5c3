"""Sheet, table and file names derived from awkward labels (case c10)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from planner.io.names import safe_filename, sheet_name, sheet_names, table_name

C10 = ["Enterprise: EMEA/APAC", "Mid-Market [2025]", "Strategic Accounts – North America East",
       "History", "smb", "SMB"]


def _valid_sheet(name: str) -> bool:
    return (0 < len(name) <= 31 and not re.search(r"[:\\/?*\[\]]", name)
            and not name.startswith("'") and not name.endswith("'")
            and name.casefold() != "history")


def test_c10_labels_become_valid_unique_sheet_names() -> None:
    names = sheet_names(C10)
    assert names[:2] == ["Enterprise- EMEA-APAC", "Mid-Market -2025-"]
    assert names[2] == "Strategic Accounts – North Amer" and len(names[2]) == 31
    assert names[3] == "History (2)"
    assert names[4] == "smb" and names[5] == "SMB (2)"
    assert all(_valid_sheet(n) for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_long_duplicates_keep_the_limit() -> None:
    label = "Strategic Accounts – North America East"
    names = sheet_names([label, label, label.upper()])
    assert len(names[0]) == 31 and all(len(n) <= 31 for n in names)
    assert names[1].endswith(" (2)") and names[2].endswith(" (3)")


def test_blank_and_apostrophes() -> None:
    assert sheet_name("   ") == "Sheet"
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("::") == "--"


@given(st.lists(st.text(max_size=40), max_size=12))
def test_any_labels_give_valid_unique_sheet_names(labels: list[str]) -> None:
    names = sheet_names(labels)
    assert all(_valid_sheet(n) for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_table_names() -> None:
    taken: set[str] = set()
    assert table_name("Input notes", taken) == "Input_notes"
    assert table_name("input notes", taken) == "input_notes_2"
    assert table_name("A1") == "T_A1"
    assert table_name("R1C1") == "T_R1C1"
    assert table_name("2025 plan") == "T_2025_plan"
    assert table_name("Enterprise: EMEA/APAC") == "Enterprise_EMEA_APAC"
    assert table_name("Ünïcödé") == "Unicode"


@given(st.text(max_size=60))
def test_any_label_gives_a_valid_table_name(label: str) -> None:
    name = table_name(label)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and len(name) <= 255


def test_file_names() -> None:
    assert safe_filename("Enterprise: EMEA/APAC") == "Enterprise- EMEA-APAC"
    assert safe_filename("CON") == "CON_"
    assert safe_filename("  ") == "plan"
    assert safe_filename("plan. ") == "plan"
