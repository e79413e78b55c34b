"""CSV and XLSX export writers for the budget and partnerships offices.

Both writers neutralise formula injection (CWE-1236): a text cell that starts with `=`, `+`,
`-`, `@`, tab or carriage return could run as a formula when the file is opened in a
spreadsheet. The CSV writer prefixes such text with `'`, which spreadsheets display as text.
The XLSX writer stores it as a string cell, which Excel never evaluates, so the text is kept
unchanged. Numbers (`int`, `Decimal`) are never altered, so a Decimal("-5.00") stays -5.00.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
# Excel limits a sheet name to 31 characters and forbids these characters in it.
_INVALID_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME_LENGTH = 31


def neutralise_text(text: str) -> str:
    """Prefix text that a spreadsheet would read as a formula with `'`."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return neutralise_text(str(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Write rows as CSV bytes: UTF-8 with a BOM so Excel detects the encoding, CRLF lines.

    Decimals are written in plain notation (`1234.50`, never `1.2345E+3`) and text that could
    run as a formula gets a leading `'`, headers included.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_text(str(header)) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "Sheet1") -> bytes:
    """Write rows as an XLSX workbook with one sheet and a bold, frozen header row.

    Decimals are written as numbers, and those with two decimal places get the money format
    `#,##0.00`. Text is always stored as a string cell, never as a formula, without the control
    characters XML cannot carry.
    Raises ValueError for a sheet name Excel would reject.
    """
    if not sheet_name or len(sheet_name) > MAX_SHEET_NAME_LENGTH or _INVALID_SHEET_NAME.search(sheet_name):
        raise ValueError(f"invalid sheet name {sheet_name!r}: use 1 to 31 characters and none of []:*?/\\")

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    cell = openpyxl.cell.WriteOnlyCell(sheet)
    if isinstance(value, str):
        # XML cannot carry most C0 control characters, so they are dropped. Assigning a str
        # that starts with "=" makes openpyxl store a formula, so the type is set after it.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = value
        if value.is_finite() and value.as_tuple().exponent == -2:
            cell.number_format = MONEY_FORMAT
    elif value is None or isinstance(value, int | float | bool | date | datetime | time):
        cell.value = value
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"
    if bold:
        cell.font = openpyxl.styles.Font(bold=True)
    return cell
