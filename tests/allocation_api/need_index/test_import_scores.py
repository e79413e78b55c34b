from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Font

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import csv_bytes, import_schools, import_scores, scores_csv


async def scores_of(allocation: Harness, set_id: int) -> dict[str, str | None]:
    response = await allocation.client.get(
        f"/v1/need-index-sets/{set_id}/scores",
        params={"limit": 200},
        headers=await allocation.admin_headers(),
    )
    return {item["school_code"]: item["score"] for item in response.json()["items"]}


class TestImportScores:
    async def test_creates_numbered_set(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_scores(allocation)

        assert response.status_code == 201, response.text
        assert response.json()["rows"] == 6
        score_set = await allocation.client.get(
            f"/v1/need-index-sets/{response.json()['id']}", headers=await allocation.admin_headers()
        )
        assert score_set.json()["version"] == 1
        assert score_set.json()["fiscal_year"] == 2027
        assert score_set.json()["scored"] == 6

    async def test_each_import_is_new_version(self, allocation: Harness) -> None:
        await import_schools(allocation)
        first = await import_scores(allocation)

        second = await import_scores(allocation, scores_csv(overrides={"0101": "0.99"}))

        assert second.status_code == 201
        sets = await allocation.client.get(
            "/v1/fiscal-years/2027/need-index/sets", headers=await allocation.admin_headers()
        )
        assert [item["version"] for item in sets.json()["items"]] == [2, 1]
        assert (await scores_of(allocation, first.json()["id"]))["0101"] == "0.6100"
        assert (await scores_of(allocation, second.json()["id"]))["0101"] == "0.9900"

    async def test_versions_count_per_fiscal_year(self, allocation: Harness) -> None:
        await import_schools(allocation)
        await import_scores(allocation, fiscal_year=2027)

        response = await import_scores(allocation, fiscal_year=2028)

        score_set = await allocation.client.get(
            f"/v1/need-index-sets/{response.json()['id']}", headers=await allocation.admin_headers()
        )
        assert score_set.json()["version"] == 1

    async def test_blank_score_is_warning(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_scores(allocation, scores_csv(overrides={"0102": "", "0105": " "}))

        assert response.status_code == 201, response.text
        warnings = response.json()["warnings"]
        assert [warning["row"] for warning in warnings] == [3, 6]
        assert warnings[0]["column"] == "FY27 OI Score"
        assert "never eligible" in warnings[0]["message"]
        stored = await scores_of(allocation, response.json()["id"])
        assert stored["0102"] is None
        assert stored["0101"] == "0.6100"

    async def test_percent_score_read_as_fraction(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_scores(allocation, scores_csv(overrides={"0101": "56%"}))

        assert response.status_code == 201, response.text
        assert (await scores_of(allocation, response.json()["id"]))["0101"] == "0.5600"

    async def test_bad_rows_all_listed_and_nothing_stored(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_scores(
            allocation, scores_csv(overrides={"0101": "1.5", "0103": "#N/A", "0104": "56"})
        )

        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [error["row"] for error in errors] == [2, 4, 5]
        assert {error["column"] for error in errors} == {"FY27 OI Score"}
        assert [error["value"] for error in errors] == ["1.5", "#N/A", "56"]
        sets = await allocation.client.get(
            "/v1/fiscal-years/2027/need-index/sets", headers=await allocation.admin_headers()
        )
        assert sets.json()["items"] == []

    async def test_unknown_school_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("School Code", "Score"), [("0101", "0.61"), ("9999", "0.70")])

        response = await import_scores(allocation, content)

        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["row"] == 3
        assert error["column"] == "School Code"
        assert error["value"] == "9999"
        assert "unknown school code" in error["message"]

    async def test_duplicate_school_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("School Code", "Score"), [("0101", "0.61"), ("0101", "0.70")])

        response = await import_scores(allocation, content)

        assert response.status_code == 422
        assert response.json()["errors"][0]["row"] == 3

    async def test_columns_mapping(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("Unit", "Need 2027"), [("0101", "0.61")])

        response = await import_scores(
            allocation, content, columns='{"school_code": "Unit", "score": "Need 2027"}'
        )

        assert response.status_code == 201, response.text

    async def test_invalid_columns_mapping_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_scores(allocation, columns='{"budget": "x"}')

        assert response.status_code == 422

    async def test_unknown_set_is_404(self, allocation: Harness) -> None:
        response = await allocation.client.get(
            "/v1/need-index-sets/999", headers=await allocation.admin_headers()
        )

        assert response.status_code == 404


class TestScoreFileLayouts:
    async def test_duplicate_header_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("School Code", "Score", "Score"), [("0101", "0.61", "0.62")])

        response = await import_scores(allocation, content)

        assert response.status_code == 422
        assert "duplicate columns for score" in response.json()["errors"][0]["message"]

    async def test_xlsx_formatted_empty_rows_ignored(self, allocation: Harness) -> None:
        await import_schools(allocation)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["School Code", "FY27 OI Score"])
        sheet.append(["0101", 0.61])
        sheet.append(["0102", "#N/A"])
        for row in range(4, 40):
            sheet.cell(row=row, column=1).font = Font(bold=True)
        buffer = io.BytesIO()
        workbook.save(buffer)

        response = await import_scores(allocation, buffer.getvalue(), filename="scores.xlsx")

        assert response.status_code == 422
        assert [error["row"] for error in response.json()["errors"]] == [3]
        assert response.json()["errors"][0]["value"] == "#N/A"
