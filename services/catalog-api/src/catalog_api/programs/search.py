"""Public program search: full text, filters, facets and keyset pagination.

Both databases match the words of the folded query (see `catalog_api.text.fold`) against the
folded `search_text`, every word required: PostgreSQL through `websearch_to_tsquery` over the
GIN-indexed tsvector, SQLite through the FTS5 table `program_search`. Each word is passed quoted,
so query syntax (`or`, `-`, quotes) and SQL wildcards (`%`, `_`) are plain text. A query with no
words matches nothing, and an empty query lists every public program.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.organizations.models import Organization
from catalog_api.pagination import decode_cursor, encode_cursor
from catalog_api.partnerships.models import Partnership
from catalog_api.portfolio.models import PortfolioCycle, PortfolioMembership
from catalog_api.programs.models import Program, ProgramTerm
from catalog_api.programs.repository import TERM_FIELDS, empty_labels
from catalog_api.programs.service import PUBLIC_STATUS
from catalog_api.schools.models import School
from catalog_api.text import match_key, words
from catalog_api.vocabularies.models import VocabularySynonym, VocabularyTerm
from catalog_api.vocabularies.repository import resolve_term_ids
from partnerfund_shared.db import is_sqlite
from partnerfund_shared.errors import ErrorItem, InvalidInput

# Query parameter -> vocabulary kind, for the filters and facets backed by vocabulary terms.
TERM_FILTERS = {
    "area": "program_area",
    "subarea": "program_subarea",
    "grade": "grade",
    "time_of_day": "time_of_day",
    "language": "language",
}


@dataclass(frozen=True)
class ProgramSearch:
    """The query and filters of one search; several values of one filter mean any of them."""

    q: str | None = None
    area: Sequence[str] = ()
    subarea: Sequence[str] = ()
    grade: Sequence[str] = ()
    time_of_day: Sequence[str] = ()
    language: Sequence[str] = ()
    fees: Sequence[str] = ()
    school_code: Sequence[str] = ()
    neighborhood: Sequence[str] = ()
    portfolio: int | None = None
    limit: int = 50
    cursor: str | None = None


def full_text_condition(sqlite: bool) -> ColumnElement[bool]:
    """Build the condition that a program's text contains every word of the `fts_query` parameter.

    The parameter contains the query's words, each in double quotes, so both databases take them as
    plain words rather than query syntax.
    """
    if sqlite:
        matching_ids = text("SELECT rowid FROM program_search WHERE program_search MATCH :fts_query").columns(
            column("rowid", Integer)
        )
        return Program.id.in_(matching_ids)
    tsquery = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), bindparam("fts_query"))
    return Program.search_vector.op("@@")(tsquery)


async def _resolve_term_filters(session: AsyncSession, search: ProgramSearch) -> dict[str, list[int]]:
    requested = [(name, label) for name in TERM_FILTERS for label in getattr(search, name)]
    if not requested:
        return {}
    found = await resolve_term_ids(session, [(TERM_FILTERS[name], label) for name, label in requested])
    problems: list[ErrorItem] = []
    resolved: dict[str, list[int]] = {}
    for name, label in requested:
        term_id = found.get((TERM_FILTERS[name], label))
        if term_id is None:
            message = (
                f"unknown {name.replace('_', ' ')} '{label}'; "
                f"GET /v1/vocabularies/{TERM_FILTERS[name]} lists the accepted labels"
            )
            problems.append(ErrorItem(message=message, loc=("query", name), value=label))
        else:
            resolved.setdefault(name, []).append(term_id)
    if problems:
        raise InvalidInput(
            detail="A filter names an unknown label. Each error names the vocabulary to pick from.",
            errors=problems,
        )
    return resolved


@dataclass(frozen=True)
class _Shape:
    """The parts a search uses. Searches of one shape share one statement and differ in values."""

    sqlite: bool
    # None without `q`. False for a `q` without words, which matches nothing.
    full_text: bool | None
    term_filters: tuple[str, ...]
    fees: bool
    school_code: bool
    neighborhood: bool
    portfolio: bool
    cursor: bool


def _shape_and_values(session: AsyncSession, search: ProgramSearch) -> tuple[_Shape, dict[str, Any]]:
    """Split a search into its shape and the values of the shape's bound parameters."""
    values: dict[str, Any] = {"status": PUBLIC_STATUS, "page_size": search.limit + 1}

    full_text = None
    if search.q is not None and search.q.strip():
        query_words = words(search.q)
        full_text = bool(query_words)
        values["fts_query"] = " ".join(f'"{word}"' for word in query_words)
    term_filters = tuple(name for name in TERM_FILTERS if getattr(search, name))
    for name in term_filters:
        values[f"{name}_keys"] = [match_key(label) for label in getattr(search, name)]
    if search.fees:
        values["fees"] = list(search.fees)
    if search.school_code:
        values["school_codes"] = list(search.school_code)
    if search.neighborhood:
        values["neighborhoods"] = [value.strip().lower() for value in search.neighborhood]
    if search.portfolio is not None:
        values["portfolio"] = search.portfolio
    if search.cursor:
        values["after_name"], values["after_id"] = decode_cursor(search.cursor, (str, int))

    shape = _Shape(
        sqlite=is_sqlite(session),
        full_text=full_text,
        term_filters=term_filters,
        fees=bool(search.fees),
        school_code=bool(search.school_code),
        neighborhood=bool(search.neighborhood),
        portfolio=search.portfolio is not None,
        cursor=bool(search.cursor),
    )
    return shape, values


