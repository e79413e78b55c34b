"""The development SMTP sink stores each message as a .eml file."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from notifier.mailsink import eml_file_name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        else:
            return


def test_file_name_sorts_by_time_and_is_safe():
    name = eml_file_name(datetime(2026, 12, 8, 14, 0, 5, 123, tzinfo=UTC), "<ab/../c d@example.org>")

    assert name == "20261208T140005.000123Z-ab_.._c_d_example.org.eml"
    assert "/" not in name


def test_file_name_without_message_id():
    name = eml_file_name(datetime(2026, 12, 8, tzinfo=UTC), None)

    assert name.startswith("20261208T000000.000000Z-no-message-id-")


def test_sink_process_stores_message(tmp_path: Path):
    port = free_port()
    mail_dir = tmp_path / "mail"
    process = subprocess.Popen(
        [sys.executable, "-m", "notifier.mailsink", "--port", str(port), "--dir", str(mail_dir)],
        env={**os.environ},
    )
    try:
        wait_for_port(port)
        message = EmailMessage()
        message["From"] = "partnerships@example.org"
        message["To"] = "Zoë <zoe@example.org>"
        message["Subject"] = "Sink check"
        message["Message-ID"] = "<sink-check@example.org>"
        message.set_content("Hello")

        asyncio.run(aiosmtplib.send(message, hostname="127.0.0.1", port=port))

        stored = list(mail_dir.glob("*.eml"))
        assert len(stored) == 1
        assert stored[0].name.endswith("-sink-check_example.org.eml")
        received = message_from_bytes(stored[0].read_bytes(), policy=policy.default)
        assert received["Subject"] == "Sink check"
        assert received["To"].addresses[0].display_name == "Zoë"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
