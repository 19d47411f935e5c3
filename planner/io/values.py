"""Pure parsers for the values CRM exports hold as text (or as spreadsheet cells).

Every parser takes a raw cell value (str, int, float, bool, date, datetime or None) and
either returns a typed value or raises :class:`ValueProblem` whose message says what was
expected, so that the reader can attach file, row and column. ``None`` is returned for a
blank cell; callers decide whether blank is allowed. Nothing here reads files.

Decisions (documented here once):
- Money: currency symbols and ISO codes ($, EUR, USD ...), thousands separators, an
  accounting negative in parentheses ``(2,500.00)`` and a ``k``/``M`` suffix (``1.2k`` = 1200)
  are accepted. ``N/A``, ``-`` and similar are *missing*, never 0. A decimal comma
  (``1.200,50``) is refused rather than guessed.
- Employee bands: ``51-200``, ``201 - 500``, ``250 to 499``, ``10,001+``, ``20,000 or more``,
  ``10k``, ``approx. 300`` are understood. The scenario's band rule turns a band into one
  count (``lower`` bound, ``midpoint`` rounded down, ``upper`` bound; an open band such as
  ``10,001+`` always counts as its lower bound). ``Less than 250`` has no lower bound, so it
  is usable only with the ``upper`` rule (249); ``self-employed``, ``Not Provided`` and
  blanks are unusable sizes and follow the scenario's missing-size policy.
- Dates: one order (DMY or MDY) applies to a whole column, decided by the values that can
  only be read one way, or by the scenario's ``date_order``; a column whose values could all
  be read either way is an error unless ``date_order`` is set. Excel serial numbers are
  read with a warning.
- Salesforce ids: whether an id column holds Salesforce ids is decided for the whole
  column (:func:`salesforce_column`), never per value, so that ``ACC000000000001`` is not
  given a checksum suffix. In a Salesforce column a 15-character id is compared in its
  18-character form (with the case-checksum suffix); ids are never merged by case, and the
  id shown to people stays exactly as exported.
- Employee counts written as text must be whole: ``1.234`` is refused (it may be a European
  thousands separator) rather than read as 1; ``1,234`` and ``1 234`` are 1234.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.domain import Segment

NBSP = "\u00a0"
MISSING_WORDS = {"", "n/a", "na", "none", "null", "-", "--", "—", "not provided", "unknown", "?"}


class ValueProblem(ValueError):
    """A value that cannot be read; ``expected`` says what a good value looks like."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def as_text(value: object) -> str:
    """The cell as text exactly as a user would see it (ints without '.0', dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_blank(value: object) -> bool:
    """True for None and for text that is only spaces (no-break spaces included)."""
    return value is None or (isinstance(value, str) and not value.replace(NBSP, " ").strip())


def _is_missing_word(text: str) -> bool:
    return text.replace(NBSP, " ").strip().casefold() in MISSING_WORDS


# --- free text and keys -------------------------------------------------------------------


def clean_text(value: object) -> str:
    """Text kept exactly as written apart from surrounding spaces (names stay as they are)."""
    return as_text(value).strip(" \t\r\n" + NBSP)


def key_text(value: object) -> str:
    """Text for matching: no-break spaces become spaces, runs of spaces collapse, trimmed."""
    return " ".join(as_text(value).replace(NBSP, " ").split())


_SF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SF_SHAPE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?$")
#: A word and a number (``ACC000000000001``, ``CUST00000000042``) or digits only: ids a
#: company numbered itself. Salesforce record ids mix letters into the record number.
_NUMBERED = re.compile(r"^[A-Za-z]*[0-9]+$")


def salesforce_suffix(id15: str) -> str:
    """The 3-character case checksum Salesforce appends to a 15-character id."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start : start + 5]) if ch.isupper())
        suffix += _SF_ALPHABET[bits]
    return suffix


def is_salesforce_id(text: str) -> bool:
    """15 letters/digits, or 18 whose last 3 are the case checksum of the first 15."""
    if not _SF_SHAPE.match(text):
        return False
    return len(text) == 15 or salesforce_suffix(text[:15]) == text[15:].upper()


