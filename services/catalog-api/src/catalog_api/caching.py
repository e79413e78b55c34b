"""Public responses with a strong validator: `ETag`, `Cache-Control` and 304 for a match."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from pydantic_core import to_json

from catalog_api.settings import Settings


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    # A weak comparison, as RFC 9110 prescribes for If-None-Match: W/ prefixes are ignored.
    candidates = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return etag in candidates


def cacheable_headers(settings: Settings, etag: str, *, revalidate: bool = False) -> dict[str, str]:
    """Build the caching headers; `revalidate` makes caches check with the server on every use."""
    cache_control = "no-cache" if revalidate else f"public, max-age={settings.cache_max_age}"
    return {"ETag": etag, "Cache-Control": cache_control}


def response_body(payload: BaseModel | Any) -> bytes:
    """Serialise a public payload: bytes pass through, models and plain data become JSON."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, BaseModel):
        return payload.model_dump_json().encode()
    return to_json(payload)


def response_for(
    request: Request,
    settings: Settings,
    body: bytes,
    *,
    etag: str | None = None,
    media_type: str = "application/json",
    revalidate: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build the response with the body and its ETag, or a 304 when the client's copy is current."""
    etag = etag or etag_for(body)
    response_headers = {**cacheable_headers(settings, etag, revalidate=revalidate), **(headers or {})}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=response_headers)
    return Response(content=body, media_type=media_type, headers=response_headers)


def public_response(
    request: Request,
    payload: BaseModel | Any,
    *,
    media_type: str = "application/json",
    revalidate: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """Serialise a public payload with an ETag, or return 304 when the client's copy is current."""
    settings: Settings = request.app.state.settings
    body = response_body(payload)
    return response_for(
        request, settings, body, media_type=media_type, revalidate=revalidate, headers=headers
    )
