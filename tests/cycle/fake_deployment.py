"""An in-memory stand-in for the three services, served through `httpx.MockTransport`.

It serves only the requests the cycle runner sends, in the shapes of the HTTP contracts, and
records every request so tests can check what was sent. It models no service behaviour beyond
what the runner's step logic needs, so it checks request shapes, not the services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx

PORT_SERVICES = {8001: "allocation", 8002: "catalog", 8003: "notifier"}


@dataclass
class Upload:
    filename: str
    content: bytes
    fields: dict[str, str]


@dataclass
class RecordedRequest:
    service: str
    method: str
    path: str
    params: dict[str, str]
    headers: httpx.Headers
    json: Any = None
    upload: Upload | None = None


def parse_multipart(request: httpx.Request) -> Upload:
    content_type = request.headers["content-type"]
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.content
    )
    filename = ""
    content = b""
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if part.get_filename():
            filename = part.get_filename() or ""
            content = payload
        else:
            fields[str(name)] = payload.decode()
    return Upload(filename=filename, content=content, fields=fields)


def problem(
    status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


@dataclass
class FakeDeployment:
    requests: list[RecordedRequest] = field(default_factory=list)
    sets: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"need-index": [], "enrollment": []}
    )
    runs: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    # Set to make the next import of that kind ("need-index"), or the next campaign of a kind
    # ("campaign:office_hours"), fail with this problem response.
    reject_next: dict[str, httpx.Response] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)
    next_ids: dict[str, int] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def posts(self, service: str | None = None) -> list[RecordedRequest]:
        return [
            request
            for request in self.requests
            if request.method == "POST" and (service is None or request.service == service)
        ]

    def take_id(self, service: str) -> int:
        """Number each service's records from 1, as each service has its own database."""
        value = self.next_ids.get(service, 1)
        self.next_ids[service] = value + 1
        return value

    def handle(self, request: httpx.Request) -> httpx.Response:
        service = PORT_SERVICES[request.url.port or 80]
        if service in self.unreachable:
            raise httpx.ConnectError("Connection refused", request=request)
        recorded = RecordedRequest(
            service=service,
            method=request.method,
            path=request.url.path,
            params=dict(request.url.params),
            headers=request.headers,
        )
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            recorded.upload = parse_multipart(request)
        elif request.content:
            recorded.json = json.loads(request.content)
        self.requests.append(recorded)
        return getattr(self, f"handle_{service}")(recorded)

    # allocation-api

    def handle_allocation(self, request: RecordedRequest) -> httpx.Response:
        path, method = request.path, request.method
        parts = path.strip("/").split("/")

        if path == "/v1/schools/import":
            return httpx.Response(201, json={"id": self.take_id("allocation"), "rows": 120, "warnings": []})
        if len(parts) == 5 and parts[3] in self.sets and parts[4] == "sets":
            return httpx.Response(200, json={"items": self.sets[parts[3]], "next_cursor": None})
        if len(parts) == 5 and parts[3] in self.sets and parts[4] == "import":
            return self.import_set(parts[3], request)
        if len(parts) == 4 and parts[3] == "runs":
            if method == "GET":
                runs = [run for run in self.runs if run["fund"] == request.params.get("fund")]
                return httpx.Response(200, json={"items": runs, "next_cursor": None})
            return self.create_run(request)
        if len(parts) == 4 and parts[3] == "allocations":
            published = [run for run in self.runs if run["status"] == "published"]
            if not published:
                return problem(404, "Not found", "FY28 has no published allocation")
            return httpx.Response(200, json={"run_id": published[0]["id"], "items": []})
        if parts[:2] == ["v1", "runs"] and parts[-1] == "lines":
            return self.run_lines(request)
        if parts[:2] == ["v1", "runs"] and parts[-1] == "publish":
            return self.publish(int(parts[2]), request)
        return problem(404, "Not found", f"no route {method} {path}")

    def import_set(self, kind: str, request: RecordedRequest) -> httpx.Response:
        if kind in self.reject_next:
            return self.reject_next.pop(kind)
        assert request.upload is not None
        stored = {
            "id": self.take_id("allocation"),
            "version": len(self.sets[kind]) + 1,
            "filename": request.upload.filename,
            "rows": 117,
        }
        self.sets[kind].append(stored)
        warnings = [{"row": 5, "column": "score", "value": "", "message": "blank score"}]
        return httpx.Response(201, json={"id": stored["id"], "rows": 117, "warnings": warnings})

    def create_run(self, request: RecordedRequest) -> httpx.Response:
        policy = request.json
        run = {
            "id": self.take_id("allocation"),
            "fiscal_year": 2028,
            "fund": policy["fund"],
            "status": "draft",
            "policy": policy,
            "need_index_set_id": policy.get("need_index_set_id"),
            "enrollment_set_id": policy.get("enrollment_set_id"),
            "total": policy["pool"],
            "eligible_schools": 43,
            "eligible_enrollment": 21596,
            "excluded": [
                {"school_code": "2716", "school_name": "Achterberg Middle School", "reason": "no enrollment"}
            ],
            "content_hash": "abc",
        }
        self.runs.append(run)
        return httpx.Response(201, json=run)

    def run_lines(self, request: RecordedRequest) -> httpx.Response:
        lines = [
            {
                "school_code": f"{1000 + index}",
                "school_name": f"School {index}",
                "amount": f"{index * 1000}.00",
                "enrollment": index * 10,
                "per_pupil": "100.00",
            }
            for index in range(1, 9)
        ]
        # Two pages, so the runner has to follow the cursor to see the largest amounts.
        if request.params.get("cursor") == "page-2":
            return httpx.Response(200, json={"items": lines[4:], "next_cursor": None})
        return httpx.Response(200, json={"items": lines[:4], "next_cursor": "page-2"})

    def publish(self, run_id: int, request: RecordedRequest) -> httpx.Response:
        run = next(run for run in self.runs if run["id"] == run_id)
        current = [other for other in self.runs if other["status"] == "published"]
        if current and current[0]["id"] != run_id:
            if (request.json or {}).get("supersedes") != current[0]["id"]:
                return problem(409, "Conflict", "another run is published")
            current[0]["status"] = "superseded"
        run["status"] = "published"
        return httpx.Response(200, json=run)

    # catalog-api

    def handle_catalog(self, request: RecordedRequest) -> httpx.Response:
        if request.path == "/v1/schools/import":
            return httpx.Response(201, json={"id": self.take_id("catalog"), "rows": 120, "warnings": []})
        if request.path == "/v1/partnerships/import":
            skipped = [{"row": 12, "column": "rc_code", "value": "", "message": "matches no school"}]
            return httpx.Response(
                201, json={"id": self.take_id("catalog"), "rows": 3405, "warnings": [], "skipped": skipped}
            )
        if request.path.startswith("/v1/portfolio/") and request.path.endswith("/import"):
            assert request.upload is not None
            rows = request.upload.content.count(b"\n") - 1
            return httpx.Response(
                201,
                json={
                    "id": self.take_id("catalog"),
                    "rows": rows,
                    "warnings": [],
                    "created": rows,
                    "updated": 0,
                    "unchanged": 0,
                },
            )
        return problem(404, "Not found", f"no route {request.method} {request.path}")

    # notifier

    def handle_notifier(self, request: RecordedRequest) -> httpx.Response:
        parts = request.path.strip("/").split("/")
        if request.path == "/v1/contacts/import":
            return httpx.Response(
                201, json={"id": 1, "rows": 133, "created": 133, "updated": 0, "warnings": []}
            )
        if request.path == "/v1/campaigns" and request.method == "GET":
            kind = request.params.get("kind")
            items = [campaign for campaign in self.campaigns if campaign["kind"] == kind]
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        if request.path == "/v1/campaigns":
            body = request.json
            rejection = self.reject_next.pop(f"campaign:{body['kind']}", None)
            if rejection is not None:
                return rejection
            campaign = {
                **body,
                "id": self.take_id("notifier"),
                "status": "scheduled",
                "send_at_local": body.get("send_at", ""),
                "deliveries": {"scheduled": 120},
                "warnings": [],
            }
            self.campaigns.append(campaign)
            return httpx.Response(201, json=campaign)
        if len(parts) >= 3 and parts[:2] == ["v1", "campaigns"]:
            campaign = next(item for item in self.campaigns if item["id"] == int(parts[2]))
            if parts[-1] == "send-now":
                campaign["deliveries"] = {"sending": 120}
            return httpx.Response(200, json=campaign)
        return problem(404, "Not found", f"no route {request.method} {request.path}")
