"""Reads from the other services of the platform while a message is composed.

The allocation service supplies the published allocation lines for budget-release messages
and the catalog service the Opportunity Portfolio and school names. Every failure to get
them is temporary for the message: it waits and retries, so an outage delays a release but
never drops it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from notifier.messages.render import AllocationLine, PortfolioProgram
from notifier.settings import Settings
from partnerfund_shared.http import create_service_client

log = logging.getLogger("notifier.upstream")


class UpstreamProblem(Exception):
    """Another service did not return what a message needs; the message is retried later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class UpstreamClients:
    allocation: httpx.AsyncClient
    catalog: httpx.AsyncClient

    async def aclose(self) -> None:
        await self.allocation.aclose()
        await self.catalog.aclose()


@asynccontextmanager
async def open_upstream_clients(settings: Settings) -> AsyncIterator[UpstreamClients]:
    clients = UpstreamClients(
        allocation=create_service_client(
            settings.allocation.url, settings.http, api_key=settings.allocation.api_key
        ),
        catalog=create_service_client(settings.catalog.url, settings.http, api_key=settings.catalog.api_key),
    )
    try:
        yield clients
    finally:
        await clients.aclose()


async def _get_json(client: httpx.AsyncClient, service: str, path: str, params: dict[str, Any]) -> Any:
    try:
        response = await client.get(path, params=params)
    except httpx.HTTPError as error:
        raise UpstreamProblem(f"{service} service unavailable: {error!r}") from error
    if response.status_code != 200:
        raise UpstreamProblem(
            f"{service} service returned HTTP {response.status_code} for {path}: {response.text[:200]}"
        )
    try:
        return response.json()
    except ValueError as error:
        raise UpstreamProblem(f"{service} service returned invalid JSON for {path}") from error


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise UpstreamProblem("allocation service sent a binary float for an amount")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise UpstreamProblem(f"allocation service sent an invalid amount {value!r}") from error


def parse_allocation_lines(body: Any) -> dict[str, AllocationLine]:
    """Read `{"items": [line, ...]}` of a published allocation into lines by school code."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise UpstreamProblem("allocation service returned no 'items' list")
    lines: dict[str, AllocationLine] = {}
    for item in body["items"]:
        try:
            amount = _decimal(item["amount"])
            line = AllocationLine(
                school_code=str(item["school_code"]),
                school_name=str(item.get("school_name") or item["school_code"]),
                eligible=bool(item["eligible"]),
                amount=amount if amount is not None else Decimal("0.00"),
                per_pupil=_decimal(item.get("per_pupil")),
                explanation=item.get("explanation"),
            )
        except (KeyError, TypeError) as error:
            raise UpstreamProblem(f"allocation line is missing a field: {error!r}") from error
        lines[line.school_code] = line
    return lines


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")
        return str(name) if name else None
    return str(value) if value else None


def parse_portfolio(body: Any) -> list[PortfolioProgram]:
    """Read the catalog's portfolio into programs; only approved members when a status is given."""
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise UpstreamProblem("catalog service returned no portfolio 'items' list")
    programs: list[PortfolioProgram] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("status") not in (None, "approved"):
            continue
        nested = item.get("program")
        program: dict[str, Any] = nested if isinstance(nested, dict) else item
        name = program.get("name") or item.get("program_name")
        if not name:
            continue
        programs.append(
            PortfolioProgram(
                name=str(name),
                organization=_name_of(program.get("organization") or item.get("organization")),
                category=_name_of(item.get("category")),
            )
        )
    programs.sort(key=lambda program: ((program.category or "~").lower(), program.name.lower()))
    return programs


@dataclass
class UpstreamData:
    """Per-batch cache of what the other services returned, so each is asked once."""

    clients: UpstreamClients
    _allocations: dict[tuple[int, str], dict[str, AllocationLine]] = field(default_factory=dict)
    _portfolios: dict[int, list[PortfolioProgram]] = field(default_factory=dict)
    _school_names: dict[str, str | None] = field(default_factory=dict)
    _catalog_unavailable: bool = False

    async def allocation_lines(self, fiscal_year: int, fund: str) -> dict[str, AllocationLine]:
        key = (fiscal_year, fund)
        if key not in self._allocations:
            body = await _get_json(
                self.clients.allocation,
                "allocation",
                f"/v1/fiscal-years/{fiscal_year}/allocations",
                {"fund": fund},
            )
            self._allocations[key] = parse_allocation_lines(body)
        return self._allocations[key]

    async def portfolio(self, fiscal_year: int) -> list[PortfolioProgram]:
        if fiscal_year not in self._portfolios:
            body = await _get_json(
                self.clients.catalog, "catalog", "/v1/portfolio", {"fiscal_year": fiscal_year}
            )
            self._portfolios[fiscal_year] = parse_portfolio(body)
        return self._portfolios[fiscal_year]

    async def school_name(self, school_code: str) -> str | None:
        """Return the catalog's name of a school, or None when the catalog does not return one.

        A name only decorates the reason line, so a failure here never holds a message back.
        """
        if school_code not in self._school_names and self._catalog_unavailable:
            return None
        if school_code not in self._school_names:
            try:
                body = await _get_json(self.clients.catalog, "catalog", f"/v1/schools/{school_code}", {})
            except UpstreamProblem as problem:
                log.warning(
                    "school_name_unavailable",
                    extra={"school_code": school_code, "error": problem.message},
                )
                body = None
                self._catalog_unavailable = True
            name = None
            if isinstance(body, dict):
                nested = body.get("school")
                school: dict[str, Any] = nested if isinstance(nested, dict) else body
                name = school.get("name") or school.get("school_name")
            self._school_names[school_code] = str(name) if name else None
        return self._school_names[school_code]
