from notifier import all_models  # noqa: F401
from notifier.database import Base
from partnerfund_shared.migrations import run_env

run_env(Base.metadata)
