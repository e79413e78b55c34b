"""Turning uploaded bytes into numbered rows of cells, for CSV and XLSX files."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import openpyxl

from partnerfund_shared.tabular.cells import CellValue

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_SIGNATURE = b"PK\x03\x04"
# Compound File Binary: legacy .xls workbooks and password-protected .xlsx files.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t")
# NOTE: a guessed bound, not measured against real workbooks. It stops a small compressed
# upload from expanding into gigabytes in memory.
MAX_XLSX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024

# Text files contain no C0 control characters besides tab, line feed, form feed and carriage
# return, so any other one marks a binary file that happened to decode.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SEPARATOR_LINE = re.compile(r"sep=(.)")

FileFormat = Literal["csv", "xlsx"]


class UnreadableFile(Exception):
    """The upload is not a CSV or XLSX file this reader can open. The message gives the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row as a spreadsheet numbers it (the first row is 1), with its cells from column A."""

    number: int
    cells: list[CellValue]


def detect_format(content: bytes, filename: str | None, content_type: str | None) -> FileFormat:
    """Choose the parser from the ZIP signature, else the file name, else the content type."""
    if content.startswith(ZIP_SIGNATURE):
        return "xlsx"
    if content.startswith(CFB_SIGNATURE):
        raise UnreadableFile(
            "the file is a legacy .xls workbook or a password-protected workbook; "
            "save it as .xlsx without a password, or as CSV"
        )
    name = (filename or "").lower()
    media_type = (content_type or "").split(";")[0].strip().lower()
    if name.endswith(XLSX_EXTENSIONS) or media_type == XLSX_CONTENT_TYPE:
        return "xlsx"
    return "csv"


def read_rows(content: bytes, file_format: FileFormat) -> list[SheetRow]:
    if file_format == "xlsx":
        return read_xlsx_rows(content)
    return read_csv_rows(content)


def read_xlsx_rows(content: bytes) -> list[SheetRow]:
    """Read the first worksheet's cached values; formulas give the result Excel last saved."""
    if not content.startswith(ZIP_SIGNATURE):
        raise UnreadableFile("the file is not a valid XLSX workbook; save it again as .xlsx or CSV")
    # openpyxl raises many exception types for a damaged archive or damaged XML (BadZipFile,
    # KeyError, InvalidFileException, ValueError, lxml and ElementTree errors), and in
    # read-only mode it parses lazily, so the whole read sits inside one handler.
    try:
        _check_uncompressed_size(content)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise UnreadableFile("the workbook has no worksheet")
            sheet = workbook.worksheets[0]
            return [
                SheetRow(number=number, cells=list(values))
                for number, values in enumerate(
                    sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1
                )
            ]
        finally:
            workbook.close()
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise UnreadableFile(
            "the file is not a valid XLSX workbook (damaged ZIP archive); save it again"
        ) from error
    except Exception as error:
        raise UnreadableFile(
            f"the file is not a valid XLSX workbook ({type(error).__name__}); save it again "
            "as .xlsx from Excel, or as CSV"
        ) from error


def _check_uncompressed_size(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        total = sum(entry.file_size for entry in archive.infolist())
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        limit = MAX_XLSX_UNCOMPRESSED_BYTES // (1024 * 1024)
        raise UnreadableFile(f"the workbook expands to more than {limit} MB; split it or save it as CSV")


def decode_text(content: bytes) -> str:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")

    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARACTERS.search(text):
            break
        return text
    raise UnreadableFile(
        "the file is neither a CSV text file nor an XLSX workbook; upload a .csv "
        "(UTF-8 or Windows-1252) or .xlsx file"
    )


def read_csv_rows(content: bytes) -> list[SheetRow]:
    """Parse CSV text, taking the delimiter from the header line (comma, semicolon or tab).

    Rows are numbered per record, as a spreadsheet shows them, so a quoted cell with a line
    break counts once. Excel's optional first line `sep=;` sets the delimiter and is not a row.
    """
    text = decode_text(content)
    first_line, _, rest = text.partition("\n")
    if separator := _SEPARATOR_LINE.fullmatch(first_line.strip()):
        delimiter = separator.group(1)
        text = rest
    else:
        delimiter = sniff_delimiter(text)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[SheetRow] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append(SheetRow(number=number, cells=list(cells)))
    except csv.Error as error:
        raise UnreadableFile(
            f"the CSV is malformed after row {len(rows)}: {error}; check that quotes are closed"
        ) from error
    return rows


def sniff_delimiter(text: str) -> str:
    """Return the delimiter that occurs most often, outside quotes, in the first non-blank line."""
    header = next((line for line in _logical_lines(text) if line.strip()), "")
    counts = {delimiter: 0 for delimiter in DELIMITERS}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _logical_lines(text: str) -> Iterator[str]:
    """Yield lines, keeping a quoted line break inside its line."""
    start = 0
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            yield text[start:index]
            start = index + 1
    yield text[start:]
