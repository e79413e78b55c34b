"""The Allocation API's definition for the shared app factory and command line."""

from allocation_api.api_keys.models import ApiKey
from allocation_api.commitments.catalog_client import catalog_client_lifespan
from allocation_api.routers import api_routers
from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.migrations import MigrationSetup

SCOPES = (
    "allocations:read",
    "allocations:write",
    "allocations:publish",
    "commitments:write",
    "commitments:approve",
)

MIGRATIONS = MigrationSetup(package="allocation_api", version_table="alembic_version_allocation")

SERVICE = ServiceDefinition(
    name="allocation-api",
    title="Allocation API",
    description="Need-index scores, enrollment, allocation runs and published school allocations.",
    migrations=MIGRATIONS,
    api_key_model=ApiKey,
    scopes=SCOPES,
    default_port=8001,
    routers=api_routers,
    lifespan_hooks=(catalog_client_lifespan,),
)
