from allocation_api.database import Base
from partnerfund_shared.auth import ApiKeyMixin


class ApiKey(ApiKeyMixin, Base):
    """An API key of this service; see `partnerfund_shared.auth`."""
