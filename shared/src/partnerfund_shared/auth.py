"""API keys with scopes: random tokens shown once, stored as a SHA-256 hash, checked in constant time.

A token reads `pf_<prefix>_<secret>`. The prefix is stored in clear to find the row; the whole token
is hashed. Tokens carry 256 bits of randomness, so a fast hash is enough: there is nothing to
brute-force, unlike a human password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from partnerfund_shared.db import SessionDep, UTCDateTime, utc_now
from partnerfund_shared.errors import Forbidden, InvalidInput, Unauthenticated

TOKEN_PREFIX = "pf"  # noqa: S105 - a label, not a secret
PREFIX_LENGTH = 8


class ApiKeyMixin:
    """Columns of a service's `api_keys` table; each service maps it on its own `Base`."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text, doc="Space-separated scope names.")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a valid API key."""

    key_id: int
    name: str
    scopes: frozenset[str]

    @property
    def identity(self) -> str:
        return f"api-key:{self.name}"


def generate_token() -> str:
    return f"{TOKEN_PREFIX}_{secrets.token_hex(PREFIX_LENGTH // 2)}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_token(token: str) -> str | None:
    """Return the lookup prefix of a well-formed token, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != PREFIX_LENGTH:
        return None
    return parts[1]


async def create_api_key(
    session: AsyncSession,
    model: type[Any],
    *,
    name: str,
    scopes: Sequence[str],
    known_scopes: Sequence[str],
    token: str | None = None,
) -> tuple[Any, str]:
    """Store a new key and return it with its token, which is never stored or shown again.

    Passing `token` registers an existing token, so one admin key can work in every service.
    """
    unknown = sorted(set(scopes) - set(known_scopes))
    if unknown:
        raise InvalidInput(
            detail=f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(known_scopes)}."
        )
    token = token or generate_token()
    prefix = split_token(token)
    if prefix is None:
        raise InvalidInput(detail="The token is not a platform API key (pf_<prefix>_<secret>).")
    key = model(name=name, prefix=prefix, key_hash=hash_token(token), scopes=" ".join(scopes))
    session.add(key)
    await session.flush()
    return key, token


async def authenticate(session: AsyncSession, model: type[Any], token: str) -> Principal | None:
    prefix = split_token(token)
    if prefix is None:
        return None
    key = await session.scalar(select(model).where(model.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, hash_token(token)):
        return None
    return Principal(key_id=key.id, name=key.name, scopes=key.scope_set)


# Declared as an HTTP bearer scheme so that the OpenAPI page at /docs offers an "Authorize" button.
# Errors stay with `require_scopes`, which responds with problem+json rather than FastAPI's default.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key created with the service's `api-key create` command.",
)


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if credentials is None or not credentials.credentials.strip():
        return None
    return credentials.credentials.strip()


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """Build a dependency that raises 401 without a valid key and 403 without every scope."""

    async def dependency(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    ) -> Principal:
        token = _bearer_token(credentials)
        challenge = {"WWW-Authenticate": "Bearer"}
        if token is None:
            raise Unauthenticated(
                detail="Send an API key as 'Authorization: Bearer <key>'.", headers=challenge
            )
        principal = await authenticate(session, request.app.state.api_key_model, token)
        if principal is None:
            raise Unauthenticated(detail="The API key is unknown or revoked.", headers=challenge)
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise Forbidden(
                detail=f"The API key lacks the scope(s) {', '.join(missing)}.",
                extra={"missing_scopes": missing},
            )
        return principal

    return dependency


def principal_dependency(*scopes: str) -> Any:
    """`Annotated` alias for a route parameter: `principal: principal_dependency("x:write")`."""
    return Annotated[Principal, Depends(require_scopes(*scopes))]
