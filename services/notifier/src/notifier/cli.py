"""Command line: `notifier migrate|serve|worker|api-key ...`."""

import asyncio

import typer

from notifier.service import SERVICE
from notifier.settings import get_settings
from partnerfund_shared.cli import build_cli
from partnerfund_shared.logs import configure_logging

app = build_cli(SERVICE, get_settings, "notifier.app:create_app")


@app.command()
def worker() -> None:
    """Send due deliveries until SIGTERM or SIGINT, finishing the messages in flight."""
    from notifier.worker import run_worker

    settings = get_settings()
    configure_logging("notifier-worker", settings.log_level)
    asyncio.run(run_worker(settings))


@app.command()
def mailsink(
    port: int = typer.Option(8025, help="TCP port on 127.0.0.1."),
    directory: str = typer.Option("var/mail", "--dir", help="Folder for the .eml files."),
) -> None:
    """Run a local SMTP server that stores every message it receives as a file."""
    from notifier.mailsink import main as run_mailsink

    run_mailsink(["--port", str(port), "--dir", directory])


if __name__ == "__main__":
    app()
