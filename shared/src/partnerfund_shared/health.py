"""Operations endpoints every service serves: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from partnerfund_shared.migrations import MigrationSetup
from partnerfund_shared.problems import ProblemResponse, problem_body

log = logging.getLogger("partnerfund.health")

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Report that the process is alive."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request) -> dict[str, str] | ProblemResponse:
    """Report whether the database is reachable and migrated to the newest revision."""
    setup: MigrationSetup = request.app.state.migrations
    engine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await setup.current(engine)
    except Exception as error:
        log.warning("readiness_database_unreachable", extra={"error": repr(error)})
        return ProblemResponse(
            problem_body(503, "The database is unreachable.", slug="not-ready"), status_code=503
        )
    heads = setup.heads()
    if current != heads:
        detail = (
            f"The database is at revision {sorted(current) or 'none'} but the code expects "
            f"{sorted(heads)}; run the service's migrate command."
        )
        return ProblemResponse(problem_body(503, detail, slug="not-ready"), status_code=503)
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
