"""`python -m notifier.worker [--exit-when-idle]`: run the delivery worker with NOTIFIER_* settings."""

from __future__ import annotations

import argparse
import asyncio

from notifier.settings import Settings
from notifier.worker import run_worker
from partnerfund_shared.logs import configure_logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m notifier.worker")
    parser.add_argument(
        "--exit-when-idle",
        action="store_true",
        help="exit once no delivery is scheduled, waiting to retry or being sent",
    )
    arguments = parser.parse_args(argv)
    settings = Settings()
    configure_logging("notifier-worker", settings.log_level)
    asyncio.run(run_worker(settings, exit_when_idle=arguments.exit_when_idle))


if __name__ == "__main__":
    main()
