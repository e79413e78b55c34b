"""Proposing a commitment: what is stored, the balance rule, and the request checks."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from allocation_api.commitments.models import Commitment
from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import Peers

COMMITMENTS = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments"


async def _stored_count(peers: Peers) -> int:
    return int(await peers.allocation.session.scalar(select(func.count(Commitment.id))) or 0)


class TestCreateCommitment:
    async def test_stores_catalog_names_and_creator(self, peers: Peers) -> None:
        run = await peers.publish()
        program = await peers.program(name="Math Circle", organization_name="Tufts Math Lab")
        headers = await peers.writer()

        response = await peers.client.post(
            COMMITMENTS,
            headers=headers,
            json=commitment_body(
                program.program_id,
                "1250.50",
                note="Grades 3-5, twice a week",
                expected_start_date="2028-01-08",
            ),
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert response.headers["location"] == f"/v1/commitments/{body['id']}"
        assert body["status"] == "proposed"
        assert body["amount"] == "1250.50"
        assert body["school_code"] == "0101"
        assert body["program_name"] == "Math Circle"
        assert body["organization_id"] == program.organization_id
        assert body["organization_name"] == "Tufts Math Lab"
        assert body["portfolio_status"] == "approved"
        assert body["portfolio_category"] == "Literacy"
        assert body["expected_start_date"] == "2028-01-08"
        assert body["note"] == "Grades 3-5, twice a week"
        assert body["allocation_run_id"] == run["id"]
        assert body["created_by"].startswith("api-key:")
        assert body["approved_by"] is None

    async def test_amount_up_to_allocation_is_accepted(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = await peers.writer()

        first = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "3000.00")
        )
        second = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "2000.00")
        )

        assert first.status_code == 201
        assert second.status_code == 201
        balance = await peers.client.get(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance", headers=await peers.reader()
        )
        assert balance.json()["remaining"] == "0.00"

    async def test_overspend_is_409_with_remaining(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = await peers.writer()
        await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "4000.00")
        )

        response = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1000.01")
        )

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("/commitment-exceeds-balance")
        assert problem["remaining"] == "1000.00"
        assert problem["allocated"] == "5000.00"
        assert problem["committed"] == "4000.00"
        assert problem["requested"] == "1000.01"
        assert "1000.00" in problem["detail"]
        assert await _stored_count(peers) == 1

    async def test_ineligible_school_has_nothing_to_commit(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()

        response = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0303/commitments",
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "1.00"),
        )

        assert response.status_code == 409
        assert response.json()["remaining"] == "0.00"

    async def test_unknown_school_is_404(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()

        response = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/9999/commitments",
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "1.00"),
        )

        assert response.status_code == 404
        assert response.json()["type"].endswith("/school-not-in-allocation")

    async def test_unpublished_fiscal_year_is_409(self, peers: Peers) -> None:
        program = await peers.program()

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "1.00")
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/allocation-not-published")
        assert await _stored_count(peers) == 0

    async def test_invalid_amounts_are_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = await peers.writer()

        for amount in ["0.00", "-5.00", "10.001", 10.5, "abc", "1000000000000.00"]:
            response = await peers.client.post(
                COMMITMENTS, headers=headers, json=commitment_body(program.program_id, amount)
            )
            assert response.status_code == 422, amount
            assert response.json()["errors"][0]["loc"][-1] == "amount", amount

        assert await _stored_count(peers) == 0

    async def test_integer_amount_is_accepted(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()

        response = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, 700)
        )

        assert response.status_code == 201
        assert Decimal(response.json()["amount"]) == Decimal("700.00")
        assert response.json()["amount"] == "700.00"

    async def test_unknown_fields_and_bad_school_code_are_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = await peers.writer()

        extra = await peers.client.post(
            COMMITMENTS,
            headers=headers,
            json=commitment_body(program.program_id, "1.00", organization="Someone"),
        )
        short_code = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/101/commitments",
            headers=headers,
            json=commitment_body(program.program_id, "1.00"),
        )

        assert extra.status_code == 422
        assert short_code.status_code == 422


class TestCommitmentScopes:
    async def test_missing_key_is_401(self, peers: Peers) -> None:
        response = await peers.client.post(COMMITMENTS, json=commitment_body(1, "1.00"))

        assert response.status_code == 401

    async def test_read_scope_cannot_propose(self, peers: Peers) -> None:
        response = await peers.client.post(
            COMMITMENTS, headers=await peers.reader(), json=commitment_body(1, "1.00")
        )

        assert response.status_code == 403
        assert response.json()["missing_scopes"] == ["commitments:write"]

    async def test_write_scope_cannot_read_balance(self, peers: Peers) -> None:
        response = await peers.client.get(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance", headers=await peers.writer()
        )

        assert response.status_code == 403
        assert response.json()["missing_scopes"] == ["allocations:read"]


class TestProposalMetrics:
    async def test_outcomes_are_counted(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = await peers.writer()

        async def count(outcome: str) -> float:
            text = (await peers.client.get("/metrics")).text
            prefix = f'allocation_commitment_proposals_total{{outcome="{outcome}"}} '
            lines = [line for line in text.splitlines() if line.startswith(prefix)]
            return float(lines[0].removeprefix(prefix)) if lines else 0.0

        created_before = await count("created")
        rejected_before = await count("exceeds_balance")
        await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "10.00")
        )
        await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "9999.00")
        )

        assert await count("created") == created_before + 1
        assert await count("exceeds_balance") == rejected_before + 1
