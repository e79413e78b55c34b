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

from notifier.messages.render import AllocationLine, AllocationRules, PortfolioProgram
from notifier.settings import Settings
from partnerfund_shared.http import create_service_client

log = logging.getLogger("notifier.upstream")

# Line statuses of schools whose score met the eligibility rule, funded or not.
QUALIFYING_STATUSES = frozenset({"funded", "zero_weight", "no_enrollment"})


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


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UpstreamProblem(f"allocation service sent an invalid enrollment {value!r}")
    return value


def parse_allocation_rules(body: Any, lines: dict[str, AllocationLine]) -> AllocationRules:
    """Read the policy of a run (`GET /v1/runs/{id}`) into what a release message explains.

    With a top-N rule, the lowest qualifying score comes from the published lines, because
    the policy names only N.
    """
    policy = body.get("policy") if isinstance(body, dict) else None
    if not isinstance(policy, dict) or not isinstance(policy.get("eligibility"), dict):
        raise UpstreamProblem("allocation service returned a run without a policy")
    eligibility = policy["eligibility"]
    weighting = policy.get("weighting")
    if not isinstance(weighting, dict):
        weighting = {}
    top_n = eligibility.get("top_n")
    qualifying = [
        line.score for line in lines.values() if line.score is not None and line.status in QUALIFYING_STATUSES
    ]
    return AllocationRules(
        mode=str(policy.get("mode") or "pool"),
        weighting=str(weighting.get("method") or "flat"),
        rounding=str(policy.get("rounding") or "dollar"),
        min_score=_decimal(eligibility.get("min_score")),
        top_n=top_n if isinstance(top_n, int) else None,
        lowest_qualifying_score=min(qualifying) if top_n is not None and qualifying else None,
        pool=_decimal(policy.get("pool")),
        rate=_decimal(policy.get("rate")),
        floor=_decimal(policy.get("floor")),
        cap=_decimal(policy.get("cap")),
    )


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
                status=item.get("status"),
                score=_decimal(item.get("score")),
                enrollment=_optional_int(item.get("enrollment")),
                limit_applied=item.get("limit_applied"),
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
    _run_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    _rules: dict[tuple[int, str], AllocationRules | None] = field(default_factory=dict)
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
            run_id = body.get("run_id")
            if isinstance(run_id, int):
                self._run_ids[key] = run_id
        return self._allocations[key]

    async def allocation_rules(self, fiscal_year: int, fund: str) -> AllocationRules | None:
        """Return the published run's policy, or None when the allocation service does not return it.

        The policy only lets a message state the threshold and the pool in words, so a
        failure here never delays a message. The message then explains less.
        """
        key = (fiscal_year, fund)
        if key in self._rules:
            return self._rules[key]
        lines = await self.allocation_lines(fiscal_year, fund)
        run_id = self._run_ids.get(key)
        rules = None
        if run_id is not None:
            try:
                body = await _get_json(self.clients.allocation, "allocation", f"/v1/runs/{run_id}", {})
                rules = parse_allocation_rules(body, lines)
            except UpstreamProblem as problem:
                log.warning(
                    "allocation_policy_unavailable",
                    extra={
                        "fiscal_year": fiscal_year,
                        "fund": fund,
                        "run_id": run_id,
                        "error": problem.message,
                    },
                )
        self._rules[key] = rules
        return rules

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
