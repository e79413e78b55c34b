"""The portfolio decisions import: matching by name, all-or-nothing rows, idempotence, audit."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import DECIDE_SCOPE, csv_bytes, make_organization, make_program

HEADER = ["organization_name", "program_name", "category", "status", "decided_on"]


async def import_decisions(
    catalog: Harness,
    rows: list[list[Any]],
    *,
    header: list[str] | None = None,
    fiscal_year: int = 2028,
    scope: str = DECIDE_SCOPE,
    **form: str,
) -> Any:
    content = csv_bytes(header or HEADER, rows)
    return await catalog.client.post(
        f"/v1/portfolio/{fiscal_year}/import",
        files={"file": ("portfolio-fy28.csv", content, "text/csv")},
        data=form,
        headers=await catalog.headers_with(scope),
    )


async def make_two_programs(catalog: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    organization = await make_organization(catalog, name="Readers Unite, Inc.")
    reading = await make_program(catalog, organization_id=organization["id"], name="Reading Buddies")
    robots = await make_program(catalog, organization_id=organization["id"], name="Robot Lab")
    return reading, robots


async def portfolio(catalog: Harness, fiscal_year: int = 2028) -> dict[str, Any]:
    response = await catalog.client.get("/v1/portfolio", params={"fiscal_year": fiscal_year})
    return dict(response.json())


async def decision_audit(catalog: Harness) -> list[dict[str, Any]]:
    response = await catalog.client.get(
        "/v1/audit",
        params={"action": "portfolio.decided"},
        headers=await catalog.headers_with("catalog:write"),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


class TestImportDecisions:
    async def test_rows_become_memberships(self, catalog: Harness) -> None:
        reading, robots = await make_two_programs(catalog)

        response = await import_decisions(
            catalog,
            [
                ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", "2026-11-20"],
                ["Readers Unite, Inc.", "Robot Lab", "STEM", "qualified", ""],
            ],
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["rows"] == 2
        assert body["created"] == 2
        assert body["updated"] == 0
        assert body["warnings"] == []
        menu = await portfolio(catalog)
        assert [item["program"]["id"] for item in menu["items"]] == [reading["id"]]
        assert menu["categories"] == ["Literacy"]
        check = (await catalog.client.get(f"/v1/portfolio/2028/programs/{robots['id']}")).json()
        assert check["portfolio_status"] == "qualified"
        assert check["category"] == "STEM"

    async def test_decision_date_is_stored(self, catalog: Harness) -> None:
        await make_two_programs(catalog)

        await import_decisions(
            catalog, [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", "11/20/2026"]]
        )

        decided_at = (await portfolio(catalog))["items"][0]["decided_at"]
        assert datetime.fromisoformat(decided_at) == datetime(2026, 11, 20, 5, tzinfo=UTC)

    async def test_names_match_in_any_spelling(self, catalog: Harness) -> None:
        reading, _ = await make_two_programs(catalog)

        response = await import_decisions(
            catalog, [["readers unite inc", "READING BUDDIES", "Literacy", "Approved", ""]]
        )

        assert response.status_code == 201, response.text
        assert (await portfolio(catalog))["items"][0]["program"]["id"] == reading["id"]

    async def test_headers_map_with_columns(self, catalog: Harness) -> None:
        await make_two_programs(catalog)

        response = await import_decisions(
            catalog,
            [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved"]],
            header=["Partner", "Offering", "Menu heading", "Decision"],
            columns='{"program_name": "Offering", "category": "Menu heading"}',
        )

        assert response.status_code == 201, response.text

    async def test_xlsx_date_cells_are_read(self, catalog: Harness) -> None:
        await make_two_programs(catalog)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(HEADER)
        sheet.append(
            ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "declined", datetime(2026, 11, 3)]
        )
        buffer = io.BytesIO()
        workbook.save(buffer)

        response = await catalog.client.post(
            "/v1/portfolio/2028/import",
            files={"file": ("portfolio.xlsx", buffer.getvalue(), "application/octet-stream")},
            headers=await catalog.headers_with(DECIDE_SCOPE),
        )

        assert response.status_code == 201, response.text
        assert response.json()["created"] == 1


class TestRejectedFile:
    async def test_bad_rows_are_all_listed(self, catalog: Harness) -> None:
        await make_two_programs(catalog)

        response = await import_decisions(
            catalog,
            [
                ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", ""],
                ["Nobody Here", "Reading Buddies", "Literacy", "approved", ""],
                ["Readers Unite, Inc.", "Chess Club", "STEM", "approved", ""],
                ["Readers Unite, Inc.", "Robot Lab", "STEM", "qualified", "2026-01-02"],
                ["Readers Unite, Inc.", "reading buddies", "Literacy", "declined", ""],
            ],
        )

        assert response.status_code == 422
        errors = response.json()["errors"]
        located = [(item["row"], item["column"], item["value"]) for item in errors]
        assert located == [
            (3, "organization_name", "Nobody Here"),
            (4, "program_name", "Chess Club"),
            (5, "decided_on", "2026-01-02"),
            (6, "program_name", "reading buddies"),
        ]
        assert "already decided in row 2" in errors[-1]["message"]
        assert (await portfolio(catalog))["items"] == []

    async def test_bad_cells_are_listed(self, catalog: Harness) -> None:
        response = await import_decisions(
            catalog,
            [
                ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "maybe", ""],
                ["Readers Unite, Inc.", "Robot Lab", "STEM", "approved", "20 Nov"],
            ],
        )

        assert response.status_code == 422
        located = [(item["row"], item["column"], item["value"]) for item in response.json()["errors"]]
        assert located == [(2, "status", "maybe"), (3, "decided_on", "20 Nov")]

    async def test_future_decision_date_is_rejected(self, catalog: Harness) -> None:
        await make_two_programs(catalog)
        future = (date.today() + timedelta(days=3)).isoformat()

        response = await import_decisions(
            catalog, [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", future]]
        )

        assert response.status_code == 422
        assert "in the future" in response.json()["errors"][0]["message"]

    async def test_draft_program_cannot_be_approved(self, catalog: Harness) -> None:
        organization = await make_organization(catalog, name="Drafty")
        await make_program(catalog, organization_id=organization["id"], name="Sketch", status="draft")

        rejected = await import_decisions(catalog, [["Drafty", "Sketch", "Arts", "approved", ""]])
        applied = await import_decisions(catalog, [["Drafty", "Sketch", "Arts", "applied", ""]])

        assert rejected.status_code == 422
        assert rejected.json()["errors"][0]["column"] == "status"
        assert applied.status_code == 201, applied.text

    async def test_archived_program_is_rejected(self, catalog: Harness) -> None:
        organization = await make_organization(catalog, name="Gone")
        await make_program(catalog, organization_id=organization["id"], name="Old", status="archived")

        response = await import_decisions(catalog, [["Gone", "Old", "Arts", "applied", ""]])

        assert response.status_code == 422
        assert "archived" in response.json()["errors"][0]["message"]

    async def test_missing_status_column_is_named(self, catalog: Harness) -> None:
        response = await import_decisions(
            catalog,
            [["Readers Unite, Inc.", "Reading Buddies", "Literacy"]],
            header=["organization_name", "program_name", "category"],
        )

        assert response.status_code == 422
        assert "status" in response.text


class TestReimport:
    async def test_same_file_changes_nothing(self, catalog: Harness) -> None:
        await make_two_programs(catalog)
        rows = [
            ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", "2026-11-20"],
            ["Readers Unite, Inc.", "Robot Lab", "STEM", "approved", ""],
        ]
        await import_decisions(catalog, rows)
        before = await portfolio(catalog)
        audit_before = await decision_audit(catalog)

        response = await import_decisions(catalog, rows)

        assert response.status_code == 201, response.text
        assert response.json()["unchanged"] == 2
        assert response.json()["created"] == 0
        assert response.json()["updated"] == 0
        assert await portfolio(catalog) == before
        assert await decision_audit(catalog) == audit_before

    async def test_changed_row_updates_membership(self, catalog: Harness) -> None:
        _, robots = await make_two_programs(catalog)
        await import_decisions(catalog, [["Readers Unite, Inc.", "Robot Lab", "STEM", "qualified", ""]])

        response = await import_decisions(
            catalog, [["Readers Unite, Inc.", "Robot Lab", "Science", "approved", ""]]
        )

        assert response.json()["updated"] == 1
        check = (await catalog.client.get(f"/v1/portfolio/2028/programs/{robots['id']}")).json()
        assert check["in_portfolio"] is True
        assert check["category"] == "Science"

    async def test_other_years_and_unnamed_programs_stay(self, catalog: Harness) -> None:
        reading, robots = await make_two_programs(catalog)
        await import_decisions(catalog, [["Readers Unite, Inc.", "Robot Lab", "STEM", "approved", ""]])

        await import_decisions(
            catalog, [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", ""]]
        )
        await import_decisions(
            catalog,
            [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "declined", ""]],
            fiscal_year=2029,
        )

        ids = {item["program"]["id"] for item in (await portfolio(catalog))["items"]}
        assert ids == {reading["id"], robots["id"]}
        assert (await portfolio(catalog, 2029))["items"] == []


class TestAuditAndScope:
    async def test_each_decision_is_audited(self, catalog: Harness) -> None:
        reading, robots = await make_two_programs(catalog)

        response = await import_decisions(
            catalog,
            [
                ["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", ""],
                ["Readers Unite, Inc.", "Robot Lab", "STEM", "applied", ""],
            ],
        )

        entries = await decision_audit(catalog)
        by_program = {entry["entity_id"]: entry["changes"] for entry in entries}
        assert set(by_program) == {str(reading["id"]), str(robots["id"])}
        assert by_program[str(reading["id"])]["status"] == [None, "approved"]
        assert by_program[str(reading["id"])]["import_id"] == response.json()["id"]
        assert by_program[str(robots["id"])]["category"] == "STEM"

    async def test_import_needs_decide_scope(self, catalog: Harness) -> None:
        await make_two_programs(catalog)
        rows = [["Readers Unite, Inc.", "Reading Buddies", "Literacy", "approved", ""]]

        writer = await import_decisions(catalog, rows, scope="catalog:write")
        anonymous = await catalog.client.post(
            "/v1/portfolio/2028/import",
            files={"file": ("portfolio.csv", csv_bytes(HEADER, rows), "text/csv")},
        )

        assert writer.status_code == 403
        assert anonymous.status_code == 401
