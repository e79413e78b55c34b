from catalog_api import all_models  # noqa: F401
from catalog_api.database import Base
from catalog_api.programs.models import SQLITE_SEARCH_TABLES
from partnerfund_shared.migrations import run_env

run_env(Base.metadata, ignored_tables=SQLITE_SEARCH_TABLES)
