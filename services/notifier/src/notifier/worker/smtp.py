"""SMTP sending for the worker: one connection per batch, failures sorted into temporary and permanent."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import aiosmtplib

from notifier.settings import SmtpSettings

log = logging.getLogger("notifier.worker.smtp")


@dataclass
class SendFailure(Exception):
    """The server did not accept a message.

    `temporary` follows RFC 5321: 4xx replies, refused connections and timeouts may succeed
    later, while 5xx replies will not.
    """

    temporary: bool
    detail: str
    code: int | None = None

    def __str__(self) -> str:
        return self.detail


def _classify(code: int, message: str) -> SendFailure:
    return SendFailure(temporary=code < 500, detail=f"SMTP {code}: {message}", code=code)


class SmtpSender:
    """Send messages over one SMTP connection, opened on first use and reopened after a drop."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self.settings
        client = aiosmtplib.SMTP(
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=settings.password.get_secret_value() if settings.password else None,
            use_tls=settings.security == "tls",
            start_tls=settings.security == "starttls",
            validate_certs=settings.validate_certs,
            timeout=settings.timeout_seconds,
        )
        try:
            # connect() also runs EHLO, STARTTLS and AUTH as configured.
            await client.connect()
        except aiosmtplib.SMTPResponseException as error:
            raise SendFailure(
                temporary=True,
                detail=f"SMTP server {settings.host}:{settings.port} refused the session: "
                f"{error.code} {error.message}",
                code=error.code,
            ) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise SendFailure(
                temporary=True,
                detail=f"cannot connect to SMTP server {settings.host}:{settings.port}: {error!r}",
            ) from error
        return client

    async def send(self, payload: bytes, *, sender: str, recipient: str) -> None:
        """Send one serialised message to one recipient; raise SendFailure unless it is accepted."""
        if self._client is None or not self._client.is_connected:
            self._client = await self._connect()
        client = self._client
        try:
            await client.sendmail(sender, [recipient], payload)
        except aiosmtplib.SMTPRecipientsRefused as error:
            refused = error.recipients[0]
            raise _classify(refused.code, refused.message) from error
        except aiosmtplib.SMTPResponseException as error:
            # aiosmtplib sends RSET after a refused transaction; 421 means the server hung up.
            if error.code == 421:
                await self._drop()
            raise _classify(error.code, error.message) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self._drop()
            raise SendFailure(temporary=True, detail=f"SMTP connection failed: {error!r}") from error

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        """Say QUIT politely; a server that already hung up is fine."""
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
            client.close()
