"""Settings groups shared by the services; each service subclasses `ServiceSettings` with its prefix."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    """Connection to the database of the service's own tables."""

    url: str = Field(
        description="SQLAlchemy async URL: postgresql+asyncpg://... or sqlite+aiosqlite:///var/x.db",
    )
    echo: bool = False
    pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections kept per process.")


class HttpClientSettings(BaseModel):
    """Timeouts and retries for calls to the platform's other services."""

    connect_timeout: float = Field(default=2.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for a response.")
    retries: int = Field(default=2, ge=0, le=10, description="Retries of idempotent requests.")
    backoff: float = Field(default=0.2, ge=0, description="First retry delay in seconds; doubles.")


class PeerSettings(BaseModel):
    """Base URL and API key of another service of the platform."""

    url: str
    api_key: SecretStr | None = None

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: object) -> object:
        # An empty environment variable would otherwise send "Authorization: Bearer ".
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return value


class ServiceSettings(BaseSettings):
    """Settings every service has; subclasses set `env_prefix` and add their own fields."""

    model_config = SettingsConfigDict(env_nested_delimiter="__", extra="ignore")

    environment: str = Field(default="development", description="development, test or production.")
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(default=8000, ge=1, le=65535)
    database: DatabaseSettings
    http: HttpClientSettings = HttpClientSettings()
    log_level: str = "INFO"
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser."
    )
