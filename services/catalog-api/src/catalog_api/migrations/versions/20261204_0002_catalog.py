"""Create the catalog tables, the full-text index of programs and the seeded vocabularies.

PostgreSQL computes `programs.search_vector` from `search_text` and indexes it with GIN.
SQLite has no tsvector, so there `search_vector` is a plain column left NULL, and the FTS5
table `program_search` indexes `programs.search_text`, kept in sync by triggers.

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import partnerfund_shared.db
from catalog_api.text import match_key

revision: str = "catalog_0002"
down_revision: str | Sequence[str] | None = "catalog_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Entry = tuple[str, list[str], str | None]

# The vocabularies as first seeded, copied here so that later edits to code cannot change
# what this migration inserts. Each entry: (label, synonyms, parent label).
PROGRAM_AREAS: list[Entry] = [
    ("Academic Support & Enrichment", ["Academic Support and Enrichment"], None),
    ("Arts Programming", ["Arts"], None),
    ("College, Career & Life Readiness", ["College Career and Life Readiness"], None),
    ("Family Engagement & Support", [], None),
    ("Physical Health & Wellness", [], None),
    (
        "Social, Emotional & Behavioral Health",
        ["Social Emotional & Behavioral Health"],
        None,
    ),
]
PROGRAM_SUBAREAS: list[Entry] = [
    ("Advanced Placement", [], None),
    ("Arts Integration", [], None),
    ("Career & Life Readiness", [], None),
    ("Career Advising", [], None),
    ("Career Speakers", [], None),
    ("Choral/General Music", ["Choral Music", "General Music"], None),
    ("Clothing and Other Material Resources", [], None),
    ("College Advising", [], None),
    ("College Applications", [], None),
    ("College Visits", [], None),
    ("Cultural Proficiency", [], None),
    ("Dance", [], None),
    ("Engineering", [], None),
    ("English Language Arts", ["ELA"], None),
    ("Financial Aid", [], None),
    ("Financial Aid Advising/FAFSA Completion", ["FAFSA Completion"], None),
    ("Identity Exploration", [], None),
    ("Instrumental Music", [], None),
    ("Job & Employment Preparation", [], None),
    ("Job Shadowing", [], None),
    ("Leadership Development", [], None),
    ("Leadership Training", [], None),
    ("Literacy", [], None),
    ("Literary Arts", [], None),
    ("Math", ["Mathematics"], None),
    ("Mental and Behavioral Health", ["Mental & Behavioral Health", "Mental Health"], None),
    ("Mentoring", [], None),
    ("Multidisciplinary", ["Multi-disciplinary"], None),
    ("Personal Financial Literacy/Management", [], None),
    ("Physical Activity", [], None),
    ("Post Secondary Planning", ["Postsecondary Planning", "Post-Secondary Planning"], None),
    ("Primary Healthcare", ["Primary Health Care"], None),
    ("Resume Development", [], None),
    ("Science", [], None),
    ("Service-Learning", [], None),
    ("Social Emotional Learning", ["SEL"], None),
    ("Storytelling", [], None),
    ("Student Leadership Development", [], None),
    ("Study Skills Development", [], None),
    ("Theatre", ["Theater"], None),
    ("Visual Arts", [], None),
    ("Vocation Placement", ["Vocational Placement"], None),
    ("Work-based Learning", [], None),
    ("Workforce Development", [], None),
    ("Workplace College", [], None),
    ("Writing", [], None),
]
TIMES_OF_DAY: list[Entry] = [
    ("Before School", ["Before-School"], None),
    ("School Day", [], None),
    ("School Day (Class Time)", ["During Class Time"], "School Day"),
    ("School Day (Non-Class Time)", ["School Day (Non Class Time)"], "School Day"),
    ("Afterschool", ["After School", "After-School"], None),
    ("Evening", [], None),
    ("Weekend", ["Weekends"], None),
    ("School Vacation", ["School Vacations", "Vacation Weeks"], None),
    ("Summer", [], None),
]
# BPS names the three early grades K0 (age 3), K1 (age 4) and K2 (kindergarten).
GRADES: list[Entry] = [
    ("K0", ["PK3", "Pre-K 3"], None),
    ("K1", ["PK4", "Pre-K 4", "PK", "Pre-K", "Prekindergarten"], None),
    ("K2", ["K", "KG", "Kindergarten"], None),
    *[(str(grade), [f"{grade:02d}", f"Grade {grade}"], None) for grade in range(1, 13)],
    ("Alternative Education", ["Alt Ed", "Alternative Ed"], None),
]
DAYS: list[Entry] = [
    ("Monday", ["Mon"], None),
    ("Tuesday", ["Tue", "Tues"], None),
    ("Wednesday", ["Wed"], None),
    ("Thursday", ["Thu", "Thur", "Thurs"], None),
    ("Friday", ["Fri"], None),
    ("Saturday", ["Sat"], None),
    ("Sunday", ["Sun"], None),
]
LANGUAGES: list[Entry] = [
    ("English", [], None),
    ("Spanish", ["Español"], None),
    ("Haitian Creole", ["Kreyòl Ayisyen", "Haitian Kreyol"], None),
    ("Cape Verdean Creole", ["Kriolu", "Cabo Verdean Creole"], None),
    ("Portuguese", ["Português"], None),
    ("Vietnamese", ["Tiếng Việt"], None),
    ("Cantonese", [], None),
    ("Mandarin", [], None),
    ("Arabic", [], None),
    ("Somali", [], None),
    ("Russian", [], None),
    ("French", ["Français"], None),
    ("American Sign Language", ["ASL"], None),
]
VOCABULARIES: dict[str, list[Entry]] = {
    "program_area": PROGRAM_AREAS,
    "program_subarea": PROGRAM_SUBAREAS,
    "time_of_day": TIMES_OF_DAY,
    "grade": GRADES,
    "day": DAYS,
    "language": LANGUAGES,
}
# Grades sort after this gap so that "Alternative Education" is never inside a numeric range.
ALTERNATIVE_EDUCATION_POSITION = 100

FTS_TRIGGERS = {
    "programs_search_insert": """
        CREATE TRIGGER programs_search_insert AFTER INSERT ON programs BEGIN
            INSERT INTO program_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
    "programs_search_delete": """
        CREATE TRIGGER programs_search_delete AFTER DELETE ON programs BEGIN
            INSERT INTO program_search(program_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        END""",
    "programs_search_update": """
        CREATE TRIGGER programs_search_update AFTER UPDATE OF search_text ON programs BEGIN
            INSERT INTO program_search(program_search, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
            INSERT INTO program_search(rowid, search_text) VALUES (new.id, new.search_text);
        END""",
}


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    _create_vocabulary_tables()
    _create_catalog_tables(is_postgresql)
    _create_portfolio_and_log_tables()
    if is_postgresql:
        op.create_index(
            "ix_programs_search_vector",
            "programs",
            ["search_vector"],
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        )
    else:
        op.create_index("ix_programs_search_vector", "programs", ["search_vector"])
        _create_sqlite_search_table()
    _seed_vocabularies()


