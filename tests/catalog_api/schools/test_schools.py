"""The school list import and the public school page."""

from __future__ import annotations

from typing import Any

from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import (
    SCHOOLS,
    csv_bytes,
    export_row,
    import_export,
    import_schools,
    writer_headers,
)


class TestSchoolImport:
    async def test_schools_are_created_then_unchanged(self, catalog: Harness) -> None:
        first = await import_schools(catalog, SCHOOLS)
        second = await import_schools(catalog, SCHOOLS)

        assert first.status_code == 201, first.text
        assert first.json()["created"]["schools"] == 4
        assert second.json()["created"]["schools"] == 0
        assert second.json()["unchanged"]["schools"] == 4

    async def test_changed_name_updates_the_school(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)

        result = await import_schools(catalog, [["4001", "101001", "Elm Street Academy"]])

        assert result.json()["updated"]["schools"] == 1
        page = (await catalog.client.get("/v1/schools/4001")).json()
        assert page["name"] == "Elm Street Academy"

    async def test_profile_columns_and_grade_ranges_are_read(self, catalog: Harness) -> None:
        response = await import_schools(
            catalog,
            [["4001", "101001", "Elm Street Elementary", "Roxbury", "PK-05", "1 Elm St"]],
            header=["bps_school_code", "rc_code", "school_name", "Neighborhood", "Grades", "Address"],
        )

        assert response.status_code == 201, response.text
        page = (await catalog.client.get("/v1/schools/4001")).json()
        assert page["neighborhood"] == "Roxbury"
        assert page["grades"] == ["K1", "K2", "1", "2", "3", "4", "5"]
        assert page["grades_label"] == "PK-05"
        assert page["address"] == "1 Elm St"

    async def test_bad_rows_are_all_listed(self, catalog: Harness) -> None:
        response = await import_schools(
            catalog,
            [["401", "101001", "A"], ["4002", "101002", ""], ["4002", "101003", "C"]],
        )

        assert response.status_code == 422
        rows = sorted(item["row"] for item in response.json()["errors"])
        assert rows == [2, 3, 4]
        assert (await catalog.client.get("/v1/schools")).json()["items"] == []

    async def test_school_codes_keep_leading_zeros(self, catalog: Harness) -> None:
        await import_schools(catalog, [["0101", "101001", "Zero School"]])

        page = await catalog.client.get("/v1/schools/0101")

        assert page.status_code == 200
        assert page.json()["school_code"] == "0101"

    async def test_school_list_pages_by_code(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)

        first = (await catalog.client.get("/v1/schools", params={"limit": 3})).json()
        second = (
            await catalog.client.get("/v1/schools", params={"limit": 3, "cursor": first["next_cursor"]})
        ).json()

        codes = [item["school_code"] for item in first["items"] + second["items"]]
        assert codes == ["4001", "4002", "4560", "4563"]
        assert second["next_cursor"] is None


ROWS_ONE_WITHOUT_CODE = (("0101", "101203", "Adams"), ("", "101204", "Upper Campus"))


class TestRowsWithoutSchoolCode:
    async def upload(self, catalog: Harness, **form: str) -> Any:
        rows = [list(row) for row in ROWS_ONE_WITHOUT_CODE]
        content = csv_bytes(["School Code", "RC Code", "School Name"], rows)
        return await catalog.client.post(
            "/v1/schools/import",
            files={"file": ("schools.csv", content)},
            data=form or None,
            headers=await writer_headers(catalog),
        )

    async def test_rejected_by_default(self, catalog: Harness) -> None:
        response = await self.upload(catalog)

        assert response.status_code == 422
        assert response.json()["errors"][0]["row"] == 3

    async def test_skip_imports_rest_and_lists_row(self, catalog: Harness) -> None:
        response = await self.upload(catalog, on_missing_school_code="skip")

        assert response.status_code == 201, response.text
        assert response.json()["warnings"][0]["row"] == 3
        assert response.json()["warnings"][0]["message"] == "row skipped: no value for school_code"
        assert (await catalog.client.get("/v1/schools/0101")).status_code == 200


class TestSchoolPage:
    async def test_partnerships_are_grouped_by_area(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)
        response = await import_export(
            catalog,
            [
                export_row(program_name="Reading Buddies", program_areas="Academic Support & Enrichment"),
                export_row(
                    organization_name="Studio Nine",
                    program_name="Mural Makers",
                    program_areas="Arts Programming;Academic Support & Enrichment",
                    program_subareas="Visual Arts",
                ),
                export_row(organization_name="Helpers", program_name="Open Door", program_areas=""),
            ],
        )
        assert response.status_code == 201, response.text

        page = (await catalog.client.get("/v1/schools/4001")).json()

        assert page["partnership_count"] == 3
        groups = [(group["area"], group["count"]) for group in page["areas"]]
        assert groups == [
            ("Academic Support & Enrichment", 2),
            ("Arts Programming", 1),
            (None, 1),
        ]
        academic = [entry["program"]["name"] for entry in page["areas"][0]["partnerships"]]
        assert academic == ["Mural Makers", "Reading Buddies"]

    async def test_unknown_school_is_not_found(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/schools/9999")

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_malformed_school_code_is_rejected(self, catalog: Harness) -> None:
        assert (await catalog.client.get("/v1/schools/12")).status_code == 422

    async def test_archived_programs_leave_the_page(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)
        await import_export(catalog, [export_row()])
        program_id = (await catalog.client.get("/v1/programs")).json()["items"][0]["id"]

        archived = await catalog.client.post(
            f"/v1/programs/{program_id}/status",
            json={"status": "archived"},
            headers=await catalog.headers_with("catalog:write"),
        )

        assert archived.status_code == 200
        page = (await catalog.client.get("/v1/schools/4001")).json()
        assert page["partnership_count"] == 0
        assert page["areas"] == []


class TestPartnershipCounts:
    async def test_school_page_matches_its_schema(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)
        await import_export(catalog, [export_row()])

        response = await catalog.client.get("/v1/schools/4001")

        # The page is built as plain dicts, so check it field by field against the model.
        page = response.json()
        assert page["partnership_count"] == 1
        assert schemas.SchoolPage.model_validate(page).model_dump(mode="json") == page
        assert list(page) == list(schemas.SchoolPage.model_fields)

    async def test_students_enrolled_shows_on_the_school_page(self, catalog: Harness) -> None:
        await import_schools(catalog, SCHOOLS)
        await import_export(catalog, [export_row()])
        page = (await catalog.client.get("/v1/schools/4001")).json()
        partnership_id = page["areas"][0]["partnerships"][0]["id"]

        response = await catalog.client.patch(
            f"/v1/partnerships/{partnership_id}",
            json={"students_enrolled": 18},
            headers=await catalog.headers_with("catalog:write"),
        )

        assert response.status_code == 200, response.text
        assert response.json()["students_enrolled"] == 18
        assert response.json()["service_capacity"] == 20
        page = (await catalog.client.get("/v1/schools/4001")).json()
        assert page["areas"][0]["partnerships"][0]["students_enrolled"] == 18

    async def test_unknown_partnership_is_not_found(self, catalog: Harness) -> None:
        response = await catalog.client.patch(
            "/v1/partnerships/999999",
            json={"students_enrolled": 1},
            headers=await catalog.headers_with("catalog:write"),
        )

        assert response.status_code == 404
