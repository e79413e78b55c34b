"""The catalog check before a commitment is stored: 422 with a reason, or 503 when unreachable."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from allocation_api.commitments.models import Commitment, CommitmentLock
from allocation_api.settings import CommitmentSettings, Settings
from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import Peers

COMMITMENTS = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments"


async def _stored(peers: Peers) -> tuple[int, int]:
    """Count the commitments and the lock rows, both of which must stay empty after a rejection."""
    session = peers.allocation.session
    commitments = await session.scalar(select(func.count(Commitment.id)))
    locks = await session.scalar(select(func.count()).select_from(CommitmentLock))
    return int(commitments or 0), int(locks or 0)


class TestProgramRejected:
    async def test_program_outside_portfolio_is_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(portfolio_status=None)

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 422
        problem = response.json()
        assert problem["type"].endswith("/program-rejected")
        assert problem["reason"] == "program_not_in_portfolio"
        assert problem["program_id"] == program.program_id
        assert "not listed" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["body", "program_id"]
        assert await _stored(peers) == (0, 0)

    async def test_declined_portfolio_program_is_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(portfolio_status="declined")

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_in_portfolio"
        assert "declined" in response.json()["detail"]
        assert await _stored(peers) == (0, 0)

    async def test_other_year_portfolio_does_not_count(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(fiscal_year=FISCAL_YEAR - 1)

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_in_portfolio"

    async def test_unknown_program_is_422(self, peers: Peers) -> None:
        await peers.publish()

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(987654, "10.00")
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_found"
        assert "987654" in response.json()["detail"]
        assert await _stored(peers) == (0, 0)

    async def test_unapproved_program_is_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(program_status="submitted", portfolio_status="qualified")

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_approved"
        assert "submitted" in response.json()["detail"]
        assert await _stored(peers) == (0, 0)


class TestPortfolioSetting:
    async def test_fund_without_requirement_takes_any_approved_program(self, peers: Peers) -> None:
        await peers.publish(fund="school_support")
        program = await peers.program(portfolio_status=None)

        response = await peers.client.post(
            COMMITMENTS,
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "10.00", fund="school_support"),
        )

        assert response.status_code == 201, response.text
        assert response.json()["fund"] == "school_support"
        assert response.json()["portfolio_status"] is None

    async def test_fund_without_requirement_still_needs_approval(self, peers: Peers) -> None:
        await peers.publish(fund="school_support")
        program = await peers.program(program_status="draft", portfolio_status=None)

        response = await peers.client.post(
            COMMITMENTS,
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "10.00", fund="school_support"),
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_approved"

    async def test_setting_can_drop_partnership_requirement(self, peers: Peers) -> None:
        peers.allocation.app.state.settings.commitments = CommitmentSettings(
            portfolio_required={"partnership": False}
        )
        await peers.publish()
        program = await peers.program(portfolio_status=None)

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 201, response.text

    def test_environment_sets_requirement_per_fund(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ALLOCATION_COMMITMENTS__PORTFOLIO_REQUIRED", '{"partnership": false}')
        monkeypatch.setenv("ALLOCATION_COMMITMENTS__CATALOG_RETRY_AFTER", "5")

        settings = Settings().commitments

        assert settings.requires_portfolio("partnership") is False
        assert settings.requires_portfolio("school_support") is True
        assert settings.catalog_retry_after == 5

    def test_unlisted_fund_requires_portfolio(self) -> None:
        settings = CommitmentSettings(portfolio_required={"school_support": False})

        assert settings.requires_portfolio("partnership") is True
        assert settings.requires_portfolio("school_support") is False


class TestCatalogUnavailable:
    async def test_unreachable_catalog_is_503_with_retry_after(
        self, peers: Peers, unreachable_catalog: httpx.AsyncClient
    ) -> None:
        await peers.publish()
        program = await peers.program()
        peers.point_catalog_at(unreachable_catalog)

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "10.00")
        )

        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "30"
        assert response.json()["type"].endswith("/upstream-unavailable")
        assert "nothing was stored" in response.json()["detail"]
        assert await _stored(peers) == (0, 0)

    async def test_catalog_server_error_is_503(self, peers: Peers) -> None:
        await peers.publish()

        def failing(request: httpx.Request) -> httpx.Response:
            return httpx.Response(500, json={"detail": "boom"})

        async with httpx.AsyncClient(
            base_url="http://catalog.test", transport=httpx.MockTransport(failing)
        ) as http:
            peers.point_catalog_at(http)
            response = await peers.client.post(
                COMMITMENTS, headers=await peers.writer(), json=commitment_body(1, "10.00")
            )

        assert response.status_code == 503
        assert "HTTP 500" in response.json()["detail"]
        assert response.headers["retry-after"] == "30"
        assert await _stored(peers) == (0, 0)

    async def test_unparsable_catalog_answer_is_503(self, peers: Peers) -> None:
        await peers.publish()

        def garbled(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={"unexpected": True})

        async with httpx.AsyncClient(
            base_url="http://catalog.test", transport=httpx.MockTransport(garbled)
        ) as http:
            peers.point_catalog_at(http)
            response = await peers.client.post(
                COMMITMENTS, headers=await peers.writer(), json=commitment_body(1, "10.00")
            )

        assert response.status_code == 503
        assert "could not be parsed" in response.json()["detail"]
        assert await _stored(peers) == (0, 0)
