"""The PartnerBPS export import through the API, on small files written for the tests."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import (
    EXPORT_HEADER,
    SCHOOLS,
    export_row,
    import_export,
    import_schools,
    writer_headers,
)


async def with_schools(catalog: Harness) -> Harness:
    response = await import_schools(catalog, SCHOOLS)
    assert response.status_code == 201, response.text
    return catalog


async def public_count(catalog: Harness) -> int:
    return int((await catalog.client.get("/v1/programs")).json()["total"])


async def school_page(catalog: Harness, code: str) -> dict[str, Any]:
    return dict((await catalog.client.get(f"/v1/schools/{code}")).json())


class TestUnmatchedSchools:
    async def test_strict_import_rejects_and_stores_nothing(self, catalog: Harness) -> None:
        await with_schools(catalog)

        response = await import_export(
            catalog,
            [
                export_row(),
                export_row(school_name="Department of Early Childhood", rc_code=""),
                export_row(school_name="Central Office", rc_code="109999"),
            ],
        )

        assert response.status_code == 422
        problem = response.json()
        assert [item["row"] for item in problem["errors"]] == [3, 4]
        assert "on_unmatched_school=skip" in problem["errors"][0]["message"]
        assert problem["errors"][1]["value"] == "109999"
        assert await public_count(catalog) == 0

    async def test_skip_lists_skipped_rows_and_stores_the_rest(self, catalog: Harness) -> None:
        await with_schools(catalog)

        response = await import_export(
            catalog,
            [export_row(), export_row(school_name="Department of Early Childhood", rc_code="")],
            on_unmatched_school="skip",
        )

        assert response.status_code == 201, response.text
        result = response.json()
        assert result["skipped"] == [
            {
                "row": 3,
                "rc_code": None,
                "school_name": "Department of Early Childhood",
                "reason": ("the RC code is blank and no school has the name 'Department of Early Childhood'"),
            }
        ]
        assert result["created"]["partnerships"] == 1
        assert await public_count(catalog) == 1

    async def test_shared_rc_code_is_settled_by_name(self, catalog: Harness) -> None:
        await with_schools(catalog)

        response = await import_export(
            catalog, [export_row(school_name="Sumner Elementary School", rc_code="101420")]
        )

        assert response.status_code == 201, response.text
        assert (await school_page(catalog, "4560"))["partnership_count"] == 1
        assert (await school_page(catalog, "4563"))["partnership_count"] == 0


class TestBadRows:
    async def test_every_bad_row_is_listed_and_nothing_stored(self, catalog: Harness) -> None:
        await with_schools(catalog)

        response = await import_export(
            catalog,
            [
                export_row(),
                export_row(program_areas="Basketry"),
                export_row(grades_served="12-K0", service_capacity="many"),
                export_row(organization_name=""),
            ],
            on_unmatched_school="skip",
        )

        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [(item["row"], item["column"]) for item in errors] == [
            (3, "program_areas"),
            (4, "grades_served"),
            (4, "service_capacity"),
            (5, "organization_name"),
        ]
        assert await public_count(catalog) == 0

    async def test_missing_required_column_is_rejected(self, catalog: Harness) -> None:
        await with_schools(catalog)
        content = b"school_name,organization_name,program_name\nElm,Org,Prog\n"

        response = await catalog.client.post(
            "/v1/partnerships/import",
            files={"file": ("export.csv", content, "text/csv")},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 422
        assert "rc_code" in response.text


class TestRepeatsAndReimport:
    async def test_repeated_pair_merges_into_one_partnership(self, catalog: Harness) -> None:
        await with_schools(catalog)

        response = await import_export(
            catalog,
            [
                export_row(grades_served="K2;1", days_of_operation="Monday", service_capacity="10"),
                export_row(grades_served="2", days_of_operation="Friday", service_capacity="15"),
                export_row(grades_served="2", days_of_operation="Friday", service_capacity="15"),
            ],
        )

        assert response.status_code == 201, response.text
        result = response.json()
        assert result["created"]["partnerships"] == 1
        assert [(item["row"], item["first_row"]) for item in result["repeats"]] == [(3, 2), (4, 2)]
        (group,) = (await school_page(catalog, "4001"))["areas"]
        (partnership,) = group["partnerships"]
        assert partnership["grades"] == ["K2", "1", "2"]
        assert partnership["days"] == ["Monday", "Friday"]
        # The exact duplicate (row 4) adds no capacity.
        assert partnership["service_capacity"] == 25

    async def test_same_file_twice_changes_nothing(self, catalog: Harness) -> None:
        await with_schools(catalog)
        rows = [
            export_row(),
            export_row(school_name="Oak Hill High School", rc_code="101002", school_grades="9-12"),
        ]
        assert (await import_export(catalog, rows)).status_code == 201

        second = (await import_export(catalog, rows)).json()

        zero = {"schools": 0, "organizations": 0, "programs": 0, "partnerships": 0}
        assert second["created"] == zero
        assert second["updated"] == zero
        assert second["unchanged"] == {
            "schools": 2, "organizations": 1, "programs": 1, "partnerships": 2
        }  # fmt: skip

    async def test_changed_row_updates_its_records(self, catalog: Harness) -> None:
        await with_schools(catalog)
        assert (await import_export(catalog, [export_row()])).status_code == 201

        second = await import_export(
            catalog,
            [
                export_row(
                    organization_website="https://readers.example.net",
                    program_areas="Arts Programming",
                    service_capacity="45",
                )
            ],
        )

        result = second.json()
        assert result["created"]["programs"] == 0
        assert result["updated"]["organizations"] == 1
        assert result["updated"]["programs"] == 1
        assert result["updated"]["partnerships"] == 1
        page = (await catalog.client.get("/v1/programs", params={"area": "Arts"})).json()
        assert [item["name"] for item in page["items"]] == ["Reading Buddies"]
        assert page["items"][0]["areas"] == ["Arts Programming"]

    async def test_another_school_year_adds_partnerships(self, catalog: Harness) -> None:
        await with_schools(catalog)
        assert (await import_export(catalog, [export_row()])).status_code == 201

        result = (await import_export(catalog, [export_row()], school_year="2027")).json()

        assert result["created"]["partnerships"] == 1
        page = await school_page(catalog, "4001")
        assert page["school_years"] == [2027, 2026]
        assert page["school_year"] == 2027


class TestFileFormats:
    async def test_xlsx_export_is_read(self, catalog: Harness) -> None:
        await with_schools(catalog)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(EXPORT_HEADER)
        row = export_row()
        row[EXPORT_HEADER.index("rc_code")] = 101001
        row[EXPORT_HEADER.index("service_capacity")] = 20
        sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)

        response = await catalog.client.post(
            "/v1/partnerships/import",
            files={"file": ("export.xlsx", buffer.getvalue(), "application/octet-stream")},
            data={"school_year": "2026"},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 201, response.text
        assert response.json()["created"]["partnerships"] == 1

    async def test_columns_mapping_renames_headers(self, catalog: Harness) -> None:
        await with_schools(catalog)
        content = b"Site,Budget Code,Partner,Offering\nElm Street Elementary,101001,Org,Prog\n"

        response = await catalog.client.post(
            "/v1/partnerships/import",
            files={"file": ("export.csv", content, "text/csv")},
            data={
                "columns": (
                    '{"school_name": "Site", "rc_code": "Budget Code", '
                    '"organization_name": "Partner", "program_name": "Offering"}'
                ),
                "school_year": "2026",
            },
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 201, response.text


class TestImportAccess:
    async def test_import_needs_a_key(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/partnerships/import", files={"file": ("export.csv", b"a,b\n1,2\n", "text/csv")}
        )

        assert response.status_code == 401

    async def test_import_needs_the_write_scope(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/partnerships/import",
            files={"file": ("export.csv", b"a,b\n1,2\n", "text/csv")},
            headers=await catalog.headers_with("portfolio:decide"),
        )

        assert response.status_code == 403

    async def test_import_is_audited(self, catalog: Harness) -> None:
        await with_schools(catalog)
        result = (await import_export(catalog, [export_row()])).json()

        audit = await catalog.client.get(
            "/v1/audit",
            params={"entity_type": "import", "entity_id": str(result["id"])},
            headers=await writer_headers(catalog),
        )

        (entry,) = audit.json()["items"]
        assert entry["action"] == "partnerships.imported"
        assert entry["changes"]["created"]["partnerships"] == 1
        assert entry["actor"].startswith("api-key:")
