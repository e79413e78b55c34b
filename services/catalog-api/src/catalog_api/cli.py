"""Command line: `catalog-api migrate|serve|api-key ...`."""

from catalog_api.service import SERVICE
from catalog_api.settings import get_settings
from partnerfund_shared.cli import build_cli

app = build_cli(SERVICE, get_settings, "catalog_api.app:create_app")

if __name__ == "__main__":
    app()
