"""Reading CSV and XLSX uploads with `read_table`."""

from __future__ import annotations

import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font

from partnerfund_shared.errors import ImportRejected, InvalidInput
from partnerfund_shared.tabular import (
    CellError,
    ColumnSpec,
    ValueWithWarning,
    parse_choice,
    parse_columns_mapping,
    parse_digit_code,
    parse_money,
    parse_multi,
    parse_non_negative_int,
    parse_school_code,
    parse_score,
    parse_text,
    read_table,
    sources,
)

SCORE_COLUMNS = [
    ColumnSpec(
        "school_code",
        parse_school_code,
        synonyms=("School Code", "BPS Code", "bps_school_code"),
        unique=True,
    ),
    ColumnSpec("score", parse_score, header_patterns=(r"fy\d{2,4}oiscore",)),
    ColumnSpec("school_name", parse_text, required=False, allow_blank=True),
]


def make_xlsx(rows: list[list[Any]], *, sheet_title: str = "Scores") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rejection(content: bytes, filename: str = "scores.csv", **kwargs: Any) -> ImportRejected:
    kwargs.setdefault("columns", SCORE_COLUMNS)
    with pytest.raises(ImportRejected) as caught:
        read_table(content, filename=filename, **kwargs)
    return caught.value


def problems(error: ImportRejected) -> list[dict[str, Any]]:
    return [item.as_dict() for item in error.errors]


class TestCsv:
    def test_reads_rows_by_field_name(self) -> None:
        content = b"School Code,FY27 OI Score,School Name\n0101,0.623,Adams\n1010,0.5,Latin\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert [row.number for row in table.rows] == [2, 3]
        assert table.rows[0].values == {
            "school_code": "0101",
            "score": Decimal("0.623"),
            "school_name": "Adams",
        }
        assert table.rows[0].raw["score"] == "0.623"
        assert table.headers == ["School Code", "FY27 OI Score", "School Name"]
        assert table.columns["score"] == "FY27 OI Score"
        assert table.warnings == []

    def test_utf8_bom_is_removed_from_first_header(self) -> None:
        content = "\ufeffschool_code,score\n0101,0.7\n".encode()

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.headers[0] == "school_code"
        assert table.rows[0].values["school_code"] == "0101"

    def test_windows_1252_accents_and_curly_quotes(self) -> None:
        text = "school_code;score;school_name\r\n0101;0.7;École Writers’ Room\r\n"
        content = text.encode("cp1252")

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_name"] == "École Writers’ Room"

    def test_utf8_accents_are_not_read_as_cp1252(self) -> None:
        content = "school_code,score,school_name\n0101,0.7,Café\n".encode()

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_name"] == "Café"

    def test_utf16_with_bom_and_tabs(self) -> None:
        content = "school_code\tscore\r\n0101\t0.7\r\n".encode("utf-16")

        table = read_table(content, filename="scores.txt", columns=SCORE_COLUMNS)

        assert table.rows[0].values["score"] == Decimal("0.7")

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_delimiter_is_sniffed_from_header(self, delimiter: str) -> None:
        lines = ["School Code", "Score", "School Name"], ["0101", "0.7", "Adams, East Boston"]
        text = "\n".join(
            delimiter.join(f'"{cell}"' if "," in cell else cell for cell in line) for line in lines
        )

        table = read_table(text.encode(), filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_name"] == "Adams, East Boston"

    def test_semicolon_header_with_commas_inside_quotes(self) -> None:
        content = b'"Code, BPS";score;"Name, full"\n0101;0.7;Adams\n'
        columns = [ColumnSpec("school_code", parse_school_code, synonyms=("Code, BPS",))]

        table = read_table(content, filename="scores.csv", columns=columns)

        assert table.rows[0].values["school_code"] == "0101"

    def test_excel_separator_line_sets_delimiter(self) -> None:
        content = b"sep=;\r\nschool_code;score\r\n0101;0.7\r\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].number == 2
        assert table.rows[0].values["score"] == Decimal("0.7")

    def test_csv_sent_as_excel_content_type(self) -> None:
        content = b"school_code,score\r\n0101,0.7\r\n"

        table = read_table(
            content,
            filename="scores.csv",
            columns=SCORE_COLUMNS,
            content_type="application/vnd.ms-excel",
        )

        assert table.rows[0].values["school_code"] == "0101"

    def test_crlf_line_endings(self) -> None:
        content = b"school_code,score\r\n0101,0.7\r\n1010,0.2\r\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert [row.values["school_code"] for row in table.rows] == ["0101", "1010"]
        assert table.rows[1].raw["score"] == "0.2"

    def test_quoted_line_break_counts_as_one_row(self) -> None:
        content = b'school_code,score,school_name\n0101,0.7,"Adams\nAnnex"\n1010,x,Latin\n'

        error = rejection(content)

        assert problems(error)[0]["row"] == 3

    def test_cells_are_trimmed(self) -> None:
        content = b"school_code , score \n 0101 ,  0.7  \n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_code"] == "0101"
        assert table.rows[0].raw["score"] == "0.7"

    def test_blank_rows_are_skipped(self) -> None:
        content = b"school_code,score\n\n0101,0.7\n,\n  ,  \n1010,0.2\n\n\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert [row.number for row in table.rows] == [3, 6]

    def test_unclosed_quote_is_rejected(self) -> None:
        content = b'school_code,score\n0101,"0.7\n1010,0.2\n'

        error = rejection(content)

        assert "malformed" in error.errors[0].message


