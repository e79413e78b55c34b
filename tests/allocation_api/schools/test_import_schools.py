from __future__ import annotations

import io

import openpyxl

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import csv_bytes, import_schools, school_list_csv, upload


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def list_codes(allocation: Harness) -> list[str]:
    response = await allocation.client.get(
        "/v1/schools", params={"limit": 200}, headers=await allocation.admin_headers()
    )
    return [school["school_code"] for school in response.json()["items"]]


class TestImportSchools:
    async def test_csv_imports_every_row(self, allocation: Harness) -> None:
        response = await import_schools(allocation)

        assert response.status_code == 201, response.text
        assert response.json()["rows"] == 6
        assert response.json()["warnings"] == []
        assert await list_codes(allocation) == ["0101", "0102", "0103", "0104", "0105", "0106"]

    async def test_leading_zero_code_stays_text(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await allocation.client.get("/v1/schools/0101", headers=await allocation.admin_headers())

        assert response.status_code == 200
        assert response.json()["school_code"] == "0101"
        assert response.json()["rc_code"] == "101203"

    async def test_bom_semicolon_crlf_windows_1252(self, allocation: Harness) -> None:
        text = "BPS Code;School Name;RC Code\r\n0101;Escuela Hernández;101203\r\n0102;O’Bryant;101618\r\n"
        content = text.encode("cp1252")

        response = await import_schools(allocation, content)

        assert response.status_code == 201, response.text
        school = await allocation.client.get("/v1/schools/0101", headers=await allocation.admin_headers())
        assert school.json()["school_name"] == "Escuela Hernández"
        bom_content = "\ufeff".encode() + text.replace("’", "'").encode("utf-8")
        assert (await import_schools(allocation, bom_content)).status_code == 201

    async def test_xlsx_numeric_code_padded_with_warning(self, allocation: Harness) -> None:
        content = xlsx_bytes(
            [
                ["School Code", "School Name", "RC Code"],
                [101, "Adams", "101203"],
                ["0102", "Brighton", "101624"],
            ]
        )

        response = await import_schools(allocation, content, filename="schools.xlsx")

        assert response.status_code == 201, response.text
        warnings = response.json()["warnings"]
        assert len(warnings) == 1
        assert warnings[0]["row"] == 2
        assert "0101" in warnings[0]["message"]
        assert await list_codes(allocation) == ["0101", "0102"]

    async def test_reimport_updates_name(self, allocation: Harness) -> None:
        await import_schools(allocation)
        renamed = csv_bytes(
            ("School Code", "School Name", "RC Code"), [("0101", "Adams Innovation", "101203")]
        )

        response = await import_schools(allocation, renamed)

        assert response.status_code == 201
        school = await allocation.client.get("/v1/schools/0101", headers=await allocation.admin_headers())
        assert school.json()["school_name"] == "Adams Innovation"
        assert len(await list_codes(allocation)) == 6

    async def test_duplicate_code_rejects_file(self, allocation: Harness) -> None:
        content = csv_bytes(
            ("School Code", "School Name", "RC Code"),
            [("0101", "Adams", "1"), ("0102", "Brighton", "2"), ("0101", "Again", "3")],
        )

        response = await import_schools(allocation, content)

        assert response.status_code == 422
        problem = response.json()
        assert problem["errors"][0]["row"] == 4
        assert problem["errors"][0]["column"] == "School Code"
        assert problem["errors"][0]["value"] == "0101"
        assert await list_codes(allocation) == []

    async def test_every_bad_row_listed(self, allocation: Harness) -> None:
        content = csv_bytes(
            ("School Code", "School Name", "RC Code"),
            [("101", "Short", "1"), ("0102", "", "2"), ("#N/A", "Broken", "3")],
        )

        response = await import_schools(allocation, content)

        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["row"] for error in response.json()["errors"]] == [2, 3, 4]

    async def test_missing_column_rejected(self, allocation: Harness) -> None:
        content = csv_bytes(("School Code", "RC Code"), [("0101", "1")])

        response = await import_schools(allocation, content)

        assert response.status_code == 422
        assert "school_name" in response.json()["errors"][0]["message"]

    async def test_columns_mapping_for_other_layout(self, allocation: Harness) -> None:
        content = csv_bytes(("Unit", "Title", "Budget Unit"), [("0101", "Adams", "101203")])

        response = await import_schools(
            allocation,
            content,
            columns='{"school_code": "Unit", "school_name": "Title", "rc_code": "Budget Unit"}',
        )

        assert response.status_code == 201, response.text
        assert await list_codes(allocation) == ["0101"]

    async def test_pagination_follows_cursor(self, allocation: Harness) -> None:
        await import_schools(allocation, school_list_csv())
        headers = await allocation.admin_headers()

        first = (await allocation.client.get("/v1/schools", params={"limit": 4}, headers=headers)).json()
        second = (
            await allocation.client.get(
                "/v1/schools", params={"limit": 4, "cursor": first["next_cursor"]}, headers=headers
            )
        ).json()

        assert [item["school_code"] for item in first["items"]] == ["0101", "0102", "0103", "0104"]
        assert [item["school_code"] for item in second["items"]] == ["0105", "0106"]
        assert second["next_cursor"] is None

    async def test_invalid_cursor_rejected(self, allocation: Harness) -> None:
        response = await allocation.client.get(
            "/v1/schools", params={"cursor": "not-a-cursor"}, headers=await allocation.admin_headers()
        )

        assert response.status_code == 422

    async def test_limit_above_200_rejected(self, allocation: Harness) -> None:
        response = await allocation.client.get(
            "/v1/schools", params={"limit": 201}, headers=await allocation.admin_headers()
        )

        assert response.status_code == 422


