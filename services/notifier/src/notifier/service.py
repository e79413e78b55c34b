"""The Notifier's definition for the shared app factory and command line."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from notifier.api_keys.models import ApiKey
from notifier.routers import api_routers
from notifier.upstream import open_upstream_clients
from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.migrations import MigrationSetup

SCOPES = ("notifications:read", "contacts:write", "campaigns:write", "campaigns:send")

MIGRATIONS = MigrationSetup(package="notifier", version_table="alembic_version_notifier")


@asynccontextmanager
async def upstream_clients_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the clients of the allocation and catalog services for the app's lifetime."""
    async with open_upstream_clients(app.state.settings) as clients:
        app.state.upstream_clients = clients
        yield


SERVICE = ServiceDefinition(
    name="notifier",
    title="Notifier",
    description="Staff contacts, notification campaigns for the budget cycle and the delivery ledger.",
    migrations=MIGRATIONS,
    api_key_model=ApiKey,
    scopes=SCOPES,
    default_port=8003,
    routers=api_routers,
    lifespan_hooks=(upstream_clients_lifespan,),
)
