from __future__ import annotations

from typing import Any

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import create_run_id, publish, seed_district


async def get_run(allocation: Harness, run_id: int) -> dict[str, Any]:
    response = await allocation.client.get(f"/v1/runs/{run_id}", headers=await allocation.admin_headers())
    assert response.status_code == 200, response.text
    return response.json()


class TestPublishRun:
    async def test_publish_sets_status_and_time(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)

        response = await publish(allocation, run_id)

        assert response.status_code == 200, response.text
        run = response.json()
        assert run["status"] == "published"
        assert run["published_at"] is not None
        assert run["published_by"].startswith("api-key:")

    async def test_second_publish_is_idempotent(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        first = (await publish(allocation, run_id)).json()

        second = await publish(allocation, run_id)

        assert second.status_code == 200
        assert second.json() == first

    async def test_other_run_needs_supersedes(self, allocation: Harness) -> None:
        await seed_district(allocation)
        published_id = await create_run_id(allocation)
        await publish(allocation, published_id)
        other_id = await create_run_id(allocation, pool="12000.00")

        response = await publish(allocation, other_id)

        assert response.status_code == 409
        assert response.json()["published_run_id"] == published_id
        assert str(published_id) in response.json()["detail"]
        assert (await get_run(allocation, other_id))["status"] == "draft"

    async def test_supersede_needs_reason(self, allocation: Harness) -> None:
        await seed_district(allocation)
        published_id = await create_run_id(allocation)
        await publish(allocation, published_id)
        other_id = await create_run_id(allocation, pool="12000.00")

        response = await publish(allocation, other_id, {"supersedes": published_id})

        assert response.status_code == 422
        assert (await get_run(allocation, published_id))["status"] == "published"

    async def test_supersede_keeps_both_readable(self, allocation: Harness) -> None:
        await seed_district(allocation)
        published_id = await create_run_id(allocation)
        await publish(allocation, published_id)
        other_id = await create_run_id(allocation, pool="12000.00")

        response = await publish(
            allocation, other_id, {"supersedes": published_id, "reason": "Pool raised by the board"}
        )

        assert response.status_code == 200, response.text
        new = response.json()
        assert new["status"] == "published"
        assert new["supersedes_run_id"] == published_id
        assert new["supersede_reason"] == "Pool raised by the board"
        old = await get_run(allocation, published_id)
        assert old["status"] == "superseded"
        assert old["superseded_by_run_id"] == other_id

    async def test_superseded_run_cannot_publish_again(self, allocation: Harness) -> None:
        await seed_district(allocation)
        first_id = await create_run_id(allocation)
        await publish(allocation, first_id)
        second_id = await create_run_id(allocation, pool="12000.00")
        await publish(allocation, second_id, {"supersedes": first_id, "reason": "Correction"})

        response = await publish(allocation, first_id, {"supersedes": second_id, "reason": "Back"})

        assert response.status_code == 409

    async def test_supersedes_without_published_run(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)

        response = await publish(allocation, run_id, {"supersedes": 12345, "reason": "x"})

        assert response.status_code == 409

    async def test_funds_publish_separately(self, allocation: Harness) -> None:
        await seed_district(allocation)
        partnership_id = await create_run_id(allocation)
        support_id = await create_run_id(allocation, fund="school_support")

        assert (await publish(allocation, partnership_id)).status_code == 200
        response = await publish(allocation, support_id)

        assert response.status_code == 200, response.text
        assert (await get_run(allocation, partnership_id))["status"] == "published"

    async def test_publish_needs_publish_scope(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        writer = await allocation.headers_with("allocations:write", "allocations:read")

        response = await allocation.client.post(f"/v1/runs/{run_id}/publish", headers=writer)

        assert response.status_code == 403


class TestDeleteRun:
    async def test_draft_can_be_deleted(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        headers = await allocation.admin_headers()

        response = await allocation.client.delete(f"/v1/runs/{run_id}", headers=headers)

        assert response.status_code == 204
        assert (await allocation.client.get(f"/v1/runs/{run_id}", headers=headers)).status_code == 404

    async def test_published_run_is_immutable(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        await publish(allocation, run_id)

        response = await allocation.client.delete(
            f"/v1/runs/{run_id}", headers=await allocation.admin_headers()
        )

        assert response.status_code == 409
        assert (await get_run(allocation, run_id))["status"] == "published"