def _create_vocabulary_tables() -> None:
    op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["vocabulary_terms.id"],
            name=op.f("fk_vocabulary_terms_parent_id_vocabulary_terms"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary_terms")),
        sa.UniqueConstraint("kind", "key", name="uq_vocabulary_terms_kind_key"),
    )
    op.create_table(
        "vocabulary_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["vocabulary_terms.id"],
            name=op.f("fk_vocabulary_synonyms_term_id_vocabulary_terms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary_synonyms")),
        sa.UniqueConstraint("kind", "key", name="uq_vocabulary_synonyms_kind_key"),
    )
    op.create_index(op.f("ix_vocabulary_synonyms_term_id"), "vocabulary_synonyms", ["term_id"], unique=False)


def _create_catalog_tables(is_postgresql: bool) -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("nonprofit_status", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("staff_email", sa.String(length=320), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name_key", name=op.f("uq_organizations_name_key")),
    )
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("rc_code", sa.String(length=6), nullable=True),
        sa.Column("dese_code", sa.String(length=8), nullable=True),
        sa.Column("neighborhood", sa.String(length=100), nullable=True),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("grades_label", sa.String(length=100), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("hours", sa.String(length=100), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("school_code", name=op.f("uq_schools_school_code")),
    )
    op.create_index(op.f("ix_schools_rc_code"), "schools", ["rc_code"], unique=False)
    op.create_index(op.f("ix_schools_neighborhood"), "schools", ["neighborhood"], unique=False)

    if is_postgresql:
        search_vector = sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('simple'::regconfig, search_text)", persisted=True),
            nullable=True,
        )
    else:
        search_vector = sa.Column("search_vector", sa.Text(), nullable=True)
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("sort_name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("goals_outcomes", sa.Text(), nullable=True),
        sa.Column("fees", sa.String(length=10), nullable=False),
        sa.Column("fees_explanation", sa.Text(), nullable=True),
        sa.Column("service_capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_verified_on", sa.Date(), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        search_vector,
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_programs_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.UniqueConstraint("organization_id", "name_key", name="uq_programs_organization_name"),
    )
    op.create_index(op.f("ix_programs_organization_id"), "programs", ["organization_id"], unique=False)
    op.create_index(
        "ix_programs_status_sort_name_id", "programs", ["status", "sort_name", "id"], unique=False
    )
    op.create_table(
        "program_terms",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("implied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_terms_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["vocabulary_terms.id"],
            name=op.f("fk_program_terms_term_id_vocabulary_terms"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("program_id", "term_id", name=op.f("pk_program_terms")),
    )
    op.create_index(
        "ix_program_terms_term_id_program_id",
        "program_terms",
        ["term_id", "program_id"],
        unique=False,
    )
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("students_enrolled", sa.Integer(), nullable=True),
        sa.Column("service_capacity", sa.Integer(), nullable=True),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_partnerships_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_partnerships_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint(
            "school_id", "program_id", "school_year", name="uq_partnerships_school_program_year"
        ),
    )
    op.create_index(op.f("ix_partnerships_program_id"), "partnerships", ["program_id"], unique=False)


def _create_portfolio_and_log_tables() -> None:
    op.create_table(
        "portfolio_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_cycles")),
        sa.UniqueConstraint("fiscal_year", name=op.f("uq_portfolio_cycles_fiscal_year")),
    )
    op.create_table(
        "portfolio_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["portfolio_cycles.id"],
            name=op.f("fk_portfolio_categories_cycle_id_portfolio_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_categories")),
        sa.UniqueConstraint("cycle_id", "key", name="uq_portfolio_categories_cycle_key"),
    )
    op.create_table(
        "portfolio_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", partnerfund_shared.db.UTCDateTime(), nullable=True),
        sa.Column("internal_note", sa.Text(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["portfolio_categories.id"],
            name=op.f("fk_portfolio_memberships_category_id_portfolio_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["portfolio_cycles.id"],
            name=op.f("fk_portfolio_memberships_cycle_id_portfolio_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_portfolio_memberships_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_memberships")),
        sa.UniqueConstraint("cycle_id", "program_id", name="uq_portfolio_memberships_cycle_program"),
    )
    op.create_index(
        op.f("ix_portfolio_memberships_category_id"),
        "portfolio_memberships",
        ["category_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_portfolio_memberships_program_id"),
        "portfolio_memberships",
        ["program_id"],
        unique=False,
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=60), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_entity_type_entity_id_id",
        "audit_entries",
        ["entity_type", "entity_id", "id"],
        unique=False,
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", partnerfund_shared.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )


def _create_sqlite_search_table() -> None:
    # NOTE: a later batch migration that rebuilds `programs` on SQLite drops these triggers with
    # the old table, so it must create them again.
    op.execute(
        "CREATE VIRTUAL TABLE program_search USING fts5("
        "search_text, content='programs', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    for statement in FTS_TRIGGERS.values():
        op.execute(statement)


def _seed_vocabularies() -> None:
    terms = sa.table(
        "vocabulary_terms",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("value", sa.String),
        sa.column("key", sa.String),
        sa.column("position", sa.Integer),
        sa.column("parent_id", sa.Integer),
        sa.column("created_at", partnerfund_shared.db.UTCDateTime),
    )
    synonyms = sa.table(
        "vocabulary_synonyms",
        sa.column("kind", sa.String),
        sa.column("text", sa.String),
        sa.column("key", sa.String),
        sa.column("term_id", sa.Integer),
        sa.column("created_at", partnerfund_shared.db.UTCDateTime),
    )
    now = partnerfund_shared.db.utc_now()
    term_rows: list[dict[str, object]] = []
    synonym_rows: list[dict[str, object]] = []
    ids: dict[tuple[str, str], int] = {}
    synonym_keys: set[tuple[str, str]] = set()

    for kind, entries in VOCABULARIES.items():
        for position, (label, spellings, parent) in enumerate(entries, start=1):
            term_id = len(term_rows) + 1
            ids[(kind, label)] = term_id
            if kind == "grade" and label == "Alternative Education":
                position = ALTERNATIVE_EDUCATION_POSITION
            term_rows.append(
                {
                    "id": term_id,
                    "kind": kind,
                    "value": label,
                    "key": match_key(label),
                    "position": position,
                    "parent_id": ids[(kind, parent)] if parent else None,
                    "created_at": now,
                }
            )
            # A spelling that folds to the label's key is stored anyway, to record it.
            for spelling in spellings:
                if (kind, match_key(spelling)) in synonym_keys:
                    continue
                synonym_keys.add((kind, match_key(spelling)))
                synonym_rows.append(
                    {
                        "kind": kind,
                        "text": spelling,
                        "key": match_key(spelling),
                        "term_id": term_id,
                        "created_at": now,
                    }
                )

    op.bulk_insert(terms, term_rows)
    op.bulk_insert(synonyms, synonym_rows)
    if op.get_bind().dialect.name == "postgresql":
        # Explicit ids leave the serial sequence behind; move it past the seeded rows.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('vocabulary_terms', 'id'), "
            "(SELECT max(id) FROM vocabulary_terms))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS program_search")
    for table in [
        "import_batches",
        "audit_entries",
        "portfolio_memberships",
        "portfolio_categories",
        "portfolio_cycles",
        "partnerships",
        "program_terms",
        "programs",
        "schools",
        "organizations",
        "vocabulary_synonyms",
        "vocabulary_terms",
    ]:
        op.drop_table(table)
