"""Import every model module so that `Base.metadata` is complete for Alembic and the tests."""

from catalog_api.api_keys import models as api_keys_models  # noqa: F401
from catalog_api.audit import models as audit_models  # noqa: F401
from catalog_api.imports import models as imports_models  # noqa: F401
from catalog_api.organizations import models as organizations_models  # noqa: F401
from catalog_api.partnerships import models as partnerships_models  # noqa: F401
from catalog_api.portfolio import models as portfolio_models  # noqa: F401
from catalog_api.programs import models as programs_models  # noqa: F401
from catalog_api.public_cache import models as public_cache_models  # noqa: F401
from catalog_api.schools import models as schools_models  # noqa: F401
from catalog_api.vocabularies import models as vocabularies_models  # noqa: F401
