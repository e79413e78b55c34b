"""Remember each campaign's Idempotency-Key and request hash, so retries do not create a second one.

Revision ID: notifier_0003
Revises: notifier_0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notifier_0003"
down_revision: str | Sequence[str] | None = "notifier_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE and CREATE INDEX, never a batch rebuild: on SQLite, with foreign keys on,
    # dropping the old campaigns table would cascade to its deliveries and sessions.
    op.add_column("campaigns", sa.Column("idempotency_key", sa.String(length=200), nullable=True))
    op.add_column("campaigns", sa.Column("request_sha256", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_campaigns_created_by_idempotency_key",
        "campaigns",
        ["created_by", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_campaigns_created_by_idempotency_key", table_name="campaigns")
    # SQLite 3.35 and newer drop a column in place.
    op.drop_column("campaigns", "request_sha256")
    op.drop_column("campaigns", "idempotency_key")
