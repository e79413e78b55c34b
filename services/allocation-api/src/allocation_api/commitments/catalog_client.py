"""The catalog service as the commitments see it: may this program receive a school's money?"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError

from allocation_api.commitments.errors import CatalogUnavailable
from partnerfund_shared.http import create_service_client
from partnerfund_shared.schemas.catalog import OrganizationRef, PortfolioCheck

log = logging.getLogger("allocation_api.commitments")

# Name of the `app.state` attribute that contains the catalog service's shared HTTP client.
CATALOG_CLIENT_STATE = "catalog_http"


class ProgramPage(BaseModel):
    """The fields of the catalog's program page that a commitment keeps; the rest is ignored."""

    id: int
    name: str
    organization: OrganizationRef


AnswerT = TypeVar("AnswerT", PortfolioCheck, ProgramPage)


@dataclass(frozen=True, slots=True)
class CatalogProgram:
    """A program's catalog status and its portfolio membership in one fiscal year."""

    program_id: int
    program_status: str
    in_portfolio: bool
    portfolio_status: str | None
    category: str | None


@dataclass(frozen=True, slots=True)
class ProgramOwner:
    """A program's name and the organization that runs it."""

    program_name: str
    organization_id: int
    organization_name: str


class CatalogClient:
    """Calls to the catalog API; a `None` result means the catalog returned 404 for the program.

    A connection error, a timeout, another error status or an unparsable response raises
    `CatalogUnavailable`.
    """

    def __init__(self, http: httpx.AsyncClient, retry_after: int) -> None:
        self.http = http
        self.retry_after = retry_after

    async def check_program(self, fiscal_year: int, program_id: int) -> CatalogProgram | None:
        """Fetch the program's catalog status and its portfolio membership in `fiscal_year`."""
        response = await self._get(f"/v1/portfolio/{fiscal_year}/programs/{program_id}")
        if response is None:
            return None
        check = self._parse(response, PortfolioCheck)
        return CatalogProgram(
            program_id=check.program_id,
            program_status=check.program_status,
            in_portfolio=check.in_portfolio,
            portfolio_status=check.portfolio_status,
            category=check.category,
        )

    async def find_program_owner(self, program_id: int) -> ProgramOwner | None:
        """Fetch the program's name and organization from its public page."""
        response = await self._get(f"/v1/programs/{program_id}")
        if response is None:
            return None
        program = self._parse(response, ProgramPage)
        return ProgramOwner(
            program_name=program.name,
            organization_id=program.organization.id,
            organization_name=program.organization.name,
        )

    async def _get(self, path: str) -> httpx.Response | None:
        try:
            response = await self.http.get(path)
        except httpx.TimeoutException as error:
            log.warning("catalog_timeout", extra={"path": path, "error": repr(error)})
            raise CatalogUnavailable("it timed out", self.retry_after) from error
        except httpx.TransportError as error:
            log.warning("catalog_unreachable", extra={"path": path, "error": repr(error)})
            raise CatalogUnavailable("it could not be reached", self.retry_after) from error

        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("catalog_error_status", extra={"path": path, "status": response.status_code})
            raise CatalogUnavailable(f"it returned HTTP {response.status_code}", self.retry_after)
        return response

    def _parse(self, response: httpx.Response, model: type[AnswerT]) -> AnswerT:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            log.warning(
                "catalog_invalid_response",
                extra={"url": str(response.request.url), "error": str(error)},
            )
            raise CatalogUnavailable("its response could not be parsed", self.retry_after) from error


@asynccontextmanager
async def catalog_client_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the catalog HTTP client for the app's lifetime, unless a test has set one already."""
    if getattr(app.state, CATALOG_CLIENT_STATE, None) is not None:
        yield
        return

    settings = app.state.settings
    http = create_service_client(settings.catalog.url, settings.http, api_key=settings.catalog.api_key)
    setattr(app.state, CATALOG_CLIENT_STATE, http)
    try:
        yield
    finally:
        await http.aclose()
        setattr(app.state, CATALOG_CLIENT_STATE, None)
