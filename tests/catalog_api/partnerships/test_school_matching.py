from catalog_api.partnerships.school_matching import (
    MatchMethod,
    SchoolMatcher,
    SchoolRef,
)

SCHOOLS = [
    SchoolRef(id=1, school_code="4560", name="Sumner Elementary School", rc_code="101420"),
    SchoolRef(id=2, school_code="4563", name="Roberts Elementary", rc_code="101420"),
    SchoolRef(id=3, school_code="4561", name="Philbrick Elementary School", rc_code="101394"),
    SchoolRef(id=4, school_code="1053", name="Margarita Muniz Academy", rc_code="101667"),
    SchoolRef(id=5, school_code="4100", name="Dever Elementary School", rc_code=None),
]


def matcher() -> SchoolMatcher:
    return SchoolMatcher(SCHOOLS)


class TestMatchByRcCode:
    def test_unique_rc_code_wins_over_the_name(self) -> None:
        match = matcher().match("101394", "Sarah Roberts  Elementary ")

        assert match.school is not None
        assert match.school.school_code == "4561"
        assert match.method is MatchMethod.RC_CODE

    def test_shared_rc_code_is_settled_by_name(self) -> None:
        match = matcher().match("101420", "Sumner Elementary School")

        assert match.school is not None
        assert match.school.school_code == "4560"
        assert match.method is MatchMethod.RC_CODE_AND_NAME

    def test_shared_rc_code_matches_a_shortened_name(self) -> None:
        match = matcher().match("101420", "Roberts K-8")

        assert match.school is not None
        assert match.school.school_code == "4563"

    def test_shared_rc_code_with_unrelated_name_matches_nothing(self) -> None:
        match = matcher().match("101420", "Elementary School")

        assert match.school is None
        assert match.reason is not None
        assert "shared by" in match.reason
        assert "4560" in match.reason
        assert "4563" in match.reason


class TestMatchByName:
    def test_unknown_rc_code_uses_exact_name(self) -> None:
        match = matcher().match("109999", "Margarita Muñiz Academy")

        assert match.school is not None
        assert match.school.school_code == "1053"
        assert match.method is MatchMethod.NAME

    def test_blank_rc_code_uses_exact_name(self) -> None:
        match = matcher().match(None, "dever elementary school")

        assert match.school is not None
        assert match.school.school_code == "4100"

    def test_blank_rc_code_and_unknown_name_matches_nothing(self) -> None:
        match = matcher().match(None, "Department of Early Childhood")

        assert match.school is None
        assert match.reason == (
            "the RC code is blank and no school has the name 'Department of Early Childhood'"
        )

    def test_unknown_rc_code_and_name_matches_nothing(self) -> None:
        match = matcher().match("109999", "Central Office")

        assert match.school is None
        assert match.reason == "no school has RC code 109999 or the name 'Central Office'"
