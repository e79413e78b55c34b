"""Cell parsers for imported spreadsheets and CSV files.

Each parser takes one non-blank cell and returns the parsed value, or raises `CellError` with a
message for the person who prepared the file. A CSV cell arrives as trimmed text. An XLSX cell
arrives as openpyxl gives it: `str`, `int`, `float`, `bool`, `datetime` (date-formatted
numbers). The reader handles blank cells itself, so parsers only see blanks when called directly.

A parser that accepts a value the user should double-check returns `ValueWithWarning`. The
reader stores the value and lists the message in `Table.warnings`.

School codes: the BPS school code is four digits of text ("0101" stays "0101").

- A text cell must already be exactly four digits. "101" typed as text is rejected, because
  the reader cannot tell a dropped leading zero from a typo.
- A numeric XLSX cell holding a whole number from 1 to 9999 is left-padded to four digits
  (101 becomes "0101") with a warning: spreadsheets drop leading zeros from numbers, so a
  numeric 101 almost always was "0101". A fractional number is rejected.

Numbers: text may use commas between thousands (`1,234`), a leading `$` for money and
parentheses for a negative amount (`(1,234.00)`), as accounting exports write them. A comma
as the decimal separator (`0,56`) is rejected rather than guessed. Floats from XLSX cells are
read at 15 significant digits, the precision Excel itself displays, so 0.1 stays
`Decimal("0.1")` and a formula result stored as 0.30000000000000004 reads as 0.3.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email

from partnerfund_shared.tabular.labels import normalise_label

CellValue = str | int | float | Decimal | bool | datetime | date | time | timedelta | None

T = TypeVar("T")

CENT = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")
# NUMERIC(14, 2) is the money column type of every service.
MAX_MONEY = Decimal("1000000000000")

# Cell values Excel shows for a formula that failed. CSV files saved from Excel contain them as
# text, and openpyxl returns them as strings with data_type "e".
EXCEL_ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    }
)

_PLAIN_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_DIGITS = re.compile(r"\d+")


class CellError(ValueError):
    """A cell value that cannot be imported; the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ValueWithWarning:
    """A parsed value the reader accepts and reports as a warning on its row."""

    value: Any
    warning: str


