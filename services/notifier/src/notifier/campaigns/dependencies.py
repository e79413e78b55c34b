"""Dependency aliases of the campaign routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request

from notifier.settings import Settings
from notifier.upstream import UpstreamClients, UpstreamData, open_upstream_clients
from partnerfund_shared.auth import principal_dependency

CampaignsWriter = principal_dependency("campaigns:write")
CampaignsSender = principal_dependency("campaigns:send")
NotificationsReader = principal_dependency("notifications:read")

MAX_IDEMPOTENCY_KEY_LENGTH = 200

IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        description="Client-chosen key. A retry with the same key and body returns the campaign "
        "the first request created instead of scheduling its messages again; the same key with "
        "another body is a 409.",
    ),
]


async def get_settings_of_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_upstream(request: Request) -> AsyncIterator[UpstreamData]:
    """Yield a per-request cache over the clients that lifespan opened.

    An app driven without lifespan (ASGITransport in tests) gets clients for this request only.
    """
    clients: UpstreamClients | None = getattr(request.app.state, "upstream_clients", None)
    if clients is not None:
        yield UpstreamData(clients)
        return
    async with open_upstream_clients(request.app.state.settings) as request_clients:
        yield UpstreamData(request_clients)


SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
UpstreamDep = Annotated[UpstreamData, Depends(get_upstream)]