def _term_ids_named(kind: str, keys_parameter: str) -> Any:
    """Select the ids of the terms of `kind` whose label or synonym key is in the parameter."""
    keys: Any = bindparam(keys_parameter, expanding=True)
    by_label = select(VocabularyTerm.id).where(VocabularyTerm.kind == kind, VocabularyTerm.key.in_(keys))
    by_synonym = select(VocabularySynonym.term_id).where(
        VocabularySynonym.kind == kind, VocabularySynonym.key.in_(keys)
    )
    return union(by_label, by_synonym)


def _filter_conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Program.status == bindparam("status")]
    if shape.full_text is not None:
        conditions.append(full_text_condition(shape.sqlite) if shape.full_text else false())
    # Labels resolve inside the query, which saves a round trip; an unknown label matches no term,
    # so it can only empty the result, and `search_programs` then names it.
    for name in shape.term_filters:
        term_ids = _term_ids_named(TERM_FILTERS[name], f"{name}_keys")
        conditions.append(
            exists().where(ProgramTerm.program_id == Program.id, ProgramTerm.term_id.in_(term_ids))
        )

    if shape.fees:
        conditions.append(Program.fees.in_(bindparam("fees", expanding=True)))
    if shape.school_code or shape.neighborhood:
        school_conditions: list[ColumnElement[bool]] = []
        if shape.school_code:
            school_conditions.append(School.school_code.in_(bindparam("school_codes", expanding=True)))
        if shape.neighborhood:
            lowered: Any = bindparam("neighborhoods", expanding=True)
            school_conditions.append(func.lower(School.neighborhood).in_(lowered))
        conditions.append(
            exists()
            .where(Partnership.program_id == Program.id)
            .where(School.id == Partnership.school_id)
            .where(*school_conditions)
        )
    if shape.portfolio:
        conditions.append(
            exists()
            .where(PortfolioMembership.program_id == Program.id)
            .where(PortfolioMembership.status == "approved")
            .where(PortfolioCycle.id == PortfolioMembership.cycle_id)
            .where(PortfolioCycle.fiscal_year == bindparam("portfolio"))
        )
    return conditions


def _keyset(matching: Any) -> ColumnElement[bool]:
    after_name: Any = bindparam("after_name")
    return or_(
        matching.c.sort_name > after_name,
        and_(matching.c.sort_name == after_name, matching.c.id > bindparam("after_id")),
    )


# Row kinds of the one search statement: a page program with one of its labels, a count of
# matching programs per vocabulary term, and a count per fees value.
PAGE_ROW, TERM_COUNT_ROW, FEES_COUNT_ROW = 0, 1, 2

# Page columns, in the order of the statement's result. Count rows leave them NULL.
_PAGE_COLUMNS = (
    Program.id.label("program_id"),
    Program.name,
    Program.sort_name,
    Program.description,
    Program.fees,
    Program.fees_explanation,
    Program.service_capacity,
    Program.status,
    Program.last_verified_on,
    Organization.id.label("organization_id"),
    Organization.name.label("organization_name"),
)


