"""The read-only session of public pages: autocommit on an engine, unchanged on one connection."""

from __future__ import annotations

from sqlalchemy import text

from catalog_api.dependencies import read_only
from partnerfund_shared.db import create_engine, create_sessionmaker


async def test_read_only_autocommits(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await read_only(session)
            # In autocommit mode each statement is its own transaction, with its own id.
            first = await session.scalar(text("SELECT txid_current()"))
            second = await session.scalar(text("SELECT txid_current()"))
            assert first != second
    finally:
        await engine.dispose()


async def test_engine_session_keeps_transaction_by_default(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with create_sessionmaker(engine)() as session:
            first = await session.scalar(text("SELECT txid_current()"))
            second = await session.scalar(text("SELECT txid_current()"))
            assert first == second
    finally:
        await engine.dispose()


async def test_connection_session_keeps_transaction(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            await connection.begin()
            async with create_sessionmaker(engine)(bind=connection) as session:
                await read_only(session)
                first = await session.scalar(text("SELECT txid_current()"))
                second = await session.scalar(text("SELECT txid_current()"))
                assert first == second
    finally:
        await engine.dispose()
