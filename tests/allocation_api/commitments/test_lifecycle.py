"""Approving and cancelling commitments: statuses, identities, scopes and freed amounts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import APPROVE, WRITE, Peers

COMMITMENTS = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments"
BALANCE = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance"


async def _propose(peers: Peers, amount: str) -> dict[str, Any]:
    program = await peers.program()
    response = await peers.client.post(
        COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, amount)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


class TestApproveCommitment:
    async def test_approve_records_approver(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "2000.00")

        response = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/approve", headers=await peers.approver()
        )

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "approved"
        assert body["approved_by"].startswith("api-key:")
        assert body["approved_by"] != proposed["created_by"]
        assert body["approved_at"] is not None
        balance = (await peers.client.get(BALANCE, headers=await peers.reader())).json()
        assert balance["approved"] == "2000.00"
        assert balance["proposed"] == "0.00"
        assert balance["committed"] == "2000.00"

    async def test_second_approve_changes_nothing(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "2000.00")
        headers = await peers.approver()
        first = await peers.client.post(f"/v1/commitments/{proposed['id']}/approve", headers=headers)

        second = await peers.client.post(f"/v1/commitments/{proposed['id']}/approve", headers=headers)

        assert second.status_code == 200
        assert second.json()["approved_at"] == first.json()["approved_at"]

    async def test_write_scope_cannot_approve(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "2000.00")

        response = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/approve", headers=await peers.writer()
        )

        assert response.status_code == 403
        assert response.json()["missing_scopes"] == ["commitments:approve"]

    async def test_cancelled_commitment_cannot_be_approved(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "2000.00")
        await peers.client.post(f"/v1/commitments/{proposed['id']}/cancel", headers=await peers.writer())

        response = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/approve", headers=await peers.approver()
        )

        assert response.status_code == 409
        assert response.json()["type"].endswith("/commitment-cancelled")

    async def test_unknown_commitment_is_404(self, peers: Peers) -> None:
        response = await peers.client.post("/v1/commitments/424242/approve", headers=await peers.approver())

        assert response.status_code == 404
        assert response.json()["type"].endswith("/commitment-not-found")


class TestApprovalCatalogCheck:
    async def test_program_declined_since_proposal_is_422(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        proposed = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "100.00")
        )
        declined = await peers.catalog.client.put(
            f"/v1/portfolio/{FISCAL_YEAR}/programs/{program.program_id}",
            headers=await peers.catalog.admin_headers(),
            json={"category": "Literacy", "status": "declined"},
        )
        assert declined.status_code == 200, declined.text

        response = await peers.client.post(
            f"/v1/commitments/{proposed.json()['id']}/approve", headers=await peers.approver()
        )

        assert response.status_code == 422
        assert response.json()["reason"] == "program_not_in_portfolio"
        stored = await peers.client.get(
            f"/v1/commitments/{proposed.json()['id']}", headers=await peers.reader()
        )
        assert stored.json()["status"] == "proposed"

    async def test_unreachable_catalog_is_503(
        self, peers: Peers, unreachable_catalog: httpx.AsyncClient
    ) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")
        peers.point_catalog_at(unreachable_catalog)

        response = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/approve", headers=await peers.approver()
        )

        assert response.status_code == 503
        assert response.headers["retry-after"] == "30"
        stored = await peers.client.get(f"/v1/commitments/{proposed['id']}", headers=await peers.reader())
        assert stored.json()["status"] == "proposed"

    async def test_repeat_approval_needs_no_catalog(
        self, peers: Peers, unreachable_catalog: httpx.AsyncClient
    ) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")
        headers = await peers.approver()
        await peers.client.post(f"/v1/commitments/{proposed['id']}/approve", headers=headers)
        peers.point_catalog_at(unreachable_catalog)

        response = await peers.client.post(f"/v1/commitments/{proposed['id']}/approve", headers=headers)

        assert response.status_code == 200
        assert response.json()["status"] == "approved"


class TestCancelCommitment:
    async def test_cancel_frees_the_amount(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "5000.00")
        program = await peers.program(name="Second Program")
        headers = await peers.writer()
        blocked = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1.00")
        )

        cancelled = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/cancel",
            headers=headers,
            json={"reason": "Partner cannot staff the site"},
        )
        accepted = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "5000.00")
        )

        assert blocked.status_code == 409
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["cancel_reason"] == "Partner cannot staff the site"
        assert cancelled.json()["cancelled_by"].startswith("api-key:")
        assert accepted.status_code == 201

    async def test_cancel_without_body(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")

        response = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/cancel", headers=await peers.writer()
        )

        assert response.status_code == 200
        assert response.json()["cancel_reason"] is None

    async def test_second_cancel_changes_nothing(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")
        headers = await peers.writer()
        first = await peers.client.post(f"/v1/commitments/{proposed['id']}/cancel", headers=headers)

        second = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/cancel", headers=headers, json={"reason": "again"}
        )

        assert second.status_code == 200
        assert second.json()["cancelled_at"] == first.json()["cancelled_at"]
        assert second.json()["cancel_reason"] is None

    async def test_cancelling_approved_needs_approve_scope(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")
        await peers.client.post(f"/v1/commitments/{proposed['id']}/approve", headers=await peers.approver())

        by_writer = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/cancel", headers=await peers.writer()
        )
        by_approver = await peers.client.post(
            f"/v1/commitments/{proposed['id']}/cancel",
            headers=await peers.allocation.headers_with(WRITE, APPROVE),
        )

        assert by_writer.status_code == 403
        assert by_writer.json()["missing_scopes"] == ["commitments:approve"]
        assert by_approver.status_code == 200
        assert by_approver.json()["status"] == "cancelled"


class TestReadCommitment:
    async def test_get_returns_commitment(self, peers: Peers) -> None:
        await peers.publish()
        proposed = await _propose(peers, "100.00")

        response = await peers.client.get(f"/v1/commitments/{proposed['id']}", headers=await peers.reader())

        assert response.status_code == 200
        assert response.json() == proposed

    async def test_balance_lists_cancelled_too(self, peers: Peers) -> None:
        await peers.publish()
        kept = await _propose(peers, "100.00")
        dropped = await _propose(peers, "200.00")
        await peers.client.post(f"/v1/commitments/{dropped['id']}/cancel", headers=await peers.writer())

        balance = (await peers.client.get(BALANCE, headers=await peers.reader())).json()

        assert [item["id"] for item in balance["commitments"]] == [kept["id"], dropped["id"]]
        assert [item["status"] for item in balance["commitments"]] == ["proposed", "cancelled"]
        assert balance["committed"] == "100.00"
        assert balance["remaining"] == "4900.00"
        assert balance["over_committed"] is False
        assert balance["school_name"] == "Adams Elementary"

    async def test_balance_without_published_run_is_404(self, peers: Peers) -> None:
        response = await peers.client.get(BALANCE, headers=await peers.reader())

        assert response.status_code == 404
        assert response.json()["type"].endswith("/published-allocation-not-found")

    async def test_balance_of_unknown_school_is_404(self, peers: Peers) -> None:
        await peers.publish()

        response = await peers.client.get(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/9999/balance", headers=await peers.reader()
        )

        assert response.status_code == 404
