"""Response of the portfolio decisions import."""

from __future__ import annotations

from pydantic import BaseModel, Field

from partnerfund_shared.schemas.catalog import ImportWarning


class PortfolioImportResult(BaseModel):
    """An accepted decisions file: its import id, row count, warnings and membership counts."""

    id: int
    rows: int
    warnings: list[ImportWarning]
    created: int = Field(description="Memberships the file added to the year's portfolio.")
    updated: int = Field(description="Memberships whose category, status or decision date changed.")
    unchanged: int
