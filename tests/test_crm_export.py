"""The CRM update CSV of a Salesforce export, end to end through `planner plan`.

Ann Ames moves to the Mars team, so her two Mercury accounts must go to Bob Berg, the only
Mercury CSM. The two account ids differ only by case: Salesforce 15-character ids are
case-sensitive, so they are two accounts, and the CSV names each by its 18-character
form. Checksums by hand (each block of 5 characters gives a number whose bit i is set
when character i is upper case, read in A-Z then 0-5): 001A000001abcDE: '001A0' -> 8 = I,
'00001' -> 0 = A, 'abcDE' -> 8+16 = 24 = Y; 001A000001abcdE: ... 'abcdE' -> 16 = Q; Bob's
005B0000002pQrS: '005B0' -> 8 = I, '00000' -> A, '2pQrS' -> 4+16 = 20 = U.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner.cli import main

ACCOUNTS = """Id,Account Name,Employees,CSM User
001A000001abcDE,Alder Ltd,50,005A0000001xYzA
001A000001abcdE,Birch Ltd,60,005A0000001xYzA
"""
PEOPLE = """User Id,Name,Role,New Team
005A0000001xYzA,Ann Ames,CSM,Mars
005B0000002pQrS,Bob Berg,CSM,Mercury
"""


def write_scenario(folder: Path, crm: str = "") -> Path:
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    path = folder / "sf.toml"
    path.write_text('name = "sf"\n[plan]\nstart = 2027-01-04\nweeks = 8\n'
                    '[inputs]\naccounts = "accounts.csv"\npeople = "people.csv"\n'
                    '[inputs.owner_columns]\nCSM = "CSM User"\n'
                    "[solver]\ntime_limit_s = 2.0\nworkers = 1\n" + crm, encoding="utf-8")
    return path


def crm_rows(folder: Path, crm: str = "") -> list[dict[str, str]]:
    out = folder / "plan.xlsx"
    assert main(["plan", str(write_scenario(folder, crm)), "--out", str(out), "--quiet"]) == 0
    with open(folder / "plan-crm-update.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_salesforce_ids_go_out_in_18_character_form(tmp_path):
    rows = crm_rows(tmp_path)
    assert sorted(r["Account ID"] for r in rows) == ["001A000001abcDEIAY", "001A000001abcdEIAQ"]
    assert {r["New owner ID"] for r in rows} == {"005B0000002pQrSIAU"}
    # No [crm] table: the owner field is the export's own owner column header.
    assert {r["Owner field"] for r in rows} == {"CSM User"}


def test_crm_fields_name_the_owner_field(tmp_path):
    rows = crm_rows(tmp_path, '[crm]\nfields = { CSM = "CSM__c" }\n')
    assert {r["Owner field"] for r in rows} == {"CSM__c"}


@pytest.mark.parametrize("crm, expected", [
    ('[crm]\nfields = { CSMM = "X" }\n', "crm.fields.CSMM"),
    ('[crm]\nfield = { CSM = "X" }\n', "crm.field"),
    ('[crm]\nfields = { CSM = 3 }\n', "crm.fields.CSM"),
])
def test_bad_crm_table_is_a_scenario_error(tmp_path, capsys, crm, expected):
    path = write_scenario(tmp_path, crm)
    assert main(["plan", str(path), "--out", str(tmp_path / "p.xlsx")]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "p.xlsx").exists()
