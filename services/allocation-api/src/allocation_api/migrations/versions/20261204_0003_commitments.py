"""Create the commitments table and the per-school rows that commitment writes lock.

Revision ID: allocation_0003
Revises: allocation_0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import partnerfund_shared.db

revision: str = "allocation_0003"
down_revision: str | Sequence[str] | None = "allocation_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commitment_locks",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=30), nullable=False),
        sa.Column("school_code", sa.String(length=4), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "fund", "school_code", name=op.f("pk_commitment_locks")),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=30), nullable=False),
        sa.Column("school_code", sa.String(length=4), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("program_name", sa.String(length=300), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("organization_name", sa.String(length=300), nullable=False),
        sa.Column("portfolio_status", sa.String(length=20), nullable=True),
        sa.Column("portfolio_category", sa.String(length=200), nullable=True),
        sa.Column("amount", partnerfund_shared.db.DecimalType(14, 2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("expected_start_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("allocation_run_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", partnerfund_shared.db.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=200), nullable=True),
        sa.Column("cancelled_at", partnerfund_shared.db.UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'cancelled')", name=op.f("ck_commitments_status")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_commitments_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        sa.UniqueConstraint(
            "created_by", "idempotency_key", name="uq_commitments_created_by_idempotency_key"
        ),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commitments_organization", ["fiscal_year", "fund", "organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_commitments_school", ["fiscal_year", "fund", "school_code", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index("ix_commitments_school")
        batch_op.drop_index("ix_commitments_organization")

    op.drop_table("commitments")
    op.drop_table("commitment_locks")
