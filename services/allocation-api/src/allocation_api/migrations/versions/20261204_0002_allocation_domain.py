"""Create the schools, need-index and enrollment sets, runs, run lines and audit log.

Revision ID: allocation_0002
Revises: allocation_0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import partnerfund_shared.db

revision: str = "allocation_0002"
down_revision: str | Sequence[str] | None = "allocation_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=50), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_fiscal_year"), ["fiscal_year"], unique=False)

    op.create_table(
        "enrollment_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("total_enrollment", sa.Integer(), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_sets")),
        sa.UniqueConstraint("fiscal_year", "version", name=op.f("uq_enrollment_sets_fiscal_year")),
    )
    with op.batch_alter_table("enrollment_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_sets_fiscal_year"), ["fiscal_year"], unique=False)

    op.create_table(
        "need_index_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Integer(), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_index_sets")),
        sa.UniqueConstraint("fiscal_year", "version", name=op.f("uq_need_index_sets_fiscal_year")),
    )
    with op.batch_alter_table("need_index_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_index_sets_fiscal_year"), ["fiscal_year"], unique=False)

    op.create_table(
        "schools",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rc_code", sa.String(length=20), nullable=True),
        sa.Column("dese_code", sa.String(length=20), nullable=True),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_schools")),
    )
    op.create_table(
        "enrollment_counts",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("enrollment", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_code"], ["schools.code"], name=op.f("fk_enrollment_counts_school_code_schools")
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["enrollment_sets.id"],
            name=op.f("fk_enrollment_counts_set_id_enrollment_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "school_code", name=op.f("pk_enrollment_counts")),
    )
    op.create_table(
        "need_index_scores",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=True),
        sa.Column("score", partnerfund_shared.db.DecimalType(6, 4), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_code"], ["schools.code"], name=op.f("fk_need_index_scores_school_code_schools")
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["need_index_sets.id"],
            name=op.f("fk_need_index_scores_set_id_need_index_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "school_code", name=op.f("pk_need_index_scores")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("fund", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("need_index_set_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_set_id", sa.Integer(), nullable=False),
        sa.Column("total", partnerfund_shared.db.DecimalType(14, 2), nullable=False),
        sa.Column("eligible_schools", sa.Integer(), nullable=False),
        sa.Column("eligible_enrollment", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("published_at", partnerfund_shared.db.UTCDateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("supersedes_run_id", sa.Integer(), nullable=True),
        sa.Column("supersede_reason", sa.Text(), nullable=True),
        sa.Column("superseded_by_run_id", sa.Integer(), nullable=True),
        sa.Column("superseded_at", partnerfund_shared.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_set_id"],
            ["enrollment_sets.id"],
            name=op.f("fk_runs_enrollment_set_id_enrollment_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["need_index_set_id"],
            ["need_index_sets.id"],
            name=op.f("fk_runs_need_index_set_id_need_index_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_run_id"], ["runs.id"], name=op.f("fk_runs_superseded_by_run_id_runs")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_run_id"], ["runs.id"], name=op.f("fk_runs_supersedes_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_fiscal_year_id", ["fiscal_year", "id"], unique=False)
        batch_op.create_index(
            "uq_runs_published_fiscal_year_fund",
            ["fiscal_year", "fund"],
            unique=True,
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        )

    op.create_table(
        "run_lines",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("school_name", sa.String(length=200), nullable=False),
        sa.Column("rc_code", sa.String(length=20), nullable=True),
        sa.Column("score", partnerfund_shared.db.DecimalType(6, 4), nullable=True),
        sa.Column("enrollment", sa.Integer(), nullable=True),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("weight", partnerfund_shared.db.DecimalType(18, 4), nullable=False),
        sa.Column("share", partnerfund_shared.db.DecimalType(14, 10), nullable=False),
        sa.Column("amount_before_rounding", partnerfund_shared.db.DecimalType(18, 4), nullable=False),
        sa.Column("rounding_adjustment", partnerfund_shared.db.DecimalType(8, 4), nullable=False),
        sa.Column("limit_applied", sa.String(length=10), nullable=True),
        sa.Column("amount", partnerfund_shared.db.DecimalType(14, 2), nullable=False),
        sa.Column("per_pupil", partnerfund_shared.db.DecimalType(14, 2), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_lines_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "school_code", name=op.f("pk_run_lines")),
    )


def downgrade() -> None:
    op.drop_table("run_lines")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_runs_published_fiscal_year_fund",
            postgresql_where=sa.text("status = 'published'"),
            sqlite_where=sa.text("status = 'published'"),
        )
        batch_op.drop_index("ix_runs_fiscal_year_id")

    op.drop_table("runs")
    op.drop_table("need_index_scores")
    op.drop_table("enrollment_counts")
    op.drop_table("schools")
    with op.batch_alter_table("need_index_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_index_sets_fiscal_year"))

    op.drop_table("need_index_sets")
    with op.batch_alter_table("enrollment_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_sets_fiscal_year"))

    op.drop_table("enrollment_sets")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_fiscal_year"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))

    op.drop_table("audit_entries")
