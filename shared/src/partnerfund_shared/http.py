"""HTTP clients for calls between the platform's services."""

from __future__ import annotations

import asyncio
import logging
import random

import httpx
from pydantic import SecretStr

from partnerfund_shared.logs import request_id_var
from partnerfund_shared.settings import HttpClientSettings

log = logging.getLogger("partnerfund.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})


class RetryingTransport(httpx.AsyncBaseTransport):
    """Retry idempotent requests on connection errors, timeouts and 502/503/504, with backoff.

    POST and PATCH are sent once: repeating them could store a change twice.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, retries: int, backoff: float) -> None:
        self.inner = inner
        self.retries = retries
        self.backoff = backoff

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempts = self.retries + 1 if request.method in IDEMPOTENT_METHODS else 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                response = await self.inner.handle_async_request(request)
            except (httpx.TransportError, httpx.TimeoutException) as error:
                if last:
                    raise
                log.warning(
                    "peer_request_retry",
                    extra={"url": str(request.url), "attempt": attempt, "error": repr(error)},
                )
            else:
                if last or response.status_code not in RETRY_STATUSES:
                    return response
                await response.aclose()
                log.warning(
                    "peer_request_retry",
                    extra={
                        "url": str(request.url),
                        "attempt": attempt,
                        "status": response.status_code,
                    },
                )
            # Full jitter keeps replicas that failed together from retrying together.
            await asyncio.sleep(random.uniform(0, self.backoff * 2 ** (attempt - 1)))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _add_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id is not None and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def create_service_client(
    base_url: str,
    settings: HttpClientSettings,
    *,
    api_key: SecretStr | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """Create a client for another service: timeouts, retries, API key and `X-Request-ID` set."""
    headers = {"Accept": "application/json"}
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    inner = transport or httpx.AsyncHTTPTransport()
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=timeout,
        transport=RetryingTransport(inner, settings.retries, settings.backoff),
        event_hooks={"request": [_add_request_id]},
    )
