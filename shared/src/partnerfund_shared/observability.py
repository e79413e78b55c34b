"""Request ids, one log line per request, Prometheus metrics and the catch-all 500 problem."""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partnerfund_shared.logs import request_id_var
from partnerfund_shared.problems import internal_error_response

log = logging.getLogger("partnerfund.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Module-level so that several apps in one process (tests) share one registration.
REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests handled, by service, method, route template and status code.",
    ["service", "method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "Time to handle an HTTP request, by service, method and route template.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Take or assign `X-Request-ID`, log the request, record metrics, and turn crashes into 500s."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else new_request_id()
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            log.exception("unhandled_error", extra={"method": scope["method"], "path": scope["path"]})
            status = 500
            if not response_started:
                response = internal_error_response(request_id)
                await response(scope, receive, send_with_request_id)
        finally:
            duration = time.perf_counter() - started
            route = _route_template(scope)
            REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
            REQUEST_SECONDS.labels(self.service, scope["method"], route).observe(duration)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    # Unmatched paths are folded into one label so that scanners cannot grow the metric set.
    return str(path) if path else "unmatched"


class AnswerHeadLikeGet:
    """Serve HEAD on every GET route with the GET response's status and headers, without the body.

    Link checkers and caches send HEAD, and FastAPI routes declared with `get` reject it with 405.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_without_body)
        finally:
            # The route matched for GET names the request in the metrics of the outer layers.
            if "route" in as_get:
                scope["route"] = as_get["route"]
