"""Portfolio decisions, the public menu and the check the allocation API makes."""

from __future__ import annotations

from typing import Any

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import DECIDE_SCOPE, make_program


async def decide(catalog: Harness, program_id: int, fiscal_year: int = 2028, **body: Any) -> Any:
    return await catalog.client.put(
        f"/v1/portfolio/{fiscal_year}/programs/{program_id}",
        json={"category": "Literacy", "status": "approved", **body},
        headers=await catalog.headers_with(DECIDE_SCOPE),
    )


class TestDecision:
    async def test_first_decision_creates_membership(self, catalog: Harness) -> None:
        program = await make_program(catalog)

        response = await decide(catalog, program["id"])

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["fiscal_year"] == 2028
        assert body["program_id"] == program["id"]
        assert body["category"] == "Literacy"
        assert body["status"] == "approved"
        assert body["decided_at"] is not None

    async def test_later_decision_updates_membership(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        await decide(catalog, program["id"], status="applied")

        response = await decide(catalog, program["id"], status="qualified", category="STEM")

        assert response.status_code == 200
        assert response.json()["category"] == "STEM"
        assert response.json()["decided_at"] is None

    async def test_category_matches_any_spelling(self, catalog: Harness) -> None:
        first = await make_program(catalog, name="One")
        second = await make_program(catalog, name="Two")
        await decide(catalog, first["id"], category="English Learners")
        await decide(catalog, second["id"], category="english-learners")

        portfolio = (await catalog.client.get("/v1/portfolio", params={"fiscal_year": 2028})).json()

        assert portfolio["categories"] == ["English Learners"]
        assert [item["category"] for item in portfolio["items"]] == ["English Learners"] * 2

    async def test_draft_program_cannot_be_approved(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="draft")

        rejected = await decide(catalog, program["id"])
        applied = await decide(catalog, program["id"], status="applied")

        assert rejected.status_code == 409
        assert applied.status_code == 201

    async def test_archived_program_takes_no_decision(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="archived")

        assert (await decide(catalog, program["id"], status="applied")).status_code == 409

    async def test_unknown_program_is_not_found(self, catalog: Harness) -> None:
        assert (await decide(catalog, 999999)).status_code == 404

    async def test_invalid_status_is_rejected(self, catalog: Harness) -> None:
        program = await make_program(catalog)

        assert (await decide(catalog, program["id"], status="maybe")).status_code == 422

    async def test_decision_needs_the_decide_scope(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        url = f"/v1/portfolio/2028/programs/{program['id']}"
        body = {"category": "Literacy", "status": "approved"}

        anonymous = await catalog.client.put(url, json=body)
        writer = await catalog.client.put(url, json=body, headers=await catalog.headers_with("catalog:write"))

        assert anonymous.status_code == 401
        assert writer.status_code == 403

    async def test_decisions_are_audited(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        await decide(catalog, program["id"], status="applied")
        await decide(catalog, program["id"], status="applied")
        await decide(catalog, program["id"], status="approved")

        audit = await catalog.client.get(
            "/v1/audit",
            params={"action": "portfolio.decided", "entity_id": str(program["id"])},
            headers=await catalog.headers_with("catalog:write"),
        )

        statuses = [entry["changes"]["status"] for entry in audit.json()["items"]]
        assert statuses == [["applied", "approved"], [None, "applied"]]


class TestPortfolioCheck:
    async def test_approved_member_is_in_portfolio(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        await decide(catalog, program["id"])

        response = await catalog.client.get(f"/v1/portfolio/2028/programs/{program['id']}")

        assert response.status_code == 200
        assert response.json() == {
            "program_id": program["id"],
            "program_status": "approved",
            "in_portfolio": True,
            "portfolio_status": "approved",
            "category": "Literacy",
        }
        assert response.headers["cache-control"] == "no-cache"

    async def test_other_year_is_not_in_portfolio(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        await decide(catalog, program["id"])

        body = (await catalog.client.get(f"/v1/portfolio/2029/programs/{program['id']}")).json()

        assert body["in_portfolio"] is False
        assert body["portfolio_status"] is None
        assert body["category"] is None

    async def test_archived_program_leaves_portfolio(self, catalog: Harness) -> None:
        program = await make_program(catalog)
        await decide(catalog, program["id"])
        await catalog.client.post(
            f"/v1/programs/{program['id']}/status",
            json={"status": "archived"},
            headers=await catalog.headers_with("catalog:write"),
        )

        body = (await catalog.client.get(f"/v1/portfolio/2028/programs/{program['id']}")).json()

        assert body["program_status"] == "archived"
        assert body["portfolio_status"] == "approved"
        assert body["in_portfolio"] is False

    async def test_draft_program_is_reported_not_hidden(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="draft")

        body = (await catalog.client.get(f"/v1/portfolio/2028/programs/{program['id']}")).json()

        assert body["program_status"] == "draft"
        assert body["in_portfolio"] is False

    async def test_unknown_program_is_not_found(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/portfolio/2028/programs/999999")

        assert response.status_code == 404


class TestPublicPortfolio:
    async def test_only_approved_members_are_listed(self, catalog: Harness) -> None:
        approved = await make_program(catalog, name="Approved One")
        declined = await make_program(catalog, name="Declined One")
        await decide(catalog, approved["id"])
        await decide(catalog, declined["id"], status="declined")

        portfolio = (await catalog.client.get("/v1/portfolio", params={"fiscal_year": 2028})).json()

        assert portfolio["categories"] == ["Literacy"]
        (item,) = portfolio["items"]
        assert item["program"]["name"] == "Approved One"
        assert item["program"]["organization"]["name"]
        assert item["status"] == "approved"
        assert item["decided_at"] is not None
        assert portfolio["next_cursor"] is None

    async def test_year_without_cycle_is_empty(self, catalog: Harness) -> None:
        portfolio = (await catalog.client.get("/v1/portfolio", params={"fiscal_year": 2030})).json()

        assert portfolio == {"fiscal_year": 2030, "categories": [], "items": [], "next_cursor": None}

    async def test_fiscal_year_is_required(self, catalog: Harness) -> None:
        assert (await catalog.client.get("/v1/portfolio")).status_code == 422


class TestPortfolioOrder:
    async def test_items_sort_by_category_then_name(self, catalog: Harness) -> None:
        for name, category in [("Zeta", "Arts"), ("Alpha", "STEM"), ("Beta", "Arts")]:
            program = await make_program(catalog, name=name)
            await decide(catalog, program["id"], category=category)

        portfolio = (await catalog.client.get("/v1/portfolio", params={"fiscal_year": 2028})).json()

        assert portfolio["categories"] == ["Arts", "STEM"]
        assert [item["program"]["name"] for item in portfolio["items"]] == ["Beta", "Zeta", "Alpha"]
