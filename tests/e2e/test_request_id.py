"""A request id given to one real service reaches the log of the service it calls."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.allocation_api.commitments.builders import (
    FISCAL_YEAR,
    add_program,
    commitment_body,
    load_district,
    publish_run,
)
from tests.e2e.conftest import Platform

pytestmark = pytest.mark.e2e


def _log_events(text: str) -> list[dict[str, object]]:
    events = []
    for line in text.splitlines():
        if line.startswith("{"):
            events.append(json.loads(line))
    return events


class TestRequestIdPropagation:
    async def test_commitment_call_carries_id_into_catalog_log(self, platform: Platform) -> None:
        headers = platform.headers
        async with (
            httpx.AsyncClient(base_url=platform.url("allocation"), timeout=30) as allocation,
            httpx.AsyncClient(base_url=platform.url("catalog"), timeout=30) as catalog,
        ):
            await load_district(allocation, headers)
            await publish_run(allocation, headers)
            program = await add_program(catalog, headers)

            response = await allocation.post(
                f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments",
                headers={**headers, "X-Request-ID": "trace-e2e-0001"},
                json=commitment_body(program.program_id, "100.00"),
            )

        assert response.status_code == 201, response.text
        assert response.headers["x-request-id"] == "trace-e2e-0001"
        platform.processes["catalog"].stop()
        platform.processes["allocation"].stop()
        catalog_requests = [
            event
            for event in _log_events(platform.processes["catalog"].log_text())
            if event.get("event") == "request" and event.get("request_id") == "trace-e2e-0001"
        ]
        allocation_requests = [
            event
            for event in _log_events(platform.processes["allocation"].log_text())
            if event.get("event") == "request" and event.get("request_id") == "trace-e2e-0001"
        ]
        assert len(allocation_requests) == 1
        assert allocation_requests[0]["status"] == 201
        assert catalog_requests, "the catalog logged no request with the caller's request id"
        assert all(str(event["path"]).startswith("/v1/") for event in catalog_requests)