class TestHeaders:
    def test_match_ignores_case_spaces_and_punctuation(self) -> None:
        content = b"SCHOOL-CODE,  Sc\xc3\xb3re ,school  name\n0101,0.7,Adams\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.columns == {
            "school_code": "SCHOOL-CODE",
            "score": "Scóre",
            "school_name": "school  name",
        }

    def test_synonym_matches(self) -> None:
        content = b"bps_school_code,score\n0101,0.7\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_code"] == "0101"

    def test_header_pattern_matches_any_year(self) -> None:
        content = b"School Code,FY2031 OI Score\n0101,0.7\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.columns["score"] == "FY2031 OI Score"

    def test_unknown_columns_are_ignored(self) -> None:
        content = b"school_code,RC Code,score,notes\n0101,101203,0.7,#N/A\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values == {
            "school_code": "0101",
            "score": Decimal("0.7"),
            "school_name": None,
        }

    def test_mapping_overrides_synonyms(self) -> None:
        content = b"School Code,Other Code,score\n0101,2222,0.7\n"

        table = read_table(
            content,
            filename="scores.csv",
            columns=SCORE_COLUMNS,
            mapping={"school_code": "other code"},
        )

        assert table.rows[0].values["school_code"] == "2222"
        assert table.columns["school_code"] == "Other Code"

    def test_mapping_to_absent_header_is_a_problem(self) -> None:
        content = b"school_code,score\n0101,0.7\n"

        error = rejection(content, mapping={"school_code": "Code BPS"})

        assert problems(error) == [
            {
                "row": 1,
                "column": "Code BPS",
                "value": None,
                "message": (
                    "the columns mapping names header 'Code BPS' for school_code, "
                    "but the file has no such header"
                ),
            }
        ]

    def test_mapping_with_unknown_field_is_invalid_input(self) -> None:
        content = b"school_code,score\n0101,0.7\n"

        with pytest.raises(InvalidInput) as caught:
            read_table(content, filename="s.csv", columns=SCORE_COLUMNS, mapping={"rc": "RC"})

        assert not isinstance(caught.value, ImportRejected)
        assert "unknown field 'rc'" in caught.value.errors[0].message

    def test_mapped_header_is_not_matched_again_by_synonym(self) -> None:
        content = b"BPS Code,score\n0101,0.7\n"
        columns = [
            *SCORE_COLUMNS,
            ColumnSpec("legacy_code", parse_text, synonyms=("BPS Code",), required=False),
        ]

        table = read_table(content, filename="s.csv", columns=columns, mapping={"school_code": "BPS Code"})

        assert table.rows[0].values["legacy_code"] is None

    def test_missing_required_column_names_accepted_spellings(self) -> None:
        content = b"Code,score\n0101,0.7\n"

        error = rejection(content)

        assert len(error.errors) == 1
        message = error.errors[0].message
        assert message.startswith("missing column school_code")
        assert "'BPS Code'" in message
        assert "'bps_school_code'" in message
        assert error.errors[0].row == 1

    def test_missing_optional_column_gives_none(self) -> None:
        content = b"school_code,score\n0101,0.7\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_name"] is None
        assert "school_name" not in table.columns

    def test_identical_headers_are_rejected(self) -> None:
        content = b"school_code,score,Score\n0101,0.7,0.8\n"

        error = rejection(content)

        assert len(error.errors) == 1
        assert error.errors[0].message.startswith("duplicate columns for score: 'score' and 'Score'")
        assert error.errors[0].column == "Score"

    def test_two_synonyms_for_one_field_are_rejected(self) -> None:
        content = b"School Code,BPS Code,score\n0101,0101,0.7\n"

        error = rejection(content)

        assert "duplicate columns for school_code" in error.errors[0].message

    def test_duplicate_resolved_by_mapping(self) -> None:
        content = b"School Code,BPS Code,score\n0101,1010,0.7\n"

        table = read_table(
            content, filename="s.csv", columns=SCORE_COLUMNS, mapping={"school_code": "BPS Code"}
        )

        assert table.rows[0].values["school_code"] == "1010"

    def test_header_matching_two_fields_is_rejected(self) -> None:
        content = b"code,score\n0101,0.7\n"
        columns = [
            ColumnSpec("school_code", parse_text, synonyms=("code",)),
            ColumnSpec("rc_code", parse_text, synonyms=("code",)),
        ]

        error = rejection(content, columns=columns)

        assert problems(error)[0]["message"] == (
            "header 'code' matches fields school_code, rc_code; choose with the columns field"
        )

    def test_unused_duplicate_headers_are_ignored(self) -> None:
        content = b"school_code,score,notes,Notes\n0101,0.7,a,b\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert len(table.rows) == 1


