"""The Notifier's definition for the shared app factory and command line."""

from notifier.api_keys.models import ApiKey
from notifier.routers import api_routers
from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.migrations import MigrationSetup

SCOPES = ("notifications:read", "contacts:write", "campaigns:write", "campaigns:send")

MIGRATIONS = MigrationSetup(package="notifier", version_table="alembic_version_notifier")

SERVICE = ServiceDefinition(
    name="notifier",
    title="Notifier",
    description="Staff contacts, notification campaigns for the budget cycle and the delivery ledger.",
    migrations=MIGRATIONS,
    api_key_model=ApiKey,
    scopes=SCOPES,
    default_port=8003,
    routers=api_routers,
)