def looks_like_salesforce_id(text: str) -> bool:
    """A Salesforce id shape with at least one digit (an all-letter word is not an id)."""
    return is_salesforce_id(text) and any(ch.isdigit() for ch in text[:15])


def salesforce_id18(text: str) -> str:
    """15-character id -> 18-character form; an 18-character id keeps its first 15 as they are.

    The first 15 characters are case-sensitive, so ``001A`` and ``001a`` stay different ids.
    """
    return text[:15] + salesforce_suffix(text[:15])


@dataclass(frozen=True, slots=True)
class IdColumn:
    """The verdict on one id column: Salesforce ids or not, and the first value that spoiled
    an otherwise Salesforce-looking column (index into the values given, or None)."""

    salesforce: bool
    odd_one: int | None = None


def salesforce_column(values: Sequence[str]) -> IdColumn:
    """Do the non-empty ``values`` of an id column hold Salesforce record ids?

    Yes when every value is 15 or 18 letters and digits with a digit, every 18-character
    value ends in its checksum, and the column is not plainly a company's own numbering
    (every value a word followed by digits, like ``ACC000000000001``). When at least 80% of
    the values look like Salesforce ids but some do not, ``odd_one`` points at the first of
    those so that the reader can warn about it.
    """
    texts = [t for t in values if t]
    if not texts or all(_NUMBERED.match(t[:15]) for t in texts):
        return IdColumn(False)
    odd = [i for i, t in enumerate(values) if t and not looks_like_salesforce_id(t)]
    if not odd:
        return IdColumn(True)
    if len(texts) - len(odd) >= 0.8 * len(texts):
        return IdColumn(False, odd[0])
    return IdColumn(False)


def account_key(value: object, salesforce: bool = False) -> str:
    """Account id for matching: trimmed text, case kept; in a Salesforce column the
    18-character form (so the 15- and 18-character forms of one record are one key)."""
    text = key_text(value)
    return salesforce_id18(text) if salesforce and is_salesforce_id(text) else text


def person_key(value: object, salesforce: bool = False) -> str:
    """Person id (e-mail, login or CRM user id) for matching.

    Trimmed, no-break spaces to spaces, lower-cased; in a Salesforce column a user id is
    instead put in its 18-character form with its case kept (lower-casing would merge
    distinct ids).
    """
    text = key_text(value)
    if salesforce and is_salesforce_id(text):
        return salesforce_id18(text)
    return text.casefold()


# --- numbers ------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:[A-Za-z]{3}\s*)?[$€£¥]?\s*|\s*[$€£¥]?(?:\s*[A-Za-z]{3})?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SUFFIX = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "bn": 1_000_000_000}


def _number_text(text: str, what: str) -> float:
    """'1,200.50' / '-3' / '1.2k' -> float; thousands separators must be in groups of 3."""
    cleaned = text.replace(NBSP, " ").replace(" ", "")
    factor = 1
    match = re.match(r"^(.*\d)(k|m|mm|bn)$", cleaned, flags=re.IGNORECASE)
    if match:
        cleaned, factor = match.group(1), _SUFFIX[match.group(2).lower()]
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueProblem(f"expected {what}")
    return float(cleaned.replace(",", "")) * factor


def parse_money(value: object) -> float | None:
    """'$1,200,000.00' -> 1200000.0, '(2,500.00)' -> -2500.0, 'USD 10,000' -> 10000.0.

    Blank and 'N/A'-like text -> None (missing, never 0).
    """
    if isinstance(value, bool):
        raise ValueProblem("expected an amount like 12,000.00")
    if isinstance(value, (int, float)):
        return float(value)
    text = as_text(value).replace(NBSP, " ").strip()
    if _is_missing_word(text):
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.endswith("-") and not text.startswith("-"):  # '2500-' (some ledgers)
        negative, text = True, text[:-1].strip()
    stripped = text
    for _ in range(2):
        stripped = _CURRENCY.sub("", stripped).strip()
    if stripped.startswith("-") and negative:
        raise ValueProblem("expected an amount like 12,000.00")
    amount = _number_text(stripped, "an amount like 12,000.00 or (2,500.00)")
    return -amount if negative else amount


