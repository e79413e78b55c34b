"""Service URLs and API keys of the deployment that the cycle command runs against."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ServiceName = Literal["allocation", "catalog", "notifier"]


class CycleSettings(BaseSettings):
    """Deployment the cycle runs against, read from `PARTNERFUND_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PARTNERFUND_", extra="ignore")

    allocation_url: str = "http://127.0.0.1:8001"
    catalog_url: str = "http://127.0.0.1:8002"
    notifier_url: str = "http://127.0.0.1:8003"
    api_key: SecretStr | None = Field(default=None, description="Key used for all three services.")
    api_key_file: Path = Field(
        default=Path("var/admin-api-key"),
        description="File whose first line is the key, read when no key variable is set.",
    )
    allocation_api_key: SecretStr | None = None
    catalog_api_key: SecretStr | None = None
    notifier_api_key: SecretStr | None = None
    connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to open a connection.")
    # Imports of a few thousand rows and runs take seconds; a large district's may take minutes.
    read_timeout: float = Field(default=300.0, gt=0, description="Seconds to wait for a response.")

    def url_for(self, service: ServiceName) -> str:
        urls = {
            "allocation": self.allocation_url,
            "catalog": self.catalog_url,
            "notifier": self.notifier_url,
        }
        return urls[service].rstrip("/")

    def api_key_for(self, service: ServiceName) -> str | None:
        """Return the service's own key, else the shared key, else the key file's first line."""
        specific = {
            "allocation": self.allocation_api_key,
            "catalog": self.catalog_api_key,
            "notifier": self.notifier_api_key,
        }[service]
        for key in (specific, self.api_key):
            if key is not None and key.get_secret_value().strip():
                return key.get_secret_value().strip()
        if self.api_key_file.is_file():
            lines = self.api_key_file.read_text(encoding="utf-8").splitlines()
            if lines and lines[0].strip():
                return lines[0].strip()
        return None
