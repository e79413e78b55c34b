"""One installer of exception handlers that render every error as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from partnerfund_shared.errors import PROBLEM_TYPE_BASE, PartnerFundError

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Longest rejected value repeated in a validation error, in characters.
MAX_ECHOED_VALUE_LENGTH = 200

log = logging.getLogger("partnerfund.errors")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_body(
    status: int, detail: str, slug: str | None = None, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return body


def internal_error_response(request_id: str) -> ProblemResponse:
    body = problem_body(
        500,
        "The server failed to handle the request. Report the request id to the operators.",
        slug="internal-error",
        request_id=request_id,
    )
    return ProblemResponse(body, status_code=500)


async def _domain_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, PartnerFundError)
    if exc.status >= 500:
        log.warning("domain_error", extra={"status": exc.status, "detail": exc.detail})
    body = exc.to_problem(instance=request.url.path)
    return ProblemResponse(body, status_code=exc.status, headers=dict(exc.headers))


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        item = {
            "loc": list(error.get("loc", ())),
            "message": error.get("msg", "invalid value"),
            "type": error.get("type"),
        }
        # The rejected value, when it is a single query, path or body value.
        if isinstance(error.get("input"), str | int | float | bool):
            item["value"] = str(error["input"])[:MAX_ECHOED_VALUE_LENGTH]
        errors.append(item)
    count = len(errors)
    body = problem_body(
        422,
        f"The request has {count} invalid field{'s' if count != 1 else ''}.",
        slug="invalid-request",
        title="Invalid request",
        errors=errors,
        instance=request.url.path,
    )
    return ProblemResponse(body, status_code=422)


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = problem_body(exc.status_code, str(exc.detail), instance=request.url.path)
    return ProblemResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Render domain errors, request validation errors and HTTP errors as problem+json.

    Unexpected exceptions are caught by `RequestContextMiddleware`, which logs them with the
    request id and returns a 500 problem without internals.
    """
    app.add_exception_handler(PartnerFundError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
