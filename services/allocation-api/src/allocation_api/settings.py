"""Allocation API settings, read from `ALLOCATION_*` environment variables."""

from functools import lru_cache

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from partnerfund_shared.settings import DatabaseSettings, PeerSettings, ServiceSettings


class CommitmentSettings(BaseModel):
    """Rules for schools' commitments to partner programs."""

    portfolio_required: dict[str, bool] = Field(
        default={"partnership": True, "school_support": False},
        description="Per fund: true when a program must be approved in the fiscal year's "
        "Opportunity Portfolio, false when any approved catalog program is enough. A fund "
        "missing here requires the portfolio.",
    )
    catalog_retry_after: int = Field(
        default=30,
        ge=1,
        description="Seconds sent in Retry-After when the catalog service cannot be reached.",
    )

    def requires_portfolio(self, fund: str) -> bool:
        return self.portfolio_required.get(fund, True)


# Each group with a service-specific default is a subclass, because pydantic-settings builds a
# nested group from the environment alone when any of its variables is set. A default given as an
# instance would be dropped, so setting only the API key would lose the URL.
class AllocationDatabase(DatabaseSettings):
    url: str = "sqlite+aiosqlite:///var/allocation.db"


class CatalogPeer(PeerSettings):
    url: str = "http://127.0.0.1:8002"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ALLOCATION_", env_nested_delimiter="__", extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    database: AllocationDatabase = AllocationDatabase()
    catalog: CatalogPeer = Field(
        default=CatalogPeer(),
        description="The catalog service, asked whether a program may receive commitments.",
    )
    commitments: CommitmentSettings = CommitmentSettings()


@lru_cache
def get_settings() -> Settings:
    return Settings()