def parse_number(value: object, what: str = "a number like 0.8") -> float | None:
    """Plain number ('0.8', '1,250', '80%' -> 0.8); blank -> None."""
    if isinstance(value, bool):
        raise ValueProblem(f"expected {what}")
    if isinstance(value, (int, float)):
        return float(value)
    text = as_text(value).strip()
    if _is_missing_word(text):
        return None
    if text.endswith("%"):
        return _number_text(text[:-1], what) / 100
    return _number_text(text, what)


def parse_count(value: object, what: str = "a whole number like 1,250") -> int | None:
    """'1,250' -> 1250; decimals that are not whole are refused; blank -> None."""
    number = parse_number(value, what)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueProblem(f"expected {what}")
    return int(number)


# --- employee counts and bands ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmployeeSize:
    """An employee count as written: a number, a closed band, or an open band.

    low: smallest possible count (None when the text gives none, e.g. 'Less than 250').
    high: largest possible count (None for open bands such as '10,001+').
    approximate: the text said 'approx.', '~', 'about' ...
    """

    low: int | None
    high: int | None
    approximate: bool = False
    note: str = ""  # a reading worth a warning (a fractional spreadsheet number, rounded)

    @property
    def is_band(self) -> bool:
        return self.low != self.high

    def count(self, rule: str) -> int | None:
        """One count for the band by the scenario rule: lower, midpoint or upper.

        Open bands count as their lower bound under every rule; a band without a lower
        bound ('Less than 250') is usable only under 'upper'.
        """
        if not self.is_band:
            return self.low
        if self.high is None:
            return self.low
        if self.low is None:
            return self.high if rule == "upper" else None
        if rule == "upper":
            return self.high
        if rule == "midpoint":
            return (self.low + self.high) // 2
        return self.low


#: A number in a size text: digits with ',' '.' or ' 123' groups, and an optional k.
_NUM = r"\d(?:[\d,\.]|\s(?=\d{3}(?!\d)))*\s*[kK]?"
_APPROX = re.compile(r"^(?:approx(?:imately)?\.?|about|around|circa|ca\.?|~|c\.)\s*", re.I)
_UNUSABLE_SIZES = {"self-employed", "self employed", "sole trader", "freelance"}
_EMPLOYEES_EXPECTED = "an employee count like 1,250 or a band like 51-200"


def _band_number(text: str) -> int:
    """'1,250' / '1 250' / '10k' / '1.5k' / '120.0' -> a whole count.

    Refused: a fraction ('12.5', '5,000.7') and a dot before exactly three digits ('1.234'),
    which may be 1234 written with a European thousands separator, or 1.234; either guess
    could misplace the account, so the file must say.
    """
    text = text.strip().replace(" ", "")
    factor = 1
    if text[-1:] in "kK":
        factor, text = 1000, text[:-1]
    if not _PLAIN_NUMBER.match(text):
        raise ValueProblem(f"expected {_EMPLOYEES_EXPECTED}")
    number = float(text.replace(",", "")) * factor
    shown = text + ("k" if factor > 1 else "")
    if factor == 1 and re.match(r"^\d{1,3}(?:\.\d{3})+$", text):
        raise ValueProblem(
            f"expected a whole employee count like 1234 or 1,234: '{shown}' may use a "
            "European thousands separator (1234) or be a fraction; write it without the dot"
        )
    if not number.is_integer():
        raise ValueProblem(f"expected a whole employee count like 1,234, not '{shown}' "
                           "(a count of people has no fraction)")
    return int(number)


