"""Command line every service shares: migrate, serve, api-key create|list|revoke, revision."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from sqlalchemy import select

from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.auth import create_api_key
from partnerfund_shared.db import create_engine, create_sessionmaker, is_sqlite_url, utc_now
from partnerfund_shared.logs import configure_logging
from partnerfund_shared.settings import ServiceSettings

ResultT = TypeVar("ResultT")


def _run(coroutine: Coroutine[Any, Any, ResultT]) -> ResultT:
    return asyncio.run(coroutine)


def _ensure_sqlite_folder(url: str) -> None:
    if is_sqlite_url(url) and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def build_cli(
    definition: ServiceDefinition,
    settings_factory: Callable[[], ServiceSettings],
    app_factory_path: str,
) -> typer.Typer:
    """Build the service's typer app; `app_factory_path` is `package.module:create_app`."""
    cli = typer.Typer(help=f"{definition.title}: operations commands.", no_args_is_help=True)
    keys = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
    cli.add_typer(keys, name="api-key")

    @cli.command()
    def migrate(revision: Annotated[str, typer.Option(help="Target revision.")] = "head") -> None:
        """Apply the database migrations up to the newest revision."""
        settings = settings_factory()
        _ensure_sqlite_folder(settings.database.url)
        definition.migrations.upgrade(settings.database.url, revision)
        typer.echo(f"{definition.name}: database migrated to {revision}")

    @cli.command()
    def revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
        """Write a new migration by comparing the models with the migrated database."""
        settings = settings_factory()
        definition.migrations.revision(settings.database.url, message)

    @cli.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
        port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
        workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    ) -> None:
        """Run the HTTP API with uvicorn."""
        settings = settings_factory()
        configure_logging(definition.name, settings.log_level)
        uvicorn.run(
            app_factory_path,
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_config=None,
            proxy_headers=True,
        )

    @keys.command("create")
    def create_key(
        name: Annotated[str, typer.Option(help="Who or what uses the key.")],
        scope: Annotated[list[str] | None, typer.Option(help="A scope; repeat for several.")] = None,
        all_scopes: Annotated[bool, typer.Option(help="Grant every scope of this service.")] = False,
        token_file: Annotated[
            Path | None,
            typer.Option(help="Register the token stored in this file instead of a new one."),
        ] = None,
    ) -> None:
        """Create an API key and print its token once; only a hash is stored."""
        scopes = list(definition.scopes) if all_scopes else list(scope or [])
        if not scopes:
            raise typer.BadParameter("give at least one --scope, or --all-scopes")
        token = token_file.read_text().strip() if token_file else None
        settings = settings_factory()

        async def create() -> str:
            engine = create_engine(settings.database.url)
            try:
                async with create_sessionmaker(engine)() as session, session.begin():
                    _key, created = await create_api_key(
                        session,
                        definition.api_key_model,
                        name=name,
                        scopes=scopes,
                        known_scopes=definition.scopes,
                        token=token,
                    )
                    return created
            finally:
                await engine.dispose()

        created_token = _run(create())
        typer.echo(created_token)

    @keys.command("list")
    def list_keys() -> None:
        """List keys with their scopes; tokens are never shown."""
        settings = settings_factory()
        model = definition.api_key_model

        async def rows() -> list[Any]:
            engine = create_engine(settings.database.url)
            try:
                async with create_sessionmaker(engine)() as session:
                    return list(await session.scalars(select(model).order_by(model.id)))
            finally:
                await engine.dispose()

        for key in _run(rows()):
            state = "revoked" if key.revoked_at else "active"
            typer.echo(f"{key.id}\t{key.name}\tpf_{key.prefix}_…\t{state}\t{key.scopes}")

    @keys.command("revoke")
    def revoke_key(
        key_id: Annotated[int, typer.Argument(help="Id shown by 'api-key list'.")],
    ) -> None:
        """Revoke a key; requests with it then get 401."""
        settings = settings_factory()
        model = definition.api_key_model

        async def revoke() -> bool:
            engine = create_engine(settings.database.url)
            try:
                async with create_sessionmaker(engine)() as session, session.begin():
                    key = await session.get(model, key_id)
                    if key is None:
                        return False
                    key.revoked_at = key.revoked_at or utc_now()
                    return True
            finally:
                await engine.dispose()

        if not _run(revoke()):
            typer.echo(f"No API key with id {key_id}.", err=True)
            raise typer.Exit(1)
        typer.echo(f"API key {key_id} revoked.")

    return cli
