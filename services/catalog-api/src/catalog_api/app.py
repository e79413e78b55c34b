"""ASGI entry point: `uvicorn --factory catalog_api.app:create_app`."""

from fastapi import FastAPI

from catalog_api.service import SERVICE
from catalog_api.settings import Settings, get_settings
from partnerfund_shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(SERVICE, settings or get_settings())
