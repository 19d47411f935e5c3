"""The CRM update CSV: one row per account and owner field, ready for a bulk update.

Columns: ``CRM_COLUMNS`` (Account ID, Owner field, New owner ID, Effective date), then any
extra columns of ``report.crm`` in their order (the planner adds Change: "new owner", or
"released" when New owner ID is blank and the field is to be cleared). A blank field is
written as an empty string. UTF-8 without BOM (bulk loaders read the BOM as part of the
first header), comma-separated, CRLF line ends (RFC 4180), dates ISO (``2027-01-04``),
written atomically.

Spreadsheet safety: a text field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe, so a spreadsheet opening the file shows text
instead of running a formula. Real numbers (an ARR of -2500) stay numbers.

Except the keys (``KEY_COLUMNS``: the account id, the owner field and the new owner's id):
the CSV is a bulk update that the CRM's loader matches on them, and ``'=1+2`` matches no
record, so keys are written exactly. A key that a spreadsheet would read as a formula is
reported on the workbook's Input notes sheet instead (``planner.reporting``); CRM ids never
start with those characters, so this concerns hand-made ids only.
"""

from __future__ import annotations

import csv
import logging
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.io.atomic import atomic_open
from planner.report import CRM_COLUMNS, PlanReport

log = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Columns the CRM's loader matches on: written exactly as they are.
KEY_COLUMNS = frozenset({"Account ID", "Owner field", "New owner ID"})


def neutralise(text: str) -> str:
    """Text a spreadsheet will not read as a formula: a leading apostrophe when needed."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_field(value: Any, key: bool = False) -> str | int | float:
    """One CSV field: numbers as numbers, dates as ISO, booleans as true/false, text
    neutralised (``key``: text exactly as it is, see KEY_COLUMNS)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            return ""
        return int(number) if number.is_integer() else number
    return str(value) if key else neutralise(str(value))


def write_crm_csv(report: PlanReport, path: str | Path) -> Path:
    """Write ``report.crm`` as the CRM update CSV at ``path`` (atomically); return the path."""
    crm = report.crm
    columns = [*CRM_COLUMNS, *[c for c in crm.columns if c not in CRM_COLUMNS]]
    path = Path(path)
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([neutralise(str(c)) for c in columns])
        keys = [c in KEY_COLUMNS for c in columns]
        for values in crm[columns].itertuples(index=False, name=None):
            writer.writerow([csv_field(v, k) for v, k in zip(values, keys, strict=True)])
    log.info("wrote %s (%d owner updates)", path, len(crm))
    return path