def parse_employees(value: object) -> EmployeeSize | None:
    """Employee count or band -> EmployeeSize; blank/'Not Provided'/'self-employed' -> None.

    '51-200' -> 51..200, '10,001+' -> 10001.., '250 to 499', '20,000 or more',
    'Less than 250' -> ..249, '10k' -> 10000, 'approx. 300' -> 300 (approximate).
    """
    if isinstance(value, bool):
        raise ValueProblem(f"expected {_EMPLOYEES_EXPECTED}")
    if isinstance(value, (int, float)):
        # a spreadsheet number: no separator ambiguity; a fraction is rounded and noted
        count = math.floor(value + 0.5)  # half up: 12.5 -> 13, as people round
        note = "" if float(value).is_integer() else (
            f"expected a whole employee count; the spreadsheet number {value} is read as {count}")
        return EmployeeSize(count, count, note=note)
    text = key_text(value)
    folded = text.casefold()
    if _is_missing_word(text) or folded in _UNUSABLE_SIZES:
        return None
    approximate = False
    match = _APPROX.match(text)
    if match:
        approximate, text = True, text[match.end() :]
    patterns = (
        (rf"^({_NUM})$", "exact"),
        (rf"^({_NUM})\s*(?:-|–|to)\s*({_NUM})$", "band"),
        (rf"^({_NUM})\s*(?:\+|or more|and over|and above|or above)$", "open"),
        (rf"^(?:more than|over)\s*({_NUM})$", "over"),
        (rf"^(?:less than|fewer than|under|<)\s*({_NUM})$", "under"),
    )
    for pattern, kind in patterns:
        match = re.match(pattern, text, flags=re.IGNORECASE)
        if not match:
            continue
        numbers = [_band_number(g) for g in match.groups()]
        if kind == "exact":
            return EmployeeSize(numbers[0], numbers[0], approximate)
        if kind == "band":
            low, high = numbers
            if high < low:
                raise ValueProblem("expected a band with the smaller number first, like 51-200")
            return EmployeeSize(low, high, approximate)
        if kind == "open":
            return EmployeeSize(numbers[0], None, approximate)
        if kind == "over":
            return EmployeeSize(numbers[0] + 1, None, approximate)
        return EmployeeSize(None, numbers[0] - 1, approximate)
    raise ValueProblem(f"expected {_EMPLOYEES_EXPECTED}, 250 to 499, 10,001+")


def segment_of(count: int, segments: Sequence[Segment]) -> str | None:
    """Name of the segment holding ``count`` employees, or None below the smallest."""
    for segment in segments:
        if segment.contains(count):
            return segment.name
    return None


def straddled_segments(size: EmployeeSize, segments: Sequence[Segment]) -> tuple[str, ...]:
    """Segments (and '(below smallest)') a band could fall in, when it is more than one.

    An empty tuple means the band (or number) falls in a single segment.
    """
    if not size.is_band or not segments:
        return ()
    low = size.low if size.low is not None else 1
    high = size.high
    names: list[str] = []
    if low < segments[0].min_employees:
        names.append("(below smallest)")
    for segment in segments:
        top = segment.max_employees
        overlaps = (high is None or segment.min_employees <= high) and (top is None or top >= low)
        if overlaps:
            names.append(segment.name)
    return tuple(names) if len(names) > 1 else ()


# --- booleans and health ------------------------------------------------------------------

_TRUE = {"y", "yes", "true", "1", "x", "✓", "✔", "t", "locked", "strategic"}
_FALSE = {"n", "no", "false", "0", "f", ""}


def parse_bool(value: object) -> bool | None:
    """Y/Yes/True/1/x -> True; N/No/False/0 -> False; blank -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = key_text(value).casefold()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem("expected yes or no (Y/Yes/True/1/x or N/No/False/0)")


_HEALTH_WORDS = {"green": 80.0, "good": 80.0, "yellow": 50.0, "amber": 50.0, "fair": 50.0,
                 "red": 20.0, "poor": 20.0, "at risk": 20.0, "at-risk": 20.0}


def parse_health(value: object) -> float | None:
    """Health score 0-100 ('75', '75%'), or Green/Yellow/Amber/Red (80/50/50/20); blank None."""
    if is_blank(value):
        return None
    if isinstance(value, str) and key_text(value).casefold() in _HEALTH_WORDS:
        return _HEALTH_WORDS[key_text(value).casefold()]
    text = as_text(value).strip()
    expected = "a health score from 0 to 100 (or Green/Yellow/Red)"
    number = parse_number(text.rstrip("%"), expected)
    if number is None or not 0 <= number <= 100:
        raise ValueProblem(f"expected {expected}")
    return number


# --- dates --------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (20_000, 80_000)  # 1954-10-03 .. 2119-01-11: plausible business dates
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[\s\-/]+([A-Za-z]{3,9})\.?[\s\-/,]+(\d{4})$")
_MONTH_NAME_DAY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


@dataclass(frozen=True, slots=True)
class DateValue:
    """A parsed date; ``note`` explains a reading worth a warning (Excel serial number)."""

    value: date
    note: str = ""


def excel_serial_date(serial: float) -> date:
    """Excel's 1900 date system: 45775 -> 2025-04-28."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _month_number(word: str) -> int:
    month = _MONTHS.get(word[:3].casefold())
    if month is None:
        raise ValueProblem("expected a date like 2025-04-28")
    return month