@functools.cache
def _search_statement(shape: _Shape) -> Any:
    """Build one statement for the page and the facet counts, so the matching programs are found once.

    The programs that match are a common table expression read three times: for the page's ids
    (in name order, after the cursor), for the counts per vocabulary term and for the counts per
    fees value. A `part` column distinguishes the three kinds of result rows.

    Built once per shape and kept: the values travel as bound parameters, so later searches of
    the shape skip building the statement and SQLAlchemy's compiled form is reused.
    """
    conditions = _filter_conditions(shape)
    matching = select(Program.id, Program.fees, Program.sort_name).where(*conditions).cte("matching")
    page_ids = select(matching.c.id).order_by(matching.c.sort_name, matching.c.id)
    if shape.cursor:
        page_ids = page_ids.where(_keyset(matching))
    page_ids = page_ids.limit(bindparam("page_size", type_=Integer))

    chosen = and_(ProgramTerm.program_id == Program.id, ProgramTerm.implied.is_(False))
    page_rows = (
        select(
            literal(PAGE_ROW).label("part"),
            *_PAGE_COLUMNS,
            VocabularyTerm.kind,
            VocabularyTerm.value,
            VocabularyTerm.position,
            null().label("programs"),
        )
        .join(Organization, Organization.id == Program.organization_id)
        .outerjoin(ProgramTerm, chosen)
        .outerjoin(VocabularyTerm, VocabularyTerm.id == ProgramTerm.term_id)
        .where(Program.id.in_(page_ids.scalar_subquery()))
    )
    no_page_columns = [null() for _ in _PAGE_COLUMNS]
    term_counts = (
        select(
            literal(TERM_COUNT_ROW),
            *no_page_columns,
            VocabularyTerm.kind,
            VocabularyTerm.value,
            VocabularyTerm.position,
            func.count(),
        )
        .select_from(ProgramTerm)
        .join(matching, matching.c.id == ProgramTerm.program_id)
        .join(VocabularyTerm, VocabularyTerm.id == ProgramTerm.term_id)
        .where(VocabularyTerm.kind.in_(list(TERM_FILTERS.values())))
        .group_by(VocabularyTerm.kind, VocabularyTerm.value, VocabularyTerm.position)
    )
    fees_counts = select(
        literal(FEES_COUNT_ROW),
        *no_page_columns,
        literal("fees"),
        matching.c.fees,
        literal(0),
        func.count(),
    ).group_by(matching.c.fees)
    return union_all(page_rows, term_counts, fees_counts).order_by(
        literal_column("part"),
        literal_column("sort_name"),
        literal_column("program_id"),
        literal_column("position"),
        literal_column("value"),
    )


def _page_and_facets(
    rows: Sequence[tuple[Any, ...]], limit: int
) -> tuple[list[dict[str, Any]], tuple[str, int] | None, dict[str, list[dict[str, Any]]], int]:
    """Turn the statement's rows into the page's summaries, the next page's key, facets and total.

    Rows arrive in `part`, name, id and label order. They are read by position rather than by
    attribute name, which costs less per access on the few hundred rows of a search.
    """
    field_by_kind = {kind: field for field, kind in TERM_FIELDS.items()}
    facet_by_kind = {kind: name for name, kind in TERM_FILTERS.items()} | {"fees": "fees"}
    summaries: dict[int, dict[str, Any]] = {}
    sort_keys: dict[int, tuple[str, int]] = {}
    counts: dict[str, list[tuple[int, str, int]]] = {name: [] for name in facet_by_kind.values()}

    for row in rows:
        part, program_id, kind, value, position, programs = (
            row[0], row[1], row[12], row[13], row[14], row[15]
        )  # fmt: skip
        if part != PAGE_ROW:
            counts[facet_by_kind[kind]].append((position, value, programs))
            continue
        summary = summaries.get(program_id)
        if summary is None:
            summary = summaries[program_id] = _summary_of_row(row)
            sort_keys[program_id] = (row[3], program_id)
        if kind is not None:
            summary[field_by_kind[kind]].append(value)

    page = list(summaries.values())
    next_key = sort_keys[page[limit - 1]["id"]] if len(page) > limit else None
    # Plain dicts in the field order of `schemas.ProgramFacets` and `schemas.FacetCount`.
    facets = {
        name: [{"value": value, "count": count} for _, value, count in sorted(entries)]
        for name, entries in counts.items()
    }
    # Every program has exactly one fees value, so the fees counts add up to the total.
    total = sum(count for _, _, count in counts["fees"])
    return page[:limit], next_key, facets, total


def _summary_of_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """Build the payload of one `schemas.ProgramSummary`, in its field order, with empty labels."""
    (
        _part, program_id, name, _sort_name, description, fees, fees_explanation, service_capacity,
        status, last_verified_on, organization_id, organization_name, *_label,
    ) = row  # fmt: skip
    return {
        "id": program_id,
        "name": name,
        "organization": {"id": organization_id, "name": organization_name},
        "description": description,
        **empty_labels(),
        "fees": fees,
        "fees_explanation": fees_explanation,
        "service_capacity": service_capacity,
        "status": status,
        "last_verified_on": last_verified_on,
    }


async def search_programs(session: AsyncSession, search: ProgramSearch) -> dict[str, Any]:
    """Build the `schemas.ProgramSearchPage` payload: public programs in name order, with facets.

    Raises InvalidInput when a filter names an unknown label.
    """
    shape, values = _shape_and_values(session, search)
    rows = (await session.execute(_search_statement(shape), values)).all()
    items, next_key, facets, total = _page_and_facets(rows, search.limit)
    if total == 0:
        await _resolve_term_filters(session, search)

    next_cursor = encode_cursor(*next_key) if next_key and items else None
    # Plain dicts rather than models: building and validating them took a large share of the time.
    return {"items": items, "next_cursor": next_cursor, "total": total, "facets": facets}
