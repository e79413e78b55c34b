"""API keys: 401 without a valid key, 403 without the scope, hashes at rest."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import select

from allocation_api.api_keys.models import ApiKey
from partnerfund_shared.auth import Principal, require_scopes
from partnerfund_shared.db import utc_now
from partnerfund_shared.testing import Harness


def _add_protected_route(harness: Harness) -> None:
    async def protected(
        principal: Annotated[Principal, Depends(require_scopes("allocations:write"))],
    ) -> dict[str, str]:
        return {"name": principal.name}

    harness.app.add_api_route("/test/protected", protected)


class TestApiKeyAuth:
    async def test_missing_key_is_401(self, allocation: Harness) -> None:
        _add_protected_route(allocation)

        response = await allocation.client.get("/test/protected")

        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_other_scheme_is_401(self, allocation: Harness) -> None:
        _add_protected_route(allocation)

        response = await allocation.client.get("/test/protected", headers={"Authorization": "Basic dXNlcg=="})

        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    async def test_openapi_declares_bearer_scheme(self, allocation: Harness) -> None:
        schema = (await allocation.client.get("/openapi.json")).json()

        scheme = schema["components"]["securitySchemes"]["ApiKey"]
        publish = schema["paths"]["/v1/runs/{run_id}/publish"]["post"]
        assert scheme == {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created with the service's `api-key create` command.",
        }
        assert publish["security"] == [{"ApiKey": []}]
        assert not any(parameter["name"] == "authorization" for parameter in publish.get("parameters", []))

    async def test_unknown_key_is_401(self, allocation: Harness) -> None:
        _add_protected_route(allocation)
        headers = {"Authorization": "Bearer pf_00000000_not-a-real-secret"}

        response = await allocation.client.get("/test/protected", headers=headers)

        assert response.status_code == 401

    async def test_wrong_scope_is_403(self, allocation: Harness) -> None:
        _add_protected_route(allocation)
        headers = await allocation.headers_with("allocations:read")

        response = await allocation.client.get("/test/protected", headers=headers)

        assert response.status_code == 403
        assert response.json()["missing_scopes"] == ["allocations:write"]

    async def test_right_scope_is_200(self, allocation: Harness) -> None:
        _add_protected_route(allocation)
        headers = await allocation.headers_with("allocations:write")

        response = await allocation.client.get("/test/protected", headers=headers)

        assert response.status_code == 200

    async def test_revoked_key_is_401(self, allocation: Harness) -> None:
        _add_protected_route(allocation)
        headers = await allocation.headers_with("allocations:write")
        async with allocation.sessionmaker() as session:
            for key in await session.scalars(select(ApiKey)):
                key.revoked_at = utc_now()
            await session.commit()

        response = await allocation.client.get("/test/protected", headers=headers)

        assert response.status_code == 401

    async def test_stored_value_is_not_the_key(self, allocation: Harness) -> None:
        token = await allocation.token_with("allocations:read")

        stored = list(await allocation.session.scalars(select(ApiKey)))

        assert len(stored) == 1
        assert token not in (stored[0].key_hash, stored[0].prefix, stored[0].scopes)
        assert stored[0].key_hash != token
        assert len(stored[0].key_hash) == 64
