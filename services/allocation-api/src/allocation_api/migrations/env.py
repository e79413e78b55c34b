from allocation_api import all_models  # noqa: F401
from allocation_api.database import Base
from partnerfund_shared.migrations import run_env

run_env(Base.metadata)
