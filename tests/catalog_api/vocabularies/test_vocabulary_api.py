"""The seeded vocabularies and editing them through the API."""

from __future__ import annotations

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import make_program, writer_headers


class TestSeededVocabularies:
    async def test_six_program_areas_with_a_synonym(self, catalog: Harness) -> None:
        terms = (await catalog.client.get("/v1/vocabularies/program_area")).json()

        assert len(terms) == 6
        health = next(term for term in terms if term["value"].startswith("Social"))
        assert health["value"] == "Social, Emotional & Behavioral Health"
        assert "Social Emotional & Behavioral Health" in health["synonyms"]

    async def test_grades_form_one_ordered_list(self, catalog: Harness) -> None:
        terms = (await catalog.client.get("/v1/vocabularies/grade")).json()

        assert [term["value"] for term in terms] == [
            "K0", "K1", "K2", *[str(grade) for grade in range(1, 13)], "Alternative Education"
        ]  # fmt: skip

    async def test_class_time_is_a_kind_of_school_day(self, catalog: Harness) -> None:
        terms = (await catalog.client.get("/v1/vocabularies/time_of_day")).json()
        parents = {term["value"]: term["parent"] for term in terms}

        assert parents["School Day (Class Time)"] == "School Day"
        assert parents["School Day (Non-Class Time)"] == "School Day"
        assert parents["Afterschool"] is None

    async def test_unknown_kind_is_rejected(self, catalog: Harness) -> None:
        assert (await catalog.client.get("/v1/vocabularies/colors")).status_code == 422


class TestEditingVocabularies:
    async def test_new_term_is_usable_at_once(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/vocabularies/program_subarea/terms",
            json={"value": "Robotics", "synonyms": ["Robot Building"]},
            headers=await writer_headers(catalog),
        )
        assert response.status_code == 201, response.text

        program = await make_program(catalog, subareas=["robot building"])

        assert program["subareas"] == ["Robotics"]

    async def test_new_child_term_counts_under_its_parent(self, catalog: Harness) -> None:
        await catalog.client.post(
            "/v1/vocabularies/time_of_day/terms",
            json={"value": "School Day (Lunch)", "parent": "School Day"},
            headers=await writer_headers(catalog),
        )
        await make_program(catalog, time_of_day=["School Day (Lunch)"])

        page = (await catalog.client.get("/v1/programs", params={"time_of_day": "School Day"})).json()

        assert page["total"] == 1

    async def test_synonym_added_to_existing_term(self, catalog: Harness) -> None:
        terms = (await catalog.client.get("/v1/vocabularies/program_area")).json()
        arts = next(term for term in terms if term["value"] == "Arts Programming")

        response = await catalog.client.post(
            f"/v1/vocabularies/program_area/terms/{arts['id']}/synonyms",
            json={"text": "Creative Arts"},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 201
        program = await make_program(catalog, areas=["creative arts"])
        assert program["areas"] == ["Arts Programming"]

    async def test_label_in_use_is_conflict(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/vocabularies/program_area/terms",
            json={"value": "Social Emotional and Behavioral Health"},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 409

    async def test_editing_needs_the_write_scope(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/vocabularies/program_area/terms", json={"value": "New Area"}
        )

        assert response.status_code == 401
