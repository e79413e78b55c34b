"""The migration that folds stored names and search text again, keeping every script's letters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from catalog_api.organizations.models import Organization
from catalog_api.programs.models import Program
from catalog_api.service import MIGRATIONS
from partnerfund_shared.db import create_engine, create_sessionmaker
from tests.conftest import MigratedDatabases


def migrate(url: str, revision: str) -> None:
    # Alembic's environment runs its own event loop, so it gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(MIGRATIONS.upgrade, url, revision).result()


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(command.downgrade, MIGRATIONS.config(url), revision).result()


async def add_rows_folded_the_old_way(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            organization = Organization(name="Søren Шахмат Club", name_key="s ren club")
            session.add(organization)
            await session.flush()
            session.add(
                Program(
                    organization_id=organization.id,
                    name="Шахматы",
                    name_key="",
                    sort_name="",
                    description="Занятия для начинающих.",
                    status="approved",
                    search_text="s ren club",
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


async def stored_keys(url: str) -> tuple[str, str, str, str]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            organization_key = await session.scalar(select(Organization.name_key))
            columns = select(Program.name_key, Program.sort_name, Program.search_text)
            program = (await session.execute(columns)).one()
    finally:
        await engine.dispose()
    assert organization_key is not None
    return organization_key, program.name_key, program.sort_name, program.search_text


class TestFoldMigration:
    async def test_upgrade_refolds_and_downgrade_restores(
        self, databases: MigratedDatabases, backend: str
    ) -> None:
        url = databases.empty_url("catalog", backend, "fold")
        migrate(url, "catalog_0003")
        await add_rows_folded_the_old_way(url)

        migrate(url, "catalog_0004")
        upgraded = await stored_keys(url)
        downgrade(url, "catalog_0003")
        downgraded = await stored_keys(url)

        assert upgraded == (
            "søren шахмат club",
            "шахматы",
            "шахматы",
            "шахматы søren шахмат club занятия для начинающих",
        )
        assert downgraded == ("s ren club", "", "", "s ren club")
