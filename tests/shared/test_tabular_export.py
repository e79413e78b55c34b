"""CSV and XLSX export writers of the shared tabular package."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerfund_shared.tabular import (
    EXCEL_ERROR_VALUES,
    ColumnSpec,
    parse_money,
    parse_school_code,
    parse_text,
    read_table,
    write_csv,
    write_xlsx,
)

HEADERS = ["school_code", "school_name", "amount"]
ROWS = [
    ["0101", "Adams, East Boston", Decimal("1234.50")],
    ["1010", '=HYPERLINK("http://example.org")', Decimal("-5.00")],
    ["1020", "-3 students", Decimal("0.10")],
    ["1030", "@SUM(A1)", Decimal("100")],
]
COLUMNS = [
    ColumnSpec("school_code", parse_school_code),
    ColumnSpec("school_name", parse_text),
    ColumnSpec("amount", parse_money),
]


class TestWriteCsv:
    def test_bom_crlf_and_plain_decimals(self) -> None:
        content = write_csv(["code", "amount"], [["0101", Decimal("1E+2")], ["1010", Decimal("12.50")]])

        assert content.startswith(b"\xef\xbb\xbf")
        assert content == b"\xef\xbb\xbfcode,amount\r\n0101,100\r\n1010,12.50\r\n"

    @pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@cmd", "\tx", "\rx"])
    def test_formula_text_is_prefixed(self, text: str) -> None:
        content = write_csv(["note"], [[text]]).decode("utf-8-sig")

        rows = content.split("\r\n", 1)[1]
        assert rows.lstrip('"').startswith("'" + text[0])

    def test_numbers_are_never_prefixed(self) -> None:
        content = write_csv(["a", "b", "c"], [[Decimal("-5.00"), -3, -1.5]])

        assert content.endswith(b"-5.00,-3,-1.5\r\n")

    def test_none_bool_and_date(self) -> None:
        content = write_csv(["a", "b", "c"], [[None, True, date(2027, 12, 8)]])

        assert content.endswith(b",TRUE,2027-12-08\r\n")

    def test_formula_header_is_prefixed(self) -> None:
        content = write_csv(["=x"], [])

        assert content == b"\xef\xbb\xbf'=x\r\n"

    def test_round_trip_through_reader(self) -> None:
        content = write_csv(HEADERS, ROWS)

        table = read_table(content, filename="allocations.csv", columns=COLUMNS)

        assert [row.values["amount"] for row in table.rows] == [row[2] for row in ROWS]
        assert [row.values["school_code"] for row in table.rows] == ["0101", "1010", "1020", "1030"]
        assert table.rows[0].values["school_name"] == "Adams, East Boston"
        assert table.rows[1].values["school_name"] == '\'=HYPERLINK("http://example.org")'
        assert table.rows[2].values["school_name"] == "'-3 students"

    def test_non_ascii_text_round_trips(self) -> None:
        content = write_csv(["school_name"], [["École Writers’ Room"]])

        table = read_table(content, filename="x.csv", columns=[ColumnSpec("school_name", parse_text)])

        assert table.rows[0].values["school_name"] == "École Writers’ Room"


class TestWriteXlsx:
    def test_formula_text_is_stored_as_string(self) -> None:
        content = write_xlsx(HEADERS, ROWS, "Allocations")

        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook["Allocations"]
        assert sheet["B3"].value == '=HYPERLINK("http://example.org")'
        assert sheet["B3"].data_type == "s"

    def test_decimals_are_numbers_with_money_format(self) -> None:
        content = write_xlsx(HEADERS, ROWS, "Allocations")

        sheet = openpyxl.load_workbook(io.BytesIO(content))["Allocations"]
        assert sheet["C2"].data_type == "n"
        assert sheet["C2"].number_format == "#,##0.00"
        assert sheet["C5"].number_format == "General"
        assert sheet["A2"].value == "0101"

    def test_header_is_bold_and_frozen(self) -> None:
        sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(HEADERS, ROWS)))["Sheet1"]

        assert sheet["A1"].font.bold is True
        assert sheet.freeze_panes == "A2"

    def test_round_trip_through_reader(self) -> None:
        content = write_xlsx(HEADERS, ROWS, "Allocations")

        table = read_table(content, filename="allocations.xlsx", columns=COLUMNS)

        assert [row.values["school_name"] for row in table.rows] == [row[1] for row in ROWS]
        assert [row.values["amount"] for row in table.rows] == [row[2] for row in ROWS]
        assert [row.values["school_code"] for row in table.rows] == ["0101", "1010", "1020", "1030"]
        assert table.warnings == []

    def test_large_amount_round_trips(self) -> None:
        amount = Decimal("999999999999.99")
        content = write_xlsx(["amount"], [[amount]])

        table = read_table(content, filename="x.xlsx", columns=[ColumnSpec("amount", parse_money)])

        assert table.rows[0].values["amount"] == amount

    @pytest.mark.parametrize("name", ["", "a" * 32, "FY28/29", "[draft]", "a:b"])
    def test_invalid_sheet_name(self, name: str) -> None:
        with pytest.raises(ValueError, match="invalid sheet name"):
            write_xlsx(HEADERS, ROWS, name)

    def test_control_characters_are_dropped(self) -> None:
        content = write_xlsx(["note"], [["bell\x07 and\x00 nul\ttab"]])

        sheet = openpyxl.load_workbook(io.BytesIO(content))["Sheet1"]
        assert sheet["A2"].value == "bell and nul\ttab"

    @given(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
            min_size=1,
        ).filter(lambda text: text.strip() not in {"", *EXCEL_ERROR_VALUES})
    )
    def test_any_text_round_trips(self, text: str) -> None:
        content = write_xlsx(["note"], [[text]])

        table = read_table(content, filename="x.xlsx", columns=[ColumnSpec("note", parse_text)])

        assert table.rows[0].values["note"] == text.strip()


class TestCsvTextRoundTrip:
    @given(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
        ).filter(lambda text: text.strip() not in {"", *EXCEL_ERROR_VALUES})
    )
    def test_any_text_round_trips(self, text: str) -> None:
        content = write_csv(["note"], [[text]])

        table = read_table(content, filename="x.csv", columns=[ColumnSpec("note", parse_text)])

        expected = text.strip()
        if text.startswith(("=", "+", "-", "@")):
            expected = "'" + text.strip()
        assert table.rows[0].values["note"] == expected
