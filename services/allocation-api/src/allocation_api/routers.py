"""The service's API routers, in the order they appear in the OpenAPI document."""

from collections.abc import Sequence

from fastapi import APIRouter

from allocation_api.allocations.router import router as allocations_router
from allocation_api.audit.router import router as audit_router
from allocation_api.commitments.router import router as commitments_router
from allocation_api.enrollment.router import router as enrollment_router
from allocation_api.need_index.router import router as need_index_router
from allocation_api.runs.router import router as runs_router
from allocation_api.schools.router import router as schools_router


def api_routers() -> Sequence[APIRouter]:
    return [
        schools_router,
        need_index_router,
        enrollment_router,
        runs_router,
        allocations_router,
        commitments_router,
        audit_router,
    ]
