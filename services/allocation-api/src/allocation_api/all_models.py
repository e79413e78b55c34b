"""Import every model module so that `Base.metadata` is complete for Alembic and the tests."""

from allocation_api.api_keys import models as api_keys_models  # noqa: F401
