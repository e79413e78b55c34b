"""HTTP access to the three services for the cycle command, with problem+json errors kept whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from partnerfund_shared.cycle.settings import CycleSettings, ServiceName

SERVICE_TITLES: dict[ServiceName, str] = {
    "allocation": "allocation-api",
    "catalog": "catalog-api",
    "notifier": "notifier",
}

# Lists are paged with `limit` at most 200; a cycle never reads more pages than this.
PAGE_LIMIT = 200
MAX_PAGES = 500


@dataclass
class ServiceError(Exception):
    """A request that failed: no connection (`status` None) or a non-2xx response."""

    service: ServiceName
    method: str
    path: str
    status: int | None
    detail: str
    problem: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None

    def __post_init__(self) -> None:
        Exception.__init__(self, self.headline())

    @property
    def service_title(self) -> str:
        return SERVICE_TITLES[self.service]

    @property
    def errors(self) -> list[dict[str, Any]]:
        items = self.problem.get("errors")
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def headline(self) -> str:
        if self.status is None:
            return f"{self.service_title} did not answer {self.method} {self.path}"
        title = self.problem.get("title") or httpx.codes.get_reason_phrase(self.status)
        return f"{self.service_title} answered {self.method} {self.path} with {self.status} {title}"


class ServiceClients:
    """One httpx client per service, each with its base URL and bearer key."""

    def __init__(
        self,
        settings: CycleSettings,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        self._clients: dict[ServiceName, httpx.Client] = {}
        for service in SERVICE_TITLES:
            headers = {"Accept": "application/json"}
            key = settings.api_key_for(service)
            if key:
                headers["Authorization"] = f"Bearer {key}"
            self._clients[service] = httpx.Client(
                base_url=settings.url_for(service),
                headers=headers,
                timeout=timeout,
                transport=transport,
            )

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> ServiceClients:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def base_url(self, service: ServiceName) -> str:
        return self.settings.url_for(service)

    def request(
        self,
        service: ServiceName,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        allow_not_found: bool = False,
    ) -> Any:
        """Send one request and return its JSON body (None for an empty body or an allowed 404)."""
        client = self._clients[service]
        try:
            response = client.request(
                method, path, params=params, json=json, data=data, files=files, headers=headers
            )
        except httpx.TimeoutException as error:
            raise ServiceError(service, method, path, None, f"timed out ({error})") from error
        except httpx.TransportError as error:
            detail = f"cannot connect to {self.base_url(service)} ({error})"
            raise ServiceError(service, method, path, None, detail) from error

        if allow_not_found and response.status_code == 404:
            return None
        if response.is_error:
            problem = parse_problem(response)
            detail = str(problem.get("detail") or response.text[:500] or response.reason_phrase)
            raise ServiceError(
                service,
                method,
                path,
                response.status_code,
                detail,
                problem,
                request_id=response.headers.get("X-Request-ID"),
            )
        if not response.content:
            return None
        return response.json()

    def list_all(
        self, service: ServiceName, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Read every item of a list, following `next_cursor`; a plain JSON array is one page."""
        query = {**(params or {}), "limit": PAGE_LIMIT}
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            body = self.request(service, "GET", path, params=query)
            if isinstance(body, list):
                return items + body
            if not isinstance(body, dict):
                return items
            items.extend(body.get("items") or [])
            cursor = body.get("next_cursor")
            if not cursor:
                return items
            query = {**query, "cursor": cursor}
        raise ServiceError(service, "GET", path, None, f"more than {MAX_PAGES} pages")


def parse_problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
