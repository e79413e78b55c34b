"""Command line: `allocation-api migrate|serve|api-key ...`."""

from allocation_api.service import SERVICE
from allocation_api.settings import get_settings
from partnerfund_shared.cli import build_cli

app = build_cli(SERVICE, get_settings, "allocation_api.app:create_app")

if __name__ == "__main__":
    app()
