"""Import every model module so that `Base.metadata` is complete for Alembic and the tests."""

from allocation_api.api_keys import models as api_keys_models  # noqa: F401
from allocation_api.audit import models as audit_models  # noqa: F401
from allocation_api.commitments import models as commitments_models  # noqa: F401
from allocation_api.enrollment import models as enrollment_models  # noqa: F401
from allocation_api.need_index import models as need_index_models  # noqa: F401
from allocation_api.runs import models as runs_models  # noqa: F401
from allocation_api.schools import models as schools_models  # noqa: F401
