import pytest

from catalog_api.vocabularies.terms import GradeRangeInvalid, VocabularyKind, split_cell
from tests.catalog_api.vocabulary_builders import make_vocabulary


def grade_labels(text: str) -> list[str]:
    return [term.value for term in make_vocabulary().expand_grades(text)]


class TestResolve:
    @pytest.mark.parametrize(
        "spelling",
        [
            "Social, Emotional & Behavioral Health",
            "Social Emotional & Behavioral Health",
            "social emotional and behavioral health",
            "  SOCIAL-EMOTIONAL & BEHAVIORAL HEALTH ",
            "SEBH",
        ],
    )
    def test_spellings_of_one_area_resolve_to_it(self, spelling: str) -> None:
        term = make_vocabulary().resolve(VocabularyKind.PROGRAM_AREA, spelling)

        assert term is not None
        assert term.value == "Social, Emotional & Behavioral Health"

    def test_synonym_from_data_resolves(self) -> None:
        term = make_vocabulary().resolve(VocabularyKind.PROGRAM_SUBAREA, "Multi-disciplinary")

        assert term is not None
        assert term.value == "Multidisciplinary"

    def test_unknown_label_resolves_to_none(self) -> None:
        vocabulary = make_vocabulary()

        assert vocabulary.resolve(VocabularyKind.PROGRAM_AREA, "Underwater Basketry") is None
        assert vocabulary.resolve(VocabularyKind.PROGRAM_AREA, "   ") is None

    def test_label_of_another_kind_does_not_resolve(self) -> None:
        assert make_vocabulary().resolve(VocabularyKind.PROGRAM_AREA, "Literacy") is None


class TestHierarchy:
    def test_class_time_is_a_kind_of_school_day(self) -> None:
        vocabulary = make_vocabulary()
        class_time = vocabulary.resolve(VocabularyKind.TIME_OF_DAY, "School Day (Class Time)")
        assert class_time is not None

        ancestors = vocabulary.ancestors(class_time)

        assert [term.value for term in ancestors] == ["School Day"]

    def test_descendants_include_the_term_itself(self) -> None:
        vocabulary = make_vocabulary()
        school_day = vocabulary.resolve(VocabularyKind.TIME_OF_DAY, "School Day")
        assert school_day is not None

        descendants = vocabulary.descendants(school_day)

        assert [term.value for term in descendants] == ["School Day", "School Day (Class Time)"]


class TestExpandGrades:
    def test_list_is_sorted_in_grade_order(self) -> None:
        assert grade_labels("3;K2;1;Alternative Education;K0") == [
            "K0",
            "K2",
            "1",
            "3",
            "Alternative Education",
        ]

    def test_range_from_kindergarten_expands(self) -> None:
        assert grade_labels("K1-8") == ["K1", "K2", "1", "2", "3", "4", "5", "6", "7", "8"]

    def test_range_with_extra_grade_expands(self) -> None:
        assert grade_labels("K0-2,8") == ["K0", "K1", "K2", "1", "2", "8"]

    def test_open_top_grade_reads_as_twelve(self) -> None:
        assert grade_labels("11-12+") == ["11", "12"]

    def test_padded_numbers_and_bare_k_resolve(self) -> None:
        assert grade_labels("K-02") == ["K2", "1", "2"]

    def test_repeats_appear_once(self) -> None:
        assert grade_labels("K1;K1-1;1") == ["K1", "K2", "1"]

    def test_blank_gives_no_grades(self) -> None:
        assert grade_labels("") == []
        assert make_vocabulary().expand_grades(None) == []

    def test_backwards_range_is_invalid(self) -> None:
        with pytest.raises(GradeRangeInvalid, match="runs backwards"):
            grade_labels("8-K1")

    def test_unknown_grade_is_invalid(self) -> None:
        with pytest.raises(GradeRangeInvalid, match="'13'"):
            grade_labels("9;13")


class TestSplitCell:
    def test_parts_are_trimmed_and_blanks_dropped(self) -> None:
        assert split_cell(" Monday ;; Friday;") == ["Monday", "Friday"]

    def test_exact_repeats_are_dropped(self) -> None:
        assert split_cell("Monday;Monday") == ["Monday"]

    def test_none_gives_no_parts(self) -> None:
        assert split_cell(None) == []
