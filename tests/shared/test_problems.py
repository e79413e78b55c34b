"""Every error leaves the services as RFC 9457 problem+json."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import BaseModel

from partnerfund_shared.errors import Conflict, ErrorItem, ImportRejected
from partnerfund_shared.testing import Harness


class Payload(BaseModel):
    amount: int


def _add_routes(harness: Harness) -> None:
    async def conflict() -> None:
        raise Conflict(detail="The run is already published.", extra={"run_id": 7})

    async def rejected() -> None:
        raise ImportRejected(
            detail="1 problem in scores.csv; nothing was imported.",
            errors=[ErrorItem(row=3, column="FY27 OI Score", value="1.7", message="score > 1")],
        )

    async def crash() -> None:
        raise RuntimeError("secret internal state")

    async def validated(payload: Payload) -> Payload:
        return payload

    harness.app.add_api_route("/test/conflict", conflict)
    harness.app.add_api_route("/test/rejected", rejected)
    harness.app.add_api_route("/test/crash", crash)
    harness.app.add_api_route("/test/validated", validated, methods=["POST"])


class TestProblemResponses:
    async def test_domain_error_is_problem_json(self, allocation: Harness) -> None:
        _add_routes(allocation)

        response = await allocation.client.get("/test/conflict")

        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 409
        assert body["title"] == "Conflict"
        assert body["detail"] == "The run is already published."
        assert body["type"].endswith("/conflict")
        assert body["run_id"] == 7

    async def test_import_error_lists_row_column_value(self, allocation: Harness) -> None:
        _add_routes(allocation)

        body = (await allocation.client.get("/test/rejected")).json()

        assert body["status"] == 422
        assert body["errors"] == [
            {"row": 3, "column": "FY27 OI Score", "value": "1.7", "message": "score > 1"}
        ]

    async def test_validation_error_lists_location(self, allocation: Harness) -> None:
        _add_routes(allocation)

        response = await allocation.client.post("/test/validated", json={"amount": "many"})

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        errors = body["errors"]
        assert body["title"] == "Invalid request"
        assert errors[0]["loc"] == ["body", "amount"]
        assert errors[0]["message"]
        assert errors[0]["value"] == "many"

    async def test_unknown_route_is_problem_json(self, allocation: Harness) -> None:
        response = await allocation.client.get("/no/such/path")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_crash_is_logged_with_request_id(
        self, allocation: Harness, caplog: pytest.LogCaptureFixture
    ) -> None:
        _add_routes(allocation)
        caplog.set_level(logging.ERROR, logger="partnerfund.request")

        response = await allocation.client.get("/test/crash", headers={"X-Request-ID": "req-42"})

        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert "secret internal state" not in response.text
        assert response.json()["request_id"] == "req-42"
        assert response.headers["x-request-id"] == "req-42"
        crash_records = [record for record in caplog.records if record.msg == "unhandled_error"]
        assert len(crash_records) == 1
        assert crash_records[0].exc_info is not None

    async def test_json_log_line_carries_request_id(self, allocation: Harness) -> None:
        from partnerfund_shared.logs import JsonFormatter, request_id_var

        token = request_id_var.set("abc123")
        try:
            record = logging.LogRecord("x", logging.INFO, __file__, 1, "run_published", None, None)
            record.run_id = 5
            line = json.loads(JsonFormatter("allocation-api").format(record))
        finally:
            request_id_var.reset(token)

        assert line["event"] == "run_published"
        assert line["request_id"] == "abc123"
        assert line["run_id"] == 5


class TestEventLogger:
    def test_reserved_field_name_is_renamed(self) -> None:
        logger = logging.getLogger("partnerfund.test.reserved_field")

        record = logger.makeRecord(
            logger.name,
            logging.INFO,
            __file__,
            1,
            "contacts_imported",
            None,
            None,
            extra={"created": 3, "rows": 4},
        )

        assert record.field_created == 3  # type: ignore[attr-defined]
        assert record.rows == 4  # type: ignore[attr-defined]
        assert isinstance(record.created, float)
