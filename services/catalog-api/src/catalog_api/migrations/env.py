from catalog_api import all_models  # noqa: F401
from catalog_api.database import Base
from partnerfund_shared.migrations import run_env

run_env(Base.metadata)
