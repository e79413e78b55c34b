"""The delivery worker process: `notifier worker` or `python -m notifier.worker`."""

from __future__ import annotations

import asyncio
import logging
import signal

from notifier.settings import Settings
from partnerfund_shared.db import create_engine, is_sqlite_url

log = logging.getLogger("notifier.worker")


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    exit_when_idle: bool = False,
) -> None:
    """Send due deliveries until SIGTERM or SIGINT, then finish the message in flight and exit.

    `stop`, when given, replaces the signal handlers (for callers that run the worker as a
    task). With `exit_when_idle` the worker returns once no delivery is pending at all.
    """
    from notifier.upstream import open_upstream_clients
    from notifier.worker.loop import DeliveryWorker

    if settings.worker.metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.worker.metrics_port, addr=settings.host)

    engine = create_engine(settings.database.url, pool_size=2)
    try:
        async with open_upstream_clients(settings) as clients:
            worker = DeliveryWorker(
                settings,
                engine,
                clients,
                sqlite=is_sqlite_url(settings.database.url),
            )
            loop = asyncio.get_running_loop()
            watcher: asyncio.Task[None] | None = None
            if stop is None:
                for signal_number in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(signal_number, worker.stop)
            else:

                async def watch() -> None:
                    await stop.wait()
                    worker.stop()

                watcher = asyncio.create_task(watch())
            try:
                await worker.run(exit_when_idle=exit_when_idle)
            finally:
                if watcher is not None:
                    watcher.cancel()
                if stop is None:
                    for signal_number in (signal.SIGTERM, signal.SIGINT):
                        loop.remove_signal_handler(signal_number)
    finally:
        await engine.dispose()


__all__ = ["run_worker"]
