"""ASGI entry point: `uvicorn --factory notifier.app:create_app`."""

from fastapi import FastAPI

from notifier.service import SERVICE
from notifier.settings import Settings, get_settings
from partnerfund_shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(SERVICE, settings or get_settings())
