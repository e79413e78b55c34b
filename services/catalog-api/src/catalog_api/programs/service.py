"""Creating and editing programs, their status workflow, and building their responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import field_changes, record_change
from catalog_api.organizations.models import Organization
from catalog_api.partnerships.models import Partnership
from catalog_api.portfolio.models import PortfolioCategory, PortfolioCycle, PortfolioMembership
from catalog_api.programs import repository
from catalog_api.programs.models import Program
from catalog_api.programs.repository import TERM_FIELDS, ProgramLabels
from catalog_api.schools.models import School
from catalog_api.text import fold, match_key
from catalog_api.vocabularies.repository import load_vocabulary
from catalog_api.vocabularies.terms import GradeRangeInvalid, Term, Vocabulary
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import Conflict, ErrorItem, InvalidInput, NotFound
from partnerfund_shared.schemas import catalog as schemas

PUBLIC_STATUS = "approved"

# The only status changes allowed; any other is a conflict.
STATUS_TRANSITIONS = {
    "draft": {"submitted"},
    "submitted": {"approved"},
    "approved": {"archived"},
    "archived": set(),
}

_PLAIN_FIELDS = (
    "description",
    "goals_outcomes",
    "fees",
    "fees_explanation",
    "service_capacity",
    "last_verified_on",
    "internal_note",
)


class ProgramNotFound(NotFound):
    slug = "program-not-found"
    title = "Program not found"


class ProgramStatusConflict(Conflict):
    slug = "program-status-conflict"
    title = "Status change not allowed"


class ProgramAlreadyExists(Conflict):
    slug = "program-already-exists"
    title = "Program already exists"


def build_search_text(
    name: str, organization_name: str, description: str | None, labels: ProgramLabels
) -> str:
    """Fold the text that full-text search matches: names, description, areas and subareas."""
    parts = [name, organization_name, description or "", *labels["areas"], *labels["subareas"]]
    return fold(" ".join(parts))


def resolve_labels(vocabulary: Vocabulary, values: dict[str, list[str]]) -> dict[str, list[Term]]:
    """Resolve request labels to terms; raise InvalidInput listing every unknown label."""
    problems: list[ErrorItem] = []
    resolved: dict[str, list[Term]] = {}
    for field, labels in values.items():
        kind = TERM_FIELDS[field]
        terms: list[Term] = []
        for index, label in enumerate(labels):
            if kind == "grade":
                try:
                    terms.extend(vocabulary.expand_grades(label))
                except GradeRangeInvalid as error:
                    problems.append(ErrorItem(message=str(error), loc=("body", field, index)))
                continue
            term = vocabulary.resolve(kind, label)
            if term is None:
                problems.append(
                    ErrorItem(
                        message=f"unknown {kind.replace('_', ' ')} '{label}'",
                        loc=("body", field, index),
                    )
                )
            else:
                terms.append(term)
        resolved[field] = vocabulary.ordered(terms)
    if problems:
        raise InvalidInput(
            detail=(
                "Some labels match no vocabulary term. See GET /v1/vocabularies/{kind} "
                "for the accepted labels."
            ),
            errors=problems,
        )
    return resolved


async def _organization(session: AsyncSession, organization_id: int) -> Organization:
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise InvalidInput(
            detail=f"No organization has id {organization_id}.",
            errors=[ErrorItem(message="organization not found", loc=("body", "organization_id"))],
        )
    return organization


async def _require_unique_name(
    session: AsyncSession, organization_id: int, name: str, program_id: int | None = None
) -> None:
    query = select(Program.id).where(
        Program.organization_id == organization_id, Program.name_key == match_key(name)
    )
    existing = await session.scalar(query)
    if existing is not None and existing != program_id:
        raise ProgramAlreadyExists(
            detail=f"The organization already has a program named '{name}' (id {existing}).",
            extra={"program_id": existing},
        )


def _snapshot(program: Program, labels: ProgramLabels) -> dict[str, Any]:
    fields = {name: getattr(program, name) for name in _PLAIN_FIELDS}
    return {
        "name": program.name,
        "organization_id": program.organization_id,
        "status": program.status,
        **fields,
        **labels,
    }


async def create_program(session: AsyncSession, principal: Principal, data: schemas.ProgramCreate) -> Program:
    """Create a draft program; labels must match the vocabularies."""
    organization = await _organization(session, data.organization_id)
    await _require_unique_name(session, organization.id, data.name)
    vocabulary = await load_vocabulary(session)
    term_values = {field: getattr(data, field) or [] for field in TERM_FIELDS}
    resolved = resolve_labels(vocabulary, term_values)

    program = Program(
        organization_id=organization.id,
        name=data.name,
        name_key=match_key(data.name),
        sort_name=fold(data.name),
        status="draft",
        search_text="",
    )
    for name in _PLAIN_FIELDS:
        value = getattr(data, name)
        if value is not None:
            setattr(program, name, value)
    labels = {field: [term.value for term in terms] for field, terms in resolved.items()}
    program.search_text = build_search_text(program.name, organization.name, program.description, labels)
    session.add(program)
    await session.flush()

    all_terms = [term for terms in resolved.values() for term in terms]
    await repository.replace_program_terms(
        session, program.id, all_terms, vocabulary, kinds=TERM_FIELDS.values()
    )
    record_change(
        session,
        principal,
        action="program.created",
        entity_type="program",
        entity_id=program.id,
        changes=field_changes({}, _snapshot(program, labels)),
    )
    return program


async def update_program(
    session: AsyncSession, principal: Principal, program_id: int, data: schemas.ProgramUpdate
) -> Program:
    """Apply the fields present in `data`; labels replace the whole list of their field."""
    found = await repository.get_program_and_organization(session, program_id)
    if found is None:
        raise ProgramNotFound(detail=f"No program has id {program_id}.")
    program, organization = found
    present = data.model_fields_set
    labels_before = (await repository.load_program_labels(session, [program.id]))[program.id]
    before = _snapshot(program, labels_before)

    if "name" in present and data.name is not None and data.name != program.name:
        await _require_unique_name(session, program.organization_id, data.name, program.id)
        program.name = data.name
        program.name_key = match_key(data.name)
        program.sort_name = fold(data.name)
    for name in _PLAIN_FIELDS:
        if name in present:
            value = getattr(data, name)
            if name == "fees" and value is None:
                value = "unknown"
            setattr(program, name, value)

    changed_fields = [field for field in TERM_FIELDS if field in present]
    labels_after = dict(labels_before)
    if changed_fields:
        vocabulary = await load_vocabulary(session)
        resolved = resolve_labels(vocabulary, {field: getattr(data, field) or [] for field in changed_fields})
        await repository.replace_program_terms(
            session,
            program.id,
            [term for terms in resolved.values() for term in terms],
            vocabulary,
            kinds=[TERM_FIELDS[field] for field in changed_fields],
        )
        for field, terms in resolved.items():
            labels_after[field] = [term.value for term in terms]

    program.search_text = build_search_text(
        program.name, organization.name, program.description, labels_after
    )
    changes = field_changes(before, _snapshot(program, labels_after))
    if changes:
        record_change(
            session,
            principal,
            action="program.updated",
            entity_type="program",
            entity_id=program.id,
            changes=changes,
        )
    await session.flush()
    return program


async def change_status(session: AsyncSession, principal: Principal, program_id: int, status: str) -> Program:
    """Move a program along draft → submitted → approved → archived; a repeat is a no-op."""
    program = await repository.get_program(session, program_id)
    if program is None:
        raise ProgramNotFound(detail=f"No program has id {program_id}.")
    if status == program.status:
        return program
    allowed = STATUS_TRANSITIONS[program.status]
    if status not in allowed:
        next_steps = ", ".join(sorted(allowed)) or "none"
        raise ProgramStatusConflict(
            detail=(
                f"A program in status {program.status} cannot become {status}. "
                f"Allowed next status: {next_steps}."
            ),
            extra={"current_status": program.status, "requested_status": status},
        )

    previous = program.status
    program.status = status
    record_change(
        session,
        principal,
        action="program.status_changed",
        entity_type="program",
        entity_id=program.id,
        changes={"status": [previous, status]},
    )
    await session.flush()
    return program


def summary_of(program: Program, organization: Organization, labels: ProgramLabels) -> schemas.ProgramSummary:
    # The values come from typed columns, so the summary skips validation.
    return schemas.ProgramSummary.model_construct(
        id=program.id,
        name=program.name,
        organization=schemas.OrganizationRef.model_construct(id=organization.id, name=organization.name),
        description=program.description,
        fees=cast(schemas.Fees, program.fees),
        fees_explanation=program.fees_explanation,
        service_capacity=program.service_capacity,
        status=cast(schemas.ProgramStatus, program.status),
        last_verified_on=program.last_verified_on,
        areas=labels["areas"],
        subareas=labels["subareas"],
        grades=labels["grades"],
        days=labels["days"],
        time_of_day=labels["time_of_day"],
        languages=labels["languages"],
    )


async def summaries_of(
    session: AsyncSession, pairs: Sequence[tuple[Program, Organization]]
) -> list[schemas.ProgramSummary]:
    labels = await repository.load_program_labels(session, [program.id for program, _ in pairs])
    return [summary_of(program, organization, labels[program.id]) for program, organization in pairs]


async def _program_schools(session: AsyncSession, program_id: int) -> list[schemas.ProgramSchool]:
    rows = await session.execute(
        select(School.school_code, School.name, Partnership.school_year)
        .join(School, School.id == Partnership.school_id)
        .where(Partnership.program_id == program_id)
        .order_by(Partnership.school_year.desc(), School.name, School.school_code)
    )
    return [schemas.ProgramSchool(school_code=code, name=name, school_year=year) for code, name, year in rows]


async def _program_portfolio(
    session: AsyncSession, program_id: int, *, approved_only: bool
) -> list[schemas.PortfolioListing]:
    query = (
        select(PortfolioCycle.fiscal_year, PortfolioCategory.name, PortfolioMembership.status)
        .join(PortfolioCycle, PortfolioCycle.id == PortfolioMembership.cycle_id)
        .join(PortfolioCategory, PortfolioCategory.id == PortfolioMembership.category_id)
        .where(PortfolioMembership.program_id == program_id)
        .order_by(PortfolioCycle.fiscal_year.desc())
    )
    if approved_only:
        query = query.where(PortfolioMembership.status == "approved")
    rows = await session.execute(query)
    return [
        schemas.PortfolioListing(fiscal_year=year, category=category, status=status)
        for year, category, status in rows
    ]


async def public_program(session: AsyncSession, program_id: int) -> schemas.Program:
    """Build the public page of an approved program; other programs are not found."""
    found = await repository.get_program_and_organization(session, program_id)
    if found is None or found[0].status != PUBLIC_STATUS:
        raise ProgramNotFound(detail=f"No public program has id {program_id}.")
    program, organization = found
    (summary,) = await summaries_of(session, [(program, organization)])
    return schemas.Program(
        **summary.model_dump(),
        goals_outcomes=program.goals_outcomes,
        schools=await _program_schools(session, program.id),
        portfolio=await _program_portfolio(session, program.id, approved_only=True),
    )


async def program_record(session: AsyncSession, program_id: int) -> schemas.ProgramRecord:
    """Build the full record of a program in any status, private fields included."""
    found = await repository.get_program_and_organization(session, program_id)
    if found is None:
        raise ProgramNotFound(detail=f"No program has id {program_id}.")
    program, organization = found
    (summary,) = await summaries_of(session, [(program, organization)])
    return schemas.ProgramRecord(
        **summary.model_dump(),
        goals_outcomes=program.goals_outcomes,
        schools=await _program_schools(session, program.id),
        portfolio=await _program_portfolio(session, program.id, approved_only=False),
        internal_note=program.internal_note,
        created_at=program.created_at,
        updated_at=program.updated_at,
    )
