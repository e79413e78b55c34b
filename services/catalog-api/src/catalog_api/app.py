"""ASGI entry point: `uvicorn --factory catalog_api.app:create_app`."""

from fastapi import FastAPI

from catalog_api.public_cache.service import ResponseCache
from catalog_api.service import SERVICE
from catalog_api.settings import Settings, get_settings
from partnerfund_shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(SERVICE, settings)
    app.state.response_cache = ResponseCache(settings.response_cache)
    return app
