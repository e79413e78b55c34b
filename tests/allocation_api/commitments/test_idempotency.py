"""Idempotency-Key: a retried request returns the first result; a reused key is a conflict."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from allocation_api.commitments.models import Commitment
from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import APPROVE, WRITE, Peers

COMMITMENTS = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments"


async def _stored_count(peers: Peers) -> int:
    return int(await peers.allocation.session.scalar(select(func.count(Commitment.id))) or 0)


class TestIdempotencyKey:
    async def test_double_submit_creates_one_commitment(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "form-7f3a"}
        body = commitment_body(program.program_id, "1500.00", note="first try")

        first = await peers.client.post(COMMITMENTS, headers=headers, json=body)
        second = await peers.client.post(COMMITMENTS, headers=headers, json=body)

        assert first.status_code == 201
        assert second.status_code == 201
        assert second.json() == first.json()
        assert "idempotent-replayed" not in first.headers
        assert second.headers["idempotent-replayed"] == "true"
        assert await _stored_count(peers) == 1
        balance = await peers.client.get(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance", headers=await peers.reader()
        )
        assert balance.json()["committed"] == "1500.00"

    async def test_equal_amount_spellings_replay(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "amount-spelling"}

        first = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1500")
        )
        second = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1500.00")
        )

        assert first.status_code == 201
        assert second.json()["id"] == first.json()["id"]
        assert await _stored_count(peers) == 1

    async def test_same_key_different_body_is_409(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "form-7f3a"}
        first = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1500.00")
        )

        changed = await peers.client.post(
            COMMITMENTS, headers=headers, json=commitment_body(program.program_id, "1600.00")
        )

        assert changed.status_code == 409
        problem = changed.json()
        assert problem["type"].endswith("/idempotency-key-reused")
        assert problem["commitment_id"] == first.json()["id"]
        assert await _stored_count(peers) == 1

    async def test_same_key_other_school_is_409(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "form-7f3a"}
        body = commitment_body(program.program_id, "100.00")
        await peers.client.post(COMMITMENTS, headers=headers, json=body)

        other_school = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0202/commitments", headers=headers, json=body
        )

        assert other_school.status_code == 409
        assert await _stored_count(peers) == 1

    async def test_replay_needs_no_catalog(
        self, peers: Peers, unreachable_catalog: httpx.AsyncClient
    ) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "offline-retry"}
        body = commitment_body(program.program_id, "100.00")
        first = await peers.client.post(COMMITMENTS, headers=headers, json=body)
        peers.point_catalog_at(unreachable_catalog)

        retry = await peers.client.post(COMMITMENTS, headers=headers, json=body)

        assert retry.status_code == 201
        assert retry.json()["id"] == first.json()["id"]

    async def test_keys_belong_to_their_api_key(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        body = commitment_body(program.program_id, "100.00")

        first = await peers.client.post(
            COMMITMENTS, headers={**await peers.writer(), "Idempotency-Key": "shared"}, json=body
        )
        other_caller = await peers.client.post(
            COMMITMENTS,
            headers={**await peers.allocation.headers_with(WRITE, APPROVE), "Idempotency-Key": "shared"},
            json=body,
        )

        assert first.status_code == 201
        assert other_caller.status_code == 201
        assert other_caller.json()["id"] != first.json()["id"]
        assert await _stored_count(peers) == 2

    async def test_rejected_request_is_not_remembered(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        headers = {**await peers.writer(), "Idempotency-Key": "too-much"}
        filler = await peers.client.post(
            COMMITMENTS, headers=await peers.writer(), json=commitment_body(program.program_id, "5000.00")
        )
        body = commitment_body(program.program_id, "100.00")
        rejected = await peers.client.post(COMMITMENTS, headers=headers, json=body)
        await peers.client.post(f"/v1/commitments/{filler.json()['id']}/cancel", headers=headers)

        retried = await peers.client.post(COMMITMENTS, headers=headers, json=body)

        assert rejected.status_code == 409
        assert retried.status_code == 201

    async def test_overlong_key_is_422(self, peers: Peers) -> None:
        headers = {**await peers.writer(), "Idempotency-Key": "k" * 201}

        response = await peers.client.post(COMMITMENTS, headers=headers, json=commitment_body(1, "1.00"))

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
