"""Alembic plumbing shared by the services: each has its own script folder and version table."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from partnerfund_shared.db import create_engine

# Date-prefixed migration files sort in the order they were written.
FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"


@dataclass(frozen=True)
class MigrationSetup:
    """Location of a service's migrations and the version table that records them."""

    package: str
    version_table: str

    def config(self, url: str) -> Config:
        config = Config()
        config.set_main_option("script_location", f"{self.package}:migrations")
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        config.set_main_option("file_template", FILE_TEMPLATE)
        config.attributes["version_table"] = self.version_table
        return config

    def heads(self) -> set[str]:
        return set(ScriptDirectory.from_config(self.config("sqlite://")).get_heads())

    def upgrade(self, url: str, revision: str = "head") -> None:
        """Run the migrations up to `revision`; blocks, so call it outside an event loop."""
        command.upgrade(self.config(url), revision)

    def check(self, url: str) -> None:
        """Raise `alembic.util.CommandError` when the models differ from the migrated schema."""
        command.check(self.config(url))

    def revision(self, url: str, message: str) -> None:
        command.revision(self.config(url), message=message, autogenerate=True)

    async def current(self, engine: AsyncEngine) -> set[str]:
        def read(connection: Connection) -> set[str]:
            migration = MigrationContext.configure(connection, opts={"version_table": self.version_table})
            return set(migration.get_current_heads())

        async with engine.connect() as connection:
            return await connection.run_sync(read)


def run_env(metadata: MetaData, *, ignored_tables: Collection[str] = ()) -> None:
    """Body of each service's `env.py`: migrate online, in batch mode on SQLite.

    NOTE: migrations run with SQLite's foreign keys on, and a batch operation rebuilds a table by
    dropping it, which cascades to the rows that reference it. Prefer plain `add_column` and
    `create_index` (as notifier_0003 does) for tables that other tables reference.

    `ignored_tables` names tables that migrations create outside the models (such as an SQLite
    FTS5 index and its shadow tables), so autogenerate and `alembic check` leave them alone.
    """
    config = context.config
    version_table = config.attributes.get("version_table", "alembic_version")

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=lambda name, type_, _parents: not (type_ == "table" and name in ignored_tables),
        )
        with context.begin_transaction():
            context.run_migrations()

    existing = config.attributes.get("connection")
    if existing is not None:
        migrate(existing)
        return

    async def run_with_engine() -> None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
        try:
            async with engine.connect() as connection:
                await connection.run_sync(migrate)
        finally:
            await engine.dispose()

    asyncio.run(run_with_engine())
