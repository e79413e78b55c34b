"""Import every model module so that `Base.metadata` is complete for Alembic and the tests."""

from notifier.api_keys import models as api_keys_models  # noqa: F401
from notifier.campaigns import models as campaigns_models  # noqa: F401
from notifier.contacts import models as contacts_models  # noqa: F401
from notifier.deliveries import models as deliveries_models  # noqa: F401
