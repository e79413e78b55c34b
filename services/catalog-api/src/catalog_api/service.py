"""The Catalog API's definition for the shared app factory and command line."""

from catalog_api.api_keys.models import ApiKey
from catalog_api.public_cache.service import CountWrites, ServeCachedResponses
from catalog_api.routers import api_routers
from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.migrations import MigrationSetup

SCOPES = ("catalog:read", "catalog:write", "portfolio:decide")

MIGRATIONS = MigrationSetup(package="catalog_api", version_table="alembic_version_catalog")

SERVICE = ServiceDefinition(
    name="catalog-api",
    title="Catalog API",
    description=(
        "The public catalog of partner organizations, programs, partnerships and the Opportunity Portfolio."
    ),
    migrations=MIGRATIONS,
    api_key_model=ApiKey,
    scopes=SCOPES,
    default_port=8002,
    routers=api_routers,
    # CountWrites wraps ServeCachedResponses; both read the cache from `app.state.response_cache`.
    inner_middleware=[(CountWrites, {}), (ServeCachedResponses, {})],
)
