"""Parsing of PartnerBPS "Partnership Overview" rows, on small rows written for the tests."""

from __future__ import annotations

import pytest

from catalog_api.partnerships.export import EXPORT_COLUMNS, Fees, ParsedRow, parse_export_row
from partnerfund_shared.tabular import read_table
from tests.catalog_api.vocabulary_builders import make_vocabulary

HEADER = (
    "school_name,rc_code,school_neighborhood,school_grades,school_hours,organization_name,"
    "organization_website,program_name,program_areas,program_subareas,days_of_operation,"
    "time_of_day,grades_served,student_fees,service_capacity,has_program_description,"
    "has_goals_outcomes"
)
VALID_ROW = (
    "Elm Street Elementary,101999,Roxbury,K1-5,8:00-2:30,Readers Unite,readers.example.org,"
    'Reading Buddies,"Academic Support & Enrichment;Social Emotional & Behavioral Health",'
    "Literacy;Multi-disciplinary,Monday;Wed,School Day (Class Time);After School,K2;1;2,"
    "No,1200,yes,no"
)


def parse_rows(*rows: str, header: str = HEADER) -> list[ParsedRow]:
    content = "\n".join([header, *rows]).encode()
    table = read_table(content, filename="export.csv", columns=EXPORT_COLUMNS)
    vocabulary = make_vocabulary()
    return [parse_export_row(row, table.columns, vocabulary) for row in table.rows]


def only_row(*rows: str, header: str = HEADER) -> ParsedRow:
    (parsed,) = parse_rows(*rows, header=header)
    return parsed


class TestValidRow:
    def test_labels_become_canonical_terms(self) -> None:
        row = only_row(VALID_ROW).row
        assert row is not None

        assert [term.value for term in row.program_areas] == [
            "Academic Support & Enrichment",
            "Social, Emotional & Behavioral Health",
        ]
        assert [term.value for term in row.program_subareas] == ["Literacy", "Multidisciplinary"]
        assert [term.value for term in row.days_of_operation] == ["Monday", "Wednesday"]
        assert [term.value for term in row.time_of_day] == [
            "School Day (Class Time)",
            "Afterschool",
        ]

    def test_grades_and_school_fields_are_parsed(self) -> None:
        row = only_row(VALID_ROW).row
        assert row is not None

        assert [term.value for term in row.grades_served] == ["K2", "1", "2"]
        assert [term.value for term in row.school_grades] == [
            "K1", "K2", "1", "2", "3", "4", "5"
        ]  # fmt: skip
        assert row.school_grades_label == "K1-5"
        assert row.rc_code == "101999"
        assert row.school_neighborhood == "Roxbury"
        assert row.school_hours == "8:00-2:30"

    def test_fees_capacity_and_flags_are_parsed(self) -> None:
        row = only_row(VALID_ROW).row
        assert row is not None

        assert row.student_fees is Fees.NO
        assert row.service_capacity == 1200
        assert row.has_program_description is True
        assert row.has_goals_outcomes is False

    def test_row_number_counts_the_header(self) -> None:
        rows = parse_rows(VALID_ROW, VALID_ROW)

        assert [parsed.row.number for parsed in rows if parsed.row] == [2, 3]


class TestBlankCells:
    def test_blank_optional_cells_give_empty_values(self) -> None:
        parsed = only_row("Elm Street Elementary,,,,,Readers Unite,,Reading Buddies,,,,,,,,,")
        row = parsed.row
        assert row is not None

        assert parsed.problems == []
        assert row.rc_code is None
        assert row.program_areas == ()
        assert row.time_of_day == ()
        assert row.grades_served == ()
        assert row.student_fees is Fees.UNKNOWN
        assert row.service_capacity is None
        assert row.organization_website is None

    def test_optional_columns_may_be_absent(self) -> None:
        parsed = only_row(
            "Elm Street Elementary,101999,Readers Unite,Reading Buddies",
            header="School Name,RC Code,Organization Name,Program Name",
        )

        assert parsed.problems == []
        assert parsed.row is not None
        assert parsed.row.program_name == "Reading Buddies"

    @pytest.mark.parametrize("fees", ["Unknown", "unknown", ""])
    def test_unknown_and_blank_fees_are_unknown(self, fees: str) -> None:
        row = only_row(f"Elm,101999,,,,Org,,Prog,,,,,,{fees},,,").row

        assert row is not None
        assert row.student_fees is Fees.UNKNOWN


class TestProblems:
    def test_every_problem_of_a_row_is_listed(self) -> None:
        parsed = only_row(
            ",10199,,K1-5,,,,Reading Buddies,Underwater Basketry,Literacy,Funday,"
            "Midnight,K1;14,Maybe,lots,perhaps,"
        )

        assert parsed.row is None
        columns = sorted(problem.column or "" for problem in parsed.problems)
        assert columns == [
            "days_of_operation",
            "grades_served",
            "has_program_description",
            "organization_name",
            "program_areas",
            "rc_code",
            "school_name",
            "service_capacity",
            "student_fees",
            "time_of_day",
        ]

    def test_unknown_area_names_the_value_and_the_fix(self) -> None:
        parsed = only_row("Elm,101999,,,,Org,,Prog,Arts Programming;Underwater Basketry,,,,,,,,")

        (problem,) = parsed.problems
        assert problem.row == 2
        assert problem.column == "program_areas"
        assert problem.value == "Arts Programming;Underwater Basketry"
        assert "'Underwater Basketry'" in problem.message
        assert "synonym" in problem.message

    def test_problem_names_the_header_as_written(self) -> None:
        parsed = only_row(
            "Elm,101999,Org,Prog,9-K1",
            header="School Name,RC Code,Organization Name,Program Name,Grades Served",
        )

        (problem,) = parsed.problems
        assert problem.column == "Grades Served"
        assert "runs backwards" in problem.message

    def test_rc_code_needs_six_digits(self) -> None:
        parsed = only_row("Elm,1019,,,,Org,,Prog,,,,,,,,,")

        (problem,) = parsed.problems
        assert problem.column == "rc_code"
        assert "6 digits" in problem.message
