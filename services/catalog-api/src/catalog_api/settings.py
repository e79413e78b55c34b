"""Catalog API settings, read from `CATALOG_*` environment variables."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from partnerfund_shared.settings import DatabaseSettings, ServiceSettings


# A subclass rather than a default instance, because pydantic-settings rebuilds a nested group
# from the environment alone when any of its variables is set.
class CatalogDatabase(DatabaseSettings):
    url: str = "sqlite+aiosqlite:///var/catalog.db"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="ignore")

    port: int = Field(default=8002, ge=1, le=65535)
    database: CatalogDatabase = CatalogDatabase()
    cache_max_age: int = Field(
        default=300, ge=0, description="Seconds public catalog responses may be cached."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
