"""Count writes to the public catalog tables, so that cached public responses can tell they are stale.

`catalog_changes` holds one row. On PostgreSQL a statement-level trigger on each watched table adds
one to its `generation`; on SQLite, which has only row-level triggers, each written row does. The
update takes the row's lock until the writing transaction ends, so writers to the catalog queue
behind each other; readers never wait.

NOTE: a later batch migration that rebuilds a watched table on SQLite drops its triggers with the
old table, so it must create them again (`test_each_watched_table_has_a_trigger` checks this).

Revision ID: catalog_0003
Revises: catalog_0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0003"
down_revision: str | Sequence[str] | None = "catalog_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied from `catalog_api.public_cache.models.WATCHED_TABLES` as it stood when this was written.
WATCHED_TABLES = (
    "vocabulary_terms",
    "vocabulary_synonyms",
    "organizations",
    "schools",
    "programs",
    "program_terms",
    "partnerships",
    "portfolio_cycles",
    "portfolio_categories",
    "portfolio_memberships",
)

POSTGRESQL_FUNCTION = """
CREATE FUNCTION count_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_changes SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$
"""

SQLITE_TRIGGER = (
    "CREATE TRIGGER {table}_count_{name} AFTER {action} ON {table} BEGIN "
    "UPDATE catalog_changes SET generation = generation + 1 WHERE id = 1; END"
)


def upgrade() -> None:
    op.create_table(
        "catalog_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalog_changes_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_changes")),
    )
    op.execute("INSERT INTO catalog_changes (id, generation) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for table in WATCHED_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_count_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION count_catalog_change()"
            )
    else:
        for table in WATCHED_TABLES:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(SQLITE_TRIGGER.format(table=table, action=action, name=action.lower()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_count_change ON {table}")
        op.execute("DROP FUNCTION IF EXISTS count_catalog_change()")
    else:
        for table in WATCHED_TABLES:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_count_{action}")
    op.drop_table("catalog_changes")
