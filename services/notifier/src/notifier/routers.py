"""The service's API routers, in the order they appear in the OpenAPI document."""

from collections.abc import Sequence

from fastapi import APIRouter

from notifier.campaigns.router import router as campaigns_router
from notifier.contacts.router import router as contacts_router
from notifier.deliveries.router import router as deliveries_router


def api_routers() -> Sequence[APIRouter]:
    return [contacts_router, campaigns_router, deliveries_router]
