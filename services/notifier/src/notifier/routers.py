"""The service's API routers, in the order they appear in the OpenAPI document."""

from collections.abc import Sequence

from fastapi import APIRouter


def api_routers() -> Sequence[APIRouter]:
    return []
