"""Local SMTP sink for development: stores every received message as a `.eml` file.

Run it with `uv run python -m notifier.mailsink --port 8025 --dir var/mail`. It listens on
loopback only and accepts mail for any recipient, so nothing sent in development leaves the
machine. Open a stored file with any mail client to see the message as a recipient would.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import uuid
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger("notifier.mailsink")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025
DEFAULT_DIRECTORY = Path("var/mail")

_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_ID_LENGTH = 80


def eml_file_name(received_at: datetime, message_id: str | None) -> str:
    """Name a stored message by UTC receive time, then its Message-ID made safe for a file name.

    The time prefix sorts files in arrival order; a message without a Message-ID gets a random
    one so two such messages never overwrite each other.
    """
    stamp = received_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    identifier = (message_id or "").strip().strip("<>")
    safe_identifier = _UNSAFE_FILE_CHARACTERS.sub("_", identifier)[:_MAX_ID_LENGTH].strip("_")
    if not safe_identifier:
        safe_identifier = f"no-message-id-{uuid.uuid4().hex}"
    return f"{stamp}-{safe_identifier}.eml"


class MailDirectoryHandler:
    """aiosmtpd handler that writes each accepted message to `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.received_count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        headers = BytesHeaderParser().parsebytes(content)
        file_name = eml_file_name(datetime.now(UTC), headers.get("Message-ID"))

        # Write under a temporary name and rename, so a reader polling the directory never
        # opens a half-written file.
        target = self.directory / file_name
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(content)
        os.replace(partial, target)

        self.received_count += 1
        logger.info(
            "mail_stored file=%s recipients=%d bytes=%d",
            file_name,
            len(envelope.rcpt_tos),
            len(content),
        )
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    """Accept mail on host:port until SIGINT or SIGTERM."""
    handler = MailDirectoryHandler(directory)
    loop = asyncio.get_running_loop()

    def build_protocol() -> Any:
        return SMTP(handler, hostname="mailsink.localhost", enable_SMTPUTF8=True)

    server = await loop.create_server(build_protocol, host=host, port=port)
    stop = asyncio.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)

    logger.info("mailsink_started host=%s port=%d directory=%s", host, port, directory)
    async with server:
        await stop.wait()
    logger.info("mailsink_stopped messages=%d", handler.received_count)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m notifier.mailsink",
        description="Local SMTP server that stores every received message as a .eml file.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("NOTIFIER_MAILSINK_PORT", DEFAULT_PORT)),
        help="TCP port to listen on (default: NOTIFIER_MAILSINK_PORT or %(default)s)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_DIRECTORY,
        help="folder that receives the .eml files, created if missing (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # aiosmtpd logs every SMTP command at INFO; one line per stored message is enough here.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(serve(arguments.host, arguments.port, arguments.dir))


if __name__ == "__main__":
    main()