def cell_text(value: CellValue) -> str:
    """Render a cell as the trimmed text the spreadsheet displays for it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return str(value)


def is_blank(value: CellValue) -> bool:
    return cell_text(value) == ""


def _require_text(value: CellValue) -> str:
    text = cell_text(value)
    if not text:
        raise CellError("a value is required")
    return text


def parse_text(value: CellValue) -> str:
    """Parse any cell as trimmed text; numbers are written as the spreadsheet shows them."""
    return _require_text(value)


def parse_digit_code(length: int, label: str) -> Callable[[CellValue], str | ValueWithWarning]:
    """Build a parser for a fixed-length code of digits such as the BPS school code.

    Text must already have `length` digits. A whole number from a numeric XLSX cell is
    left-padded with zeros and flagged with a warning, because spreadsheets drop leading zeros.
    """
    max_number = 10**length - 1

    def parse(value: CellValue) -> str | ValueWithWarning:
        if isinstance(value, bool):
            raise CellError(f"{label} must be {length} digits")
        if isinstance(value, int | float | Decimal):
            return _pad_numeric_code(value, length, max_number, label)

        text = _require_text(value)
        if len(text) != length or not text.isascii() or not text.isdigit():
            raise CellError(f"{label} must be {length} digits")
        return text

    parse.__name__ = f"parse_{length}_digit_code"
    return parse


def _pad_numeric_code(
    number: int | float | Decimal, length: int, max_number: int, label: str
) -> str | ValueWithWarning:
    if isinstance(number, float) and not math.isfinite(number):
        raise CellError(f"{label} must be {length} digits")
    if number != int(number):
        raise CellError(f"{label} must be {length} digits, not a fraction")
    whole = int(number)
    if whole < 1 or whole > max_number:
        raise CellError(f"{label} must be {length} digits")

    code = str(whole).zfill(length)
    if len(str(whole)) == length:
        return code
    return ValueWithWarning(
        code,
        f"{label} {whole} was stored as a number; read it as {code}. "
        f"Format the column as text to keep leading zeros.",
    )


parse_school_code = parse_digit_code(4, "school code")
parse_school_code.__name__ = "parse_school_code"
parse_school_code.__doc__ = "Parse a BPS school code: four digits of text, see the module notes."


def _decimal_from_number(value: int | float | Decimal) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("must be a finite number")
        return Decimal(format(value, ".15g"))
    if not value.is_finite():
        raise CellError("must be a finite number")
    return value


def _decimal_from_text(text: str, *, allow_currency: bool) -> Decimal:
    body = text
    negative = False
    if allow_currency and body.startswith("(") and body.endswith(")"):
        negative = True
        body = body[1:-1].strip()
    if body[:1] in "+-":
        negative = negative != (body[0] == "-")
        body = body[1:].strip()
    if allow_currency and body.startswith("$"):
        body = body[1:].strip()
        # "$-5" is how some exports write a negative amount.
        if body[:1] == "-" and not negative:
            negative = True
            body = body[1:].strip()

    if _PLAIN_NUMBER.fullmatch(body):
        digits = body
    elif _GROUPED_NUMBER.fullmatch(body):
        digits = body.replace(",", "")
    elif "," in body and re.fullmatch(r"\d+,\d+", body):
        raise CellError("must be a number with a dot as the decimal separator (0.56, not 0,56)")
    else:
        raise CellError("must be a number")

    number = Decimal(digits)
    return -number if negative else number


def _parse_number(value: CellValue, *, allow_currency: bool) -> Decimal:
    if isinstance(value, bool):
        raise CellError("must be a number")
    if isinstance(value, int | float | Decimal):
        return _decimal_from_number(value)
    if isinstance(value, datetime | date | time | timedelta):
        raise CellError("must be a number, not a date or time")
    return _decimal_from_text(_require_text(value), allow_currency=allow_currency)


def parse_decimal(value: CellValue) -> Decimal:
    """Parse a number such as `1,234`, `$1,234.00`, `1234.5` or `(1,234.00)` as a Decimal."""
    return _parse_number(value, allow_currency=True)


def parse_money(value: CellValue) -> Decimal:
    """Parse a dollar amount with at most two decimals, returned with exactly two."""
    amount = parse_decimal(value)
    if abs(amount) >= MAX_MONEY:
        raise CellError("amount must be less than 1,000,000,000,000")
    if amount != amount.quantize(CENT):
        raise CellError("amount can have at most 2 decimal places")
    return amount.quantize(CENT)


def parse_score(value: CellValue) -> Decimal:
    """Parse a need-index score from 0 to 1 with at most four decimals; `56%` reads as 0.56."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        score = _parse_number(text[:-1].strip(), allow_currency=False).scaleb(-2)
    else:
        score = _parse_number(value, allow_currency=False)

    if score < 0 or score > 1:
        if 2 <= score <= 100:
            raise CellError("score must be between 0 and 1 (write 0.56 or 56%, not 56)")
        raise CellError("score must be between 0 and 1")
    try:
        rounded = score.quantize(SCORE_PLACES)
    except InvalidOperation as error:  # pragma: no cover - unreachable for values in 0..1
        raise CellError("score must be between 0 and 1") from error
    if score != rounded:
        raise CellError("score can have at most 4 decimal places")
    return score


def parse_non_negative_int(value: CellValue) -> int:
    """Parse a count such as enrollment: `1,234` and `12.0` are accepted, `12.5` and `-3` not."""
    number = _parse_number(value, allow_currency=False)
    if number < 0:
        raise CellError("must not be negative")
    if number != number.to_integral_value():
        raise CellError("must be a whole number")
    return int(number)


def parse_multi(separator: str = ";") -> Callable[[CellValue], list[str]]:
    """Build a parser that splits a cell on `separator` into trimmed, non-empty parts."""
    if not separator:
        raise ValueError("separator must not be empty")

    def parse(value: CellValue) -> list[str]:
        parts = [part.strip() for part in cell_text(value).split(separator)]
        return [part for part in parts if part]

    parse.__name__ = "parse_multi"
    return parse


def parse_email(value: CellValue) -> str:
    """Parse an email address and return its normalised form; the domain is not looked up."""
    text = _require_text(value)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise CellError(f"must be a valid email address: {error}") from error
    return result.normalized


def parse_choice(options: Mapping[str, T]) -> Callable[[CellValue], T]:
    """Build a parser that maps a label to a value, matching labels like headers are matched.

    `parse_choice({"Yes": True, "No": False})` accepts "yes", "YES" and " No ".
    """
    by_label = {normalise_label(label): result for label, result in options.items()}
    accepted = ", ".join(options)

    def parse(value: CellValue) -> T:
        label = normalise_label(_require_text(value))
        if label not in by_label:
            raise CellError(f"must be one of: {accepted}")
        return by_label[label]

    parse.__name__ = "parse_choice"
    return parse
