"""Catalog API settings, read from `CATALOG_*` environment variables."""

from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from partnerfund_shared.settings import DatabaseSettings, ServiceSettings


# A subclass rather than a default instance, because pydantic-settings rebuilds a nested group
# from the environment alone when any of its variables is set.
class CatalogDatabase(DatabaseSettings):
    url: str = "sqlite+aiosqlite:///var/catalog.db"


class ResponseCacheSettings(BaseModel):
    """The in-process cache of public responses (see `catalog_api.public_cache.service`)."""

    enabled: bool = True
    max_megabytes: int = Field(default=64, ge=1, description="Memory for cached responses, per process.")
    check_seconds: float = Field(
        default=1.0,
        ge=0,
        description=(
            "How often to look for catalog changes made by other processes; they show in cached "
            "responses at most this late. 0 checks on every request."
        ),
    )


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", env_nested_delimiter="__", extra="ignore")

    port: int = Field(default=8002, ge=1, le=65535)
    database: CatalogDatabase = CatalogDatabase()
    cache_max_age: int = Field(
        default=300, ge=0, description="Seconds public catalog responses may be cached."
    )
    response_cache: ResponseCacheSettings = ResponseCacheSettings()


@lru_cache
def get_settings() -> Settings:
    return Settings()