class TestProblems:
    def test_every_problem_is_listed(self) -> None:
        content = b"School Code,FY27 OI Score\n101,0.7\n1010,1.5\n1020,\n1030,0.2\n1010,abc\n"

        error = rejection(content)

        assert error.detail == "5 problems in scores.csv; nothing was imported."
        assert problems(error) == [
            {
                "row": 2,
                "column": "School Code",
                "value": "101",
                "message": "school code must be 4 digits",
            },
            {
                "row": 3,
                "column": "FY27 OI Score",
                "value": "1.5",
                "message": "score must be between 0 and 1",
            },
            {
                "row": 4,
                "column": "FY27 OI Score",
                "value": "",
                "message": "a value is required for score",
            },
            {
                "row": 6,
                "column": "School Code",
                "value": "1010",
                "message": "school_code 1010 repeats row 3",
            },
            {"row": 6, "column": "FY27 OI Score", "value": "abc", "message": "must be a number"},
        ]

    def test_single_problem_detail_is_singular(self) -> None:
        error = rejection(b"school_code,score\n0101,2\n")

        assert error.detail == "1 problem in scores.csv; nothing was imported."

    def test_detail_without_filename(self) -> None:
        with pytest.raises(ImportRejected) as caught:
            read_table(b"school_code,score\n0101,2\n", filename=None, columns=SCORE_COLUMNS)

        assert caught.value.detail == "1 problem in the file; nothing was imported."

    def test_header_and_cell_problems_are_listed_together(self) -> None:
        content = b"school_code,points\nabcd,1\n"

        error = rejection(content)

        messages = [item.message for item in error.errors]
        assert messages[0].startswith("missing column score")
        assert messages[1] == "school code must be 4 digits"

    def test_blank_cell_allowed_gives_none(self) -> None:
        content = b"school_code,score,school_name\n0101,0.7,\n"

        table = read_table(content, filename="scores.csv", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_name"] is None

    @pytest.mark.parametrize("code", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
    def test_excel_error_text_in_csv_is_rejected(self, code: str) -> None:
        content = f"school_code,score\n0101,{code}\n".encode()

        error = rejection(content)

        assert problems(error) == [
            {
                "row": 2,
                "column": "score",
                "value": code,
                "message": f"Excel error {code} in this cell; fix the formula or type the value",
            }
        ]

    def test_excel_error_in_blank_allowed_column_is_rejected(self) -> None:
        content = b"school_code,score,school_name\n0101,0.7,#REF!\n"

        error = rejection(content)

        assert error.errors[0].column == "school_name"

    def test_problem_list_is_capped(self) -> None:
        content = b"school_code,score\n" + b"".join(b"%04d,9\n" % n for n in range(1, 1201))

        error = rejection(content)

        assert len(error.errors) == 1000
        assert error.detail == (
            "1200 problems in scores.csv; the first 1000 are listed. Nothing was imported."
        )

    def test_table_problem_builds_located_item(self) -> None:
        table = read_table(b"School Code,score\n0101,0.7\n", filename="s.csv", columns=SCORE_COLUMNS)

        item = table.problem(table.rows[0], "school_code", "no school has this code")

        assert item.as_dict() == {
            "row": 2,
            "column": "School Code",
            "value": "0101",
            "message": "no school has this code",
        }

    def test_parser_warning_is_reported(self) -> None:
        def parse_flagged(value: object) -> ValueWithWarning:
            return ValueWithWarning(str(value), "looks odd")

        columns = [ColumnSpec("name", parse_flagged)]

        table = read_table(b"name\nx\n", filename="n.csv", columns=columns)

        assert table.rows[0].values["name"] == "x"
        assert [item.as_dict() for item in table.warnings] == [
            {"row": 2, "column": "name", "value": "x", "message": "looks odd"}
        ]

    def test_parser_error_message_is_kept(self) -> None:
        def parse_never(value: object) -> str:
            raise CellError("not today")

        error = rejection(b"name\nx\n", columns=[ColumnSpec("name", parse_never)])

        assert error.errors[0].message == "not today"


class TestEmptyAndUnreadable:
    @pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf", b" , ,\r\n"])
    def test_empty_file(self, content: bytes) -> None:
        error = rejection(content)

        assert problems(error) == [{"message": "the file is empty: it has no header row and no data rows"}]

    def test_header_only_file(self) -> None:
        error = rejection(b"school_code,score\r\n\r\n")

        assert problems(error) == [
            {"row": 1, "value": None, "message": "the file has no data rows below the header"}
        ]

    def test_binary_garbage(self) -> None:
        content = bytes(range(256)) * 4

        error = rejection(content, filename="scores.csv")

        assert "neither a CSV text file nor an XLSX workbook" in error.errors[0].message

    def test_png_bytes(self) -> None:
        content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)

        error = rejection(content, filename="scores.csv")

        assert error.detail == "1 problem in scores.csv; nothing was imported."

    def test_corrupt_xlsx(self) -> None:
        content = make_xlsx([["school_code", "score"], ["0101", 0.7]])[:300]

        error = rejection(content, filename="scores.xlsx")

        assert error.errors[0].message.startswith("the file is not a valid XLSX workbook")

    def test_zip_that_is_not_a_workbook(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")

        error = rejection(buffer.getvalue(), filename="scores.zip")

        assert error.errors[0].message.startswith("the file is not a valid XLSX workbook")

    def test_xlsx_name_with_csv_content(self) -> None:
        error = rejection(b"school_code,score\n0101,0.7\n", filename="scores.xlsx")

        assert error.errors[0].message.startswith("the file is not a valid XLSX workbook")

    def test_legacy_xls(self) -> None:
        content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

        error = rejection(content, filename="scores.xls")

        assert "legacy .xls" in error.errors[0].message


class TestXlsx:
    def test_reads_typed_cells(self) -> None:
        content = make_xlsx(
            [
                ["School Code", "FY27 OI Score", "School Name"],
                ["0101", 0.623, "Adams"],
                ["1010", 0.1, "Latin"],
            ]
        )

        table = read_table(content, filename="scores.xlsx", columns=SCORE_COLUMNS)

        assert [row.values["score"] for row in table.rows] == [Decimal("0.623"), Decimal("0.1")]
        assert table.rows[1].raw["score"] == "0.1"

    @pytest.mark.parametrize(
        ("filename", "content_type"),
        [
            (None, None),
            ("upload.bin", None),
            (None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ],
    )
    def test_detected_without_extension(self, filename: str | None, content_type: str | None) -> None:
        content = make_xlsx([["school_code", "score"], ["0101", 0.7]])

        table = read_table(content, filename=filename, columns=SCORE_COLUMNS, content_type=content_type)

        assert table.rows[0].values["score"] == Decimal("0.7")

    def test_workbook_expanding_too_far_is_rejected(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sources, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
        content = make_xlsx([["school_code", "score"], ["0101", 0.7]])

        error = rejection(content, filename="scores.xlsx")

        assert error.errors[0].message.startswith("the workbook expands to more than")

    def test_numeric_school_code_is_padded_with_warning(self) -> None:
        content = make_xlsx([["school_code", "score"], [101, 0.7], [1010, 0.2]])

        table = read_table(content, filename="scores.xlsx", columns=SCORE_COLUMNS)

        assert [row.values["school_code"] for row in table.rows] == ["0101", "1010"]
        assert len(table.warnings) == 1
        warning = table.warnings[0]
        assert (warning.row, warning.column, warning.value) == (2, "school_code", "101")
        assert "read it as 0101" in warning.message

    def test_fractional_numeric_school_code_is_rejected(self) -> None:
        content = make_xlsx([["school_code", "score"], [101.5, 0.7]])

        error = rejection(content, filename="scores.xlsx")

        assert problems(error)[0]["value"] == "101.5"

    def test_error_cell_is_rejected_with_its_cell(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["school_code", "score"])
        sheet.append(["0101", 0.7])
        sheet["A3"] = "1010"
        sheet["B3"] = "#N/A"
        sheet["B3"].data_type = "e"
        buffer = io.BytesIO()
        workbook.save(buffer)

        error = rejection(buffer.getvalue(), filename="scores.xlsx")

        assert problems(error) == [
            {
                "row": 3,
                "column": "score",
                "value": "#N/A",
                "message": "Excel error #N/A in this cell; fix the formula or type the value",
            }
        ]

    def test_formatted_empty_rows_are_ignored(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["school_code", "score"])
        sheet.append(["0101", 0.7])
        for row in range(3, 40):
            for column in range(1, 8):
                sheet.cell(row, column).font = Font(bold=True)
        buffer = io.BytesIO()
        workbook.save(buffer)

        table = read_table(buffer.getvalue(), filename="scores.xlsx", columns=SCORE_COLUMNS)

        assert len(table.rows) == 1
        assert table.headers == ["school_code", "score"]

    def test_blank_rows_between_data_keep_sheet_numbers(self) -> None:
        content = make_xlsx([["school_code", "score"], ["0101", 0.7], [None, None], ["1010", "x"]])

        error = rejection(content, filename="scores.xlsx")

        assert problems(error)[0]["row"] == 4

    def test_header_below_blank_rows(self) -> None:
        content = make_xlsx([[], [], ["school_code", "score"], ["0101", 0.7]])

        table = read_table(content, filename="scores.xlsx", columns=SCORE_COLUMNS)

        assert table.rows[0].number == 4

    def test_only_first_sheet_is_read(self) -> None:
        workbook = openpyxl.Workbook()
        first = workbook.active
        assert first is not None
        first.append(["school_code", "score"])
        first.append(["0101", 0.7])
        second = workbook.create_sheet("Other")
        second.append(["school_code", "score"])
        second.append(["9999", "bad"])
        workbook.active = 1
        buffer = io.BytesIO()
        workbook.save(buffer)

        table = read_table(buffer.getvalue(), filename="scores.xlsx", columns=SCORE_COLUMNS)

        assert table.rows[0].values["school_code"] == "0101"

    def test_formula_reads_cached_value_or_blank(self) -> None:
        # openpyxl stores no cached result for a formula, as a file never opened in Excel.
        content = make_xlsx([["school_code", "score"], ["0101", "=0.5+0.1"]])

        error = rejection(content, filename="scores.xlsx")

        assert error.errors[0].message == "a value is required for score"

    def test_header_only_workbook(self) -> None:
        content = make_xlsx([["school_code", "score"]])

        error = rejection(content, filename="scores.xlsx")

        assert error.errors[0].message == "the file has no data rows below the header"

    def test_empty_workbook(self) -> None:
        error = rejection(make_xlsx([]), filename="scores.xlsx")

        assert error.errors[0].message.startswith("the file is empty")

    def test_enrollment_and_money_cells(self) -> None:
        columns = [
            ColumnSpec("school_code", parse_school_code),
            ColumnSpec("enrollment", parse_non_negative_int),
            ColumnSpec("amount", parse_money),
        ]
        content = make_xlsx(
            [
                ["school_code", "enrollment", "amount"],
                ["0101", 412.0, 1234.5],
                ["1010", 27, "$1,000"],
            ]
        )

        table = read_table(content, filename="e.xlsx", columns=columns)

        assert table.rows[0].values == {
            "school_code": "0101",
            "enrollment": 412,
            "amount": Decimal("1234.50"),
        }
        assert table.rows[1].values["amount"] == Decimal("1000.00")


class TestColumnsMapping:
    FIELDS = ("school_code", "score", "school_name")

    @pytest.mark.parametrize("text", [None, "", "   "])
    def test_absent_gives_none(self, text: str | None) -> None:
        assert parse_columns_mapping(text, self.FIELDS) is None

    def test_valid_mapping(self) -> None:
        mapping = parse_columns_mapping('{"school_code": " BPS Code "}', self.FIELDS)

        assert mapping == {"school_code": "BPS Code"}

    def test_invalid_json(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_columns_mapping("{school_code: x}", self.FIELDS)

        assert caught.value.detail.startswith("The columns field is not valid JSON")
        assert caught.value.errors[0].loc == ("body", "columns")

    @pytest.mark.parametrize("text", ["[]", '"x"', "3"])
    def test_not_an_object(self, text: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_columns_mapping(text, self.FIELDS)

        assert caught.value.errors[0].message == "must be a JSON object"

    def test_unknown_field_lists_known_fields(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_columns_mapping('{"code": "BPS Code", "score": 5}', self.FIELDS)

        assert [item.as_dict() for item in caught.value.errors] == [
            {
                "loc": ["body", "columns", "code"],
                "message": "unknown field 'code'; known fields: school_code, score, school_name",
            },
            {
                "loc": ["body", "columns", "score"],
                "message": "must be the header text of a column in the file",
            },
        ]

    def test_two_fields_one_header(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            parse_columns_mapping('{"school_code": "Code", "school_name": "code"}', self.FIELDS)

        assert "school_code, school_name are all mapped to header 'Code'" in caught.value.errors[0].message

    def test_accepts_column_specs_names(self) -> None:
        mapping = parse_columns_mapping('{"score": "Points"}', [spec.name for spec in SCORE_COLUMNS])

        assert mapping == {"score": "Points"}


REAL_DATA_DIR = os.environ.get("PARTNERFUND_REAL_DATA_DIR")
real_data = pytest.mark.skipif(
    not REAL_DATA_DIR,
    reason="PARTNERFUND_REAL_DATA_DIR is not set; the real district files are not available",
)


@pytest.mark.real_data
@real_data
class TestRealDistrictFiles:
    def test_opportunity_index_sheet(self) -> None:
        content = (Path(REAL_DATA_DIR or "") / "bps_opportunity_index_fy27.csv").read_bytes()
        columns = [
            SCORE_COLUMNS[0],
            ColumnSpec("score", parse_score, header_patterns=(r"fy\d{2,4}oiscore",), allow_blank=True),
            SCORE_COLUMNS[2],
        ]

        table = read_table(content, filename="oi.csv", columns=columns)

        assert len(table.rows) == 114
        assert sum(1 for row in table.rows if row.values["score"] is None) == 4
        eligible = [row for row in table.rows if (row.values["score"] or 0) >= Decimal("0.56")]
        assert len(eligible) == 55

    def test_school_list(self) -> None:
        content = (Path(REAL_DATA_DIR or "") / "bps_schools_sy2025_26.csv").read_bytes()
        columns = [
            ColumnSpec("school_code", parse_school_code, synonyms=("bps_school_code",), allow_blank=True),
            ColumnSpec("dese_code", parse_digit_code(8, "DESE code"), synonyms=("dese_school_id",)),
            ColumnSpec("enrollment", parse_non_negative_int, synonyms=("total_enrollment_sy2026",)),
        ]

        table = read_table(content, filename="schools.csv", columns=columns)

        assert len(table.rows) == 105
        assert sum(row.values["enrollment"] for row in table.rows) == 44416
        assert table.rows[0].values["dese_code"] == "00350302"

    def test_partnership_export(self) -> None:
        content = (Path(REAL_DATA_DIR or "") / "partnerbps_partnership_records_sample.csv").read_bytes()
        columns = [
            ColumnSpec("program_name", parse_text),
            ColumnSpec("program_areas", parse_multi(";"), allow_blank=True),
            ColumnSpec(
                "student_fees",
                parse_choice({"Yes": "yes", "No": "no", "Unknown": "unknown"}),
                allow_blank=True,
            ),
        ]

        table = read_table(content, filename="partnerships.csv", columns=columns)

        assert len(table.rows) == 610
        assert any("’" in row.values["program_name"] for row in table.rows)
