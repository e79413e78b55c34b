"""Allocation API settings, read from `ALLOCATION_*` environment variables."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from partnerfund_shared.settings import DatabaseSettings, PeerSettings, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="ALLOCATION_", env_nested_delimiter="__", extra="ignore"
    )

    port: int = Field(default=8001, ge=1, le=65535)
    database: DatabaseSettings = DatabaseSettings(url="sqlite+aiosqlite:///var/allocation.db")
    catalog: PeerSettings = Field(
        default=PeerSettings(url="http://127.0.0.1:8002"),
        description="The catalog service, asked whether a program may receive commitments.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