def _make_date(year: int, month: int, day: int, expected: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(expected) from None


def numeric_date_parts(value: object) -> tuple[int, int, int] | None:
    """(first, second, year) for a 'dd/mm/yyyy'-shaped text, else None."""
    if not isinstance(value, str):
        return None
    match = _NUMERIC.match(value.strip())
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def date_order_evidence(values: Sequence[object]) -> dict[str, int]:
    """Order ('DMY'/'MDY') -> index of the first value that can only be read that way."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        parts = numeric_date_parts(value)
        if parts is None:
            continue
        first, second, _ = parts
        if first > 12 >= second:
            found.setdefault("DMY", index)
        elif second > 12 >= first:
            found.setdefault("MDY", index)
    return found


def column_date_order(values: Sequence[object]) -> str | None:
    """'DMY' or 'MDY' when some value can only be read one way; None when all are ambiguous.

    Raises ValueProblem when the column holds values that can only be day-first and others
    that can only be month-first.
    """
    orders = date_order_evidence(values)
    if len(orders) > 1:
        raise ValueProblem("expected one day/month order in the whole column (found both)")
    return next(iter(orders), None)


def parse_date(value: object, order: str | None) -> DateValue | None:
    """One cell -> date. ``order`` ('DMY'/'MDY') reads 'dd/mm/yyyy'-shaped text; blank None.

    Real date cells stay dates; ISO text and 'YYYY/MM/DD hh:mm:ss' are read as such;
    '3 Apr 2025' and 'Apr 3, 2025' are unambiguous; numbers in Excel's serial range are
    read as Excel serial dates with a note.
    """
    expected = "a date like 2025-04-28"
    if value is None:
        return None
    if isinstance(value, datetime):
        return DateValue(value.date())
    if isinstance(value, date):
        return DateValue(value)
    if isinstance(value, bool):
        raise ValueProblem(f"expected {expected}")
    if isinstance(value, (int, float)):
        return _serial(value, expected)
    text = key_text(value)
    if _is_missing_word(text):
        return None
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return DateValue(_make_date(year, month, day, f"expected {expected} (no such day)"))
    parts = numeric_date_parts(text)
    if parts is not None:
        first, second, year = parts
        if order is None:
            if first > 12:
                order = "DMY"
            elif second > 12:
                order = "MDY"
            elif first == second:
                order = "DMY"  # same either way
            else:
                raise ValueProblem(
                    "expected an unambiguous date: set [inputs] date_order = \"DMY\" or \"MDY\""
                )
        day, month = (first, second) if order == "DMY" else (second, first)
        shown = "dd/mm/yyyy" if order == "DMY" else "mm/dd/yyyy"
        return DateValue(_make_date(year, month, day, f"expected a date as {shown} ({order})"))
    match = _DAY_MONTH_NAME.match(text)
    if match:
        day, month = int(match.group(1)), _month_number(match.group(2))
        return DateValue(_make_date(int(match.group(3)), month, day, f"expected {expected}"))
    match = _MONTH_NAME_DAY.match(text)
    if match:
        month, day = _month_number(match.group(1)), int(match.group(2))
        return DateValue(_make_date(int(match.group(3)), month, day, f"expected {expected}"))
    if re.match(r"^\d+(?:\.\d+)?$", text):
        return _serial(float(text), expected)
    raise ValueProblem(f"expected {expected}")


def _serial(number: float, expected: str) -> DateValue:
    low, high = _SERIAL_RANGE
    if not low <= number <= high:
        raise ValueProblem(f"expected {expected} (a number is read as an Excel serial date)")
    when = excel_serial_date(number)
    return DateValue(when, f"Excel serial number {as_text(number)} read as {when.isoformat()}")


def monday_of(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def split_list(value: object) -> list[str]:
    """'2025-01-06; 2025-01-13' or '2025-01-06, 2025-01-13' -> parts (';' preferred)."""
    text = as_text(value)
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]
