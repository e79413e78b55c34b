"""Notifier settings, read from `NOTIFIER_*` environment variables."""

from email.errors import HeaderParseError
from email.headerregistry import Address
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from partnerfund_shared.settings import DatabaseSettings, PeerSettings, ServiceSettings


class SmtpSettings(BaseModel):
    """The mail server the worker sends through (the local sink of `make run` by default)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8025, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = Field(
        default="none",
        description=(
            "none: plain SMTP; starttls: upgrade after EHLO (usually port 587); "
            "tls: implicit TLS (usually port 465)."
        ),
    )
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, description="Seconds per SMTP command.")
    validate_certs: bool = True


def _check_address(value: str | None) -> str | None:
    """Reject an e-mail address that could not go into a header, naming the value."""
    if value is None:
        return None
    local_part, at_sign, domain = value.rpartition("@")
    if not (at_sign and local_part and domain):
        raise ValueError(f"invalid e-mail address {value!r}: expected the form name@domain")
    try:
        Address(addr_spec=value)
    except (ValueError, HeaderParseError) as error:
        raise ValueError(f"invalid e-mail address {value!r}: {error}") from error
    return value


class SenderSettings(BaseModel):
    """The From address of every message, and the domain of Message-IDs and calendar UIDs."""

    email: str = "partnerships@partnerfund.localhost"
    name: str = "BPS Partnerships Office"
    domain: str = Field(
        default="notifier.partnerfund.localhost",
        description="Right-hand side of Message-IDs and iCalendar UIDs; keep it stable.",
    )
    reply_to: str | None = Field(
        default=None,
        description="Reply-To address of every message; the contact's e-mail when unset.",
    )

    _check_reply_to = field_validator("reply_to")(_check_address)


class ContactSettings(BaseModel):
    """The person every message names for questions, and links in a message's next steps."""

    name: str = Field(default="Partnership Fund staff", description="Person or team named in messages.")
    email: str = Field(
        default="partnerships@partnerfund.localhost",
        description="Address shown in messages and used as Reply-To unless sender.reply_to is set.",
    )
    phone: str | None = Field(default=None, description="Phone number shown beside the e-mail address.")
    portfolio_url: str | None = Field(
        default=None, description="Web page of the Opportunity Portfolio that release messages link to."
    )

    _check_email = field_validator("email")(_check_address)


class WorkerSettings(BaseModel):
    """Batch size, lease, retry and metrics settings of the delivery worker."""

    batch_size: int = Field(default=50, ge=1, le=1000, description="Deliveries claimed at once.")
    lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a claim lasts; another worker takes over rows whose lease ran out.",
    )
    max_attempts: int = Field(default=8, ge=1, description="Attempts before a delivery fails.")
    backoff_seconds: float = Field(
        default=30.0, ge=0, description="Delay before the first retry, in seconds."
    )
    max_backoff_seconds: float = Field(
        default=3600.0, ge=0, description="Maximum delay between retries, in seconds."
    )
    on_time_tolerance_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Lateness that still counts as on time, added to every grace period.",
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve worker metrics on this port when set."
    )
    worker_id: str | None = Field(default=None, description="Name in leases; host:pid by default.")


class GraceSettings(BaseModel):
    """How late a missed send may still go out, in hours, per kind of message."""

    budget_release_hours: float = Field(default=24.0, ge=0)
    portfolio_release_hours: float = Field(default=24.0, ge=0)
    invitation_hours: float = Field(default=24.0, ge=0)
    custom_hours: float = Field(default=24.0, ge=0)
    reminder_hours: float = Field(default=0.0, ge=0)


# Groups with service-specific defaults are subclasses rather than default instances, because
# pydantic-settings rebuilds a nested group from the environment alone when any of its variables
# is set: setting only NOTIFIER_CATALOG__API_KEY would otherwise lose the catalog URL.
class NotifierDatabase(DatabaseSettings):
    url: str = "sqlite+aiosqlite:///var/notifier.db"


class AllocationPeer(PeerSettings):
    url: str = "http://127.0.0.1:8001"


class CatalogPeer(PeerSettings):
    url: str = "http://127.0.0.1:8002"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", env_nested_delimiter="__", extra="ignore")

    port: int = Field(default=8003, ge=1, le=65535)
    database: NotifierDatabase = NotifierDatabase()
    allocation: AllocationPeer = Field(
        default=AllocationPeer(),
        description="The allocation service, read for published allocations at send time.",
    )
    catalog: CatalogPeer = Field(
        default=CatalogPeer(),
        description="The catalog service, read for the portfolio and school names.",
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="Seconds the worker sleeps when no delivery is due."
    )
    smtp: SmtpSettings = SmtpSettings()
    sender: SenderSettings = SenderSettings()
    contact: ContactSettings = ContactSettings()
    worker: WorkerSettings = WorkerSettings()
    grace: GraceSettings = GraceSettings()


@lru_cache
def get_settings() -> Settings:
    return Settings()
