from __future__ import annotations

from typing import Any

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import create_run_id, publish, seed_district


async def audit_entries(allocation: Harness, **params: str | int) -> dict[str, Any]:
    response = await allocation.client.get(
        "/v1/audit-log", params=params, headers=await allocation.admin_headers()
    )
    assert response.status_code == 200, response.text
    return response.json()


class TestAuditLog:
    async def test_records_every_step_newest_first(self, allocation: Harness) -> None:
        await seed_district(allocation)
        first_id = await create_run_id(allocation)
        await publish(allocation, first_id)
        second_id = await create_run_id(allocation, pool="12000.00")
        await publish(allocation, second_id, {"supersedes": first_id, "reason": "Board vote"})

        page = await audit_entries(allocation, limit=200)

        actions = [entry["action"] for entry in page["items"]]
        assert actions == [
            "run_published",
            "run_superseded",
            "run_created",
            "run_published",
            "run_created",
            "enrollment_imported",
            "need_index_imported",
            "schools_imported",
        ]
        superseded = page["items"][1]
        assert superseded["subject_id"] == str(first_id)
        assert superseded["details"]["reason"] == "Board vote"
        assert superseded["actor"].startswith("api-key:")

    async def test_filter_and_paginate(self, allocation: Harness) -> None:
        await seed_district(allocation)
        for pool in ("100.00", "200.00", "300.00"):
            await create_run_id(allocation, pool=pool)

        first = await audit_entries(allocation, action="run_created", limit=2)
        second = await audit_entries(allocation, action="run_created", limit=2, cursor=first["next_cursor"])

        assert len(first["items"]) == 2
        assert len(second["items"]) == 1
        assert second["next_cursor"] is None
        assert second["items"][0]["details"]["total"] == "100.00"

    async def test_idempotent_publish_not_logged_twice(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        await publish(allocation, run_id)
        await publish(allocation, run_id)

        page = await audit_entries(allocation, action="run_published")

        assert len(page["items"]) == 1

    async def test_needs_read_scope(self, allocation: Harness) -> None:
        response = await allocation.client.get("/v1/audit-log")

        assert response.status_code == 401
