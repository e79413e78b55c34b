"""The service's API routers, in the order they appear in the OpenAPI document."""

from collections.abc import Sequence

from fastapi import APIRouter

from catalog_api.audit.router import router as audit_router
from catalog_api.opendata.router import router as opendata_router
from catalog_api.organizations.router import router as organizations_router
from catalog_api.partnerships.router import router as partnerships_router
from catalog_api.portfolio.router import router as portfolio_router
from catalog_api.programs.router import router as programs_router
from catalog_api.schools.router import router as schools_router
from catalog_api.vocabularies.router import router as vocabularies_router


def api_routers() -> Sequence[APIRouter]:
    return [
        programs_router,
        organizations_router,
        schools_router,
        portfolio_router,
        partnerships_router,
        vocabularies_router,
        opendata_router,
        audit_router,
    ]
