"""Dependency aliases shared by the catalog's routers: the callers allowed to write."""

from partnerfund_shared.auth import principal_dependency

CatalogWriterDep = principal_dependency("catalog:write")
PortfolioDeciderDep = principal_dependency("portfolio:decide")
