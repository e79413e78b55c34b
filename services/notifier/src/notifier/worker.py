"""The delivery worker loop; the notifier's delivery work plugs in here."""

import asyncio
import logging
import signal

from notifier.settings import Settings

log = logging.getLogger("notifier.worker")


async def run_worker(settings: Settings) -> None:
    """Poll for due deliveries until SIGTERM or SIGINT."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    log.info("worker_started")
    while not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), timeout=settings.worker_poll_seconds)
        except TimeoutError:
            continue
    log.info("worker_stopped")
