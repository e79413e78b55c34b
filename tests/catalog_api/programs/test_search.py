"""Public program search: the same results on SQLite and PostgreSQL for every case here."""

from __future__ import annotations

from typing import Any

import pytest

from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import (
    SCHOOLS,
    export_row,
    import_export,
    import_schools,
    make_organization,
    make_program,
    writer_headers,
)


async def search(catalog: Harness, **params: Any) -> dict[str, Any]:
    response = await catalog.client.get("/v1/programs", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def names(catalog: Harness, **params: Any) -> list[str]:
    return [item["name"] for item in (await search(catalog, **params))["items"]]


@pytest.fixture
async def programs(catalog: Harness) -> Harness:
    organization = await make_organization(catalog, name="Crème Arts Collective")
    await make_program(
        catalog,
        organization_id=organization["id"],
        name="Café Storytellers",
        description="Students write and perform stories.",
        areas=["Arts Programming"],
        subareas=["Storytelling"],
        grades=["3-5"],
        time_of_day=["Afterschool"],
        languages=["Spanish"],
        fees="yes",
    )
    await make_program(
        catalog,
        name="100% Readers",
        description='Reading_club for O\'Bryant students, "quoted" text.',
        areas=["Academic Support & Enrichment"],
        subareas=["Literacy"],
        grades=["K2-2"],
        time_of_day=["School Day (Class Time)"],
        languages=["English", "Spanish"],
        fees="no",
    )
    await make_program(
        catalog,
        name="Draft Literacy Lab",
        status="draft",
        areas=["Academic Support & Enrichment"],
        subareas=["Literacy"],
    )
    await make_program(
        catalog,
        name="Retired Literacy Lab",
        status="archived",
        areas=["Academic Support & Enrichment"],
        subareas=["Literacy"],
    )
    return catalog


class TestFullText:
    async def test_empty_query_lists_all_public_programs(self, programs: Harness) -> None:
        assert await names(programs) == ["100% Readers", "Café Storytellers"]
        assert await names(programs, q="") == ["100% Readers", "Café Storytellers"]
        assert await names(programs, q="   ") == ["100% Readers", "Café Storytellers"]

    async def test_page_matches_its_schema(self, programs: Harness) -> None:
        page = await search(programs, limit=2)

        # The page is built as plain dicts, so check it against the model.
        assert page["items"]
        assert schemas.ProgramSearchPage.model_validate(page).model_dump(mode="json") == page
        assert list(page) == list(schemas.ProgramSearchPage.model_fields)
        assert list(page["items"][0]) == list(schemas.ProgramSummary.model_fields)

    @pytest.mark.parametrize("query", ["cafe", "CAFÉ", "Café", "creme", "CRÈME arts"])
    async def test_case_and_accents_are_ignored(self, programs: Harness, query: str) -> None:
        assert await names(programs, q=query) == ["Café Storytellers"]

    async def test_every_word_must_match(self, programs: Harness) -> None:
        assert await names(programs, q="stories students") == ["Café Storytellers"]
        assert await names(programs, q="stories literacy") == []

    async def test_area_and_subarea_labels_are_searched(self, programs: Harness) -> None:
        assert await names(programs, q="literacy") == ["100% Readers"]
        assert await names(programs, q="arts programming") == ["Café Storytellers"]

    async def test_unapproved_programs_are_never_found(self, programs: Harness) -> None:
        assert await names(programs, q="lab") == []

    @pytest.mark.parametrize("query", ["%", "_", "%%", "'", '"', "''", "%_%"])
    async def test_wildcards_and_quotes_alone_match_nothing(self, programs: Harness, query: str) -> None:
        assert await names(programs, q=query) == []

    @pytest.mark.parametrize(
        "query",
        ["100%", "reading_club", '"quoted"', "O'Bryant", "obryant", 'readers" OR "x'],
    )
    async def test_punctuation_is_literal_text(self, programs: Harness, query: str) -> None:
        expected = [] if "OR" in query else ["100% Readers"]

        assert await names(programs, q=query) == expected

    async def test_query_syntax_words_are_plain_words(self, programs: Harness) -> None:
        assert await names(programs, q="readers or storytellers") == []
        assert await names(programs, q="-readers") == ["100% Readers"]

    async def test_search_follows_an_organization_rename(self, programs: Harness) -> None:
        organization_id = (await search(programs, q="creme"))["items"][0]["organization"]["id"]
        headers = await programs.headers_with("catalog:write")

        response = await programs.client.patch(
            f"/v1/organizations/{organization_id}", json={"name": "Northside Arts"}, headers=headers
        )

        assert response.status_code == 200
        assert await names(programs, q="creme") == []
        assert await names(programs, q="northside") == ["Café Storytellers"]


@pytest.fixture
async def multilingual(catalog: Harness) -> Harness:
    organization = await make_organization(catalog, name="Общество Шахмат")
    await make_program(
        catalog,
        organization_id=organization["id"],
        name="Шахматный Клуб",
        description="Занятия для начинающих. 书法班 每周. किताब पढ़ना. Søren ØRSTED lab.",
    )
    await make_program(catalog, name="Ελληνικά για παιδιά", description="Μαθήματα γλώσσας.")
    return catalog


class TestOtherScripts:
    @pytest.mark.parametrize(
        "query",
        ["шахматный", "ШАХМАТНЫЙ клуб", "общество", "书法班", "किताब", "søren", "Ørsted"],
    )
    async def test_words_of_any_script_are_found(self, multilingual: Harness, query: str) -> None:
        assert await names(multilingual, q=query) == ["Шахматный Клуб"]

    async def test_greek_is_case_insensitive(self, multilingual: Harness) -> None:
        assert await names(multilingual, q="ΕΛΛΗΝΙΚΆ") == ["Ελληνικά για παιδιά"]

    async def test_part_of_unspaced_run_misses(self, multilingual: Harness) -> None:
        # Chinese is written without spaces, so "书法班" is one word and "书法" only a part of it.
        assert await names(multilingual, q="书法") == []

    async def test_other_script_names_stay_distinct(self, catalog: Harness) -> None:
        await make_organization(catalog, name="Общество Шахмат")
        second = await catalog.client.post(
            "/v1/organizations", json={"name": "波士顿华人协会"}, headers=await writer_headers(catalog)
        )
        same_in_capitals = await catalog.client.post(
            "/v1/organizations", json={"name": "ОБЩЕСТВО ШАХМАТ"}, headers=await writer_headers(catalog)
        )

        assert second.status_code == 201, second.text
        assert same_in_capitals.status_code == 409


class TestFilters:
    async def test_area_filter_accepts_synonyms(self, programs: Harness) -> None:
        assert await names(programs, area="Arts Programming") == ["Café Storytellers"]
        assert await names(programs, area="arts") == ["Café Storytellers"]

    async def test_broader_time_of_day_includes_narrower(self, programs: Harness) -> None:
        assert await names(programs, time_of_day="School Day") == ["100% Readers"]
        assert await names(programs, time_of_day="School Day (Class Time)") == ["100% Readers"]
        assert await names(programs, time_of_day="after school") == ["Café Storytellers"]

    async def test_grade_filter_uses_expanded_ranges(self, programs: Harness) -> None:
        assert await names(programs, grade="K2") == ["100% Readers"]
        assert await names(programs, grade="4") == ["Café Storytellers"]
        assert await names(programs, grade="9") == []

    async def test_values_of_one_filter_are_alternatives(self, programs: Harness) -> None:
        assert await names(programs, grade=["K2", "4"]) == ["100% Readers", "Café Storytellers"]

    async def test_filters_combine_with_words(self, programs: Harness) -> None:
        assert await names(programs, q="readers", language="Spanish", fees="no") == ["100% Readers"]
        assert await names(programs, q="readers", fees="yes") == []

    async def test_subarea_and_language_filters(self, programs: Harness) -> None:
        assert await names(programs, subarea="Storytelling") == ["Café Storytellers"]
        assert await names(programs, language="English") == ["100% Readers"]

    async def test_unknown_label_is_rejected(self, programs: Harness) -> None:
        response = await programs.client.get("/v1/programs", params={"area": "Basketry"})

        error = response.json()["errors"][0]
        assert response.status_code == 422
        assert error["loc"] == ["query", "area"]
        assert error["value"] == "Basketry"
        assert "GET /v1/vocabularies/program_area" in error["message"]

    async def test_invalid_fees_value_is_rejected(self, programs: Harness) -> None:
        response = await programs.client.get("/v1/programs", params={"fees": "maybe"})

        assert response.status_code == 422

    async def test_school_neighborhood_and_portfolio_filters(self, catalog: Harness) -> None:
        assert (await import_schools(catalog, SCHOOLS)).status_code == 201
        imported = await import_export(
            catalog,
            [
                export_row(program_name="Reading Buddies"),
                export_row(
                    school_name="Oak Hill High School",
                    rc_code="101002",
                    school_neighborhood="Dorchester",
                    program_name="Debate Club",
                ),
            ],
        )
        assert imported.status_code == 201, imported.text
        debate_id = (await search(catalog, q="debate"))["items"][0]["id"]
        decided = await catalog.client.put(
            f"/v1/portfolio/2027/programs/{debate_id}",
            json={"category": "Literacy", "status": "approved"},
            headers=await catalog.headers_with("portfolio:decide"),
        )
        assert decided.status_code == 201, decided.text

        assert await names(catalog, school_code="4001") == ["Reading Buddies"]
        assert await names(catalog, neighborhood="dorchester") == ["Debate Club"]
        assert await names(catalog, portfolio=2027) == ["Debate Club"]
        assert await names(catalog, portfolio=2028) == []


class TestFacets:
    async def test_facets_count_the_filtered_result(self, programs: Harness) -> None:
        page = await search(programs, language="Spanish")
        facets = page["facets"]

        assert page["total"] == 2
        assert {facet["value"]: facet["count"] for facet in facets["area"]} == {
            "Academic Support & Enrichment": 1,
            "Arts Programming": 1,
        }
        assert {facet["value"]: facet["count"] for facet in facets["fees"]} == {"no": 1, "yes": 1}
        assert {facet["value"]: facet["count"] for facet in facets["language"]} == {
            "English": 1,
            "Spanish": 2,
        }

    async def test_broader_terms_are_counted(self, programs: Harness) -> None:
        facets = (await search(programs, q="readers"))["facets"]

        assert facets["time_of_day"] == [
            {"value": "School Day", "count": 1},
            {"value": "School Day (Class Time)", "count": 1},
        ]

    async def test_grade_facets_follow_grade_order(self, programs: Harness) -> None:
        grades = [facet["value"] for facet in (await search(programs))["facets"]["grade"]]

        assert grades == ["K2", "1", "2", "3", "4", "5"]


class TestKeysetPagination:
    async def test_pages_neither_repeat_nor_skip_after_inserts(self, catalog: Harness) -> None:
        organization = await make_organization(catalog, name="Paging Partners")
        for letter in "BDFHJ":
            await make_program(catalog, organization_id=organization["id"], name=f"{letter} program")

        first = await search(catalog, limit=2)
        # New rows sort before, inside and after the first page's last row.
        for letter in "ACEK":
            await make_program(catalog, organization_id=organization["id"], name=f"{letter} program")
        seen = [item["name"] for item in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = await search(catalog, limit=2, cursor=cursor)
            seen.extend(item["name"] for item in page["items"])
            cursor = page["next_cursor"]

        assert seen[:2] == ["B program", "D program"]
        assert len(seen) == len(set(seen))
        assert seen == sorted(seen)
        assert {"F program", "H program", "J program", "E program", "K program"} <= set(seen)
        assert "A program" not in seen
        assert "C program" not in seen

    async def test_equal_names_are_ordered_by_id(self, catalog: Harness) -> None:
        for number in range(3):
            organization = await make_organization(catalog, name=f"Twin {number}")
            await make_program(catalog, organization_id=organization["id"], name="Same Name")

        ids: list[int] = []
        cursor = None
        for _ in range(3):
            page = await search(catalog, limit=1, **({"cursor": cursor} if cursor else {}))
            ids.extend(item["id"] for item in page["items"])
            cursor = page["next_cursor"]

        assert ids == sorted(ids)
        assert len(set(ids)) == 3
        assert cursor is None

    async def test_invalid_cursor_is_rejected(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/programs", params={"cursor": "not-a-cursor"})

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]

    async def test_limit_above_maximum_is_rejected(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/programs", params={"limit": 201})

        assert response.status_code == 422