class TestSchoolScopes:
    async def test_import_without_key_is_401(self, allocation: Harness) -> None:
        response = await import_schools(allocation, headers={})

        assert response.status_code == 401

    async def test_import_with_read_scope_is_403(self, allocation: Harness) -> None:
        headers = await allocation.headers_with("allocations:read")

        response = await import_schools(allocation, headers=headers)

        assert response.status_code == 403

    async def test_read_needs_read_scope(self, allocation: Harness) -> None:
        write_only = await allocation.headers_with("allocations:write")

        response = await allocation.client.get("/v1/schools", headers=write_only)

        assert response.status_code == 403


class TestRowsWithoutSchoolCode:
    CONTENT = csv_bytes(
        ["School Code", "School Name", "RC Code"],
        [["0101", "Adams", "101203"], ["", "Upper Campus", "101204"], ["0102", "Brighton", "101624"]],
    )

    async def test_rejected_by_default(self, allocation: Harness) -> None:
        response = await import_schools(allocation, self.CONTENT)

        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["row"] == 3
        assert "Upper Campus" in error["message"]
        assert await list_codes(allocation) == []

    async def test_skip_imports_rest_and_lists_row(self, allocation: Harness) -> None:
        response = await import_schools(allocation, self.CONTENT, form={"on_missing_school_code": "skip"})

        assert response.status_code == 201, response.text
        warning = response.json()["warnings"][0]
        assert response.json()["rows"] == 2
        assert warning["row"] == 3
        assert warning["column"] == "School Code"
        assert warning["message"] == "row skipped: no value for school_code (school name: Upper Campus)"
        assert await list_codes(allocation) == ["0101", "0102"]

    async def test_skip_applies_to_enrollment(self, allocation: Harness) -> None:
        await import_schools(allocation, self.CONTENT, form={"on_missing_school_code": "skip"})
        content = csv_bytes(
            ["School Code", "School Name", "Enrollment"],
            [["0101", "Adams", "300"], ["", "Upper Campus", "40"], ["0102", "Brighton", "250"]],
        )

        rejected = await upload(allocation, "/v1/fiscal-years/2027/enrollment/import", content)
        accepted = await upload(
            allocation,
            "/v1/fiscal-years/2027/enrollment/import",
            content,
            form={"on_missing_school_code": "skip"},
        )

        assert rejected.status_code == 422
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["rows"] == 2
        assert accepted.json()["warnings"][0]["row"] == 3

    async def test_unknown_option_is_422(self, allocation: Harness) -> None:
        response = await import_schools(allocation, self.CONTENT, form={"on_missing_school_code": "ignore"})

        assert response.status_code == 422
