"""The PartnerBPS export import: match schools, fold rows, then create or update records.

All-or-nothing: any bad row, or any row matching no school without
`on_unmatched_school=skip`, rejects the file with every problem listed and stores nothing.
Re-importing a file changes nothing, and a changed row updates the record it maps to.
Programs first seen in an export are created as approved, because the export lists live
partnerships. An import never changes the status of an existing program.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.imports.service import record_batch, warning_items
from catalog_api.organizations.models import Organization
from catalog_api.partnerships.aggregation import (
    DesiredCatalog,
    OrganizationKey,
    ProgramKey,
    aggregate_rows,
    ordered_labels,
)
from catalog_api.partnerships.export import ExportRow, parse_export_row
from catalog_api.partnerships.models import Partnership
from catalog_api.partnerships.school_matching import SchoolMatcher, SchoolRef
from catalog_api.programs import repository as programs_repository
from catalog_api.programs.models import Program
from catalog_api.programs.service import build_search_text
from catalog_api.schools.models import School
from catalog_api.text import fold
from catalog_api.vocabularies.repository import load_vocabulary
from catalog_api.vocabularies.terms import Vocabulary
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.tabular import Table, import_rejected

DISTRICT_TIME_ZONE = ZoneInfo("America/New_York")
# The export sets these program term kinds; others (languages) are left as they are.
EXPORT_TERM_KINDS = ("program_area", "program_subarea", "time_of_day", "day", "grade")


class UnmatchedSchoolPolicy(StrEnum):
    REJECT = "reject"
    SKIP = "skip"


def current_school_year(today: date | None = None) -> int:
    """Return the ending year of the school year in progress; a year starts on July 1."""
    today = today or datetime.now(DISTRICT_TIME_ZONE).date()
    return today.year + 1 if today.month >= 7 else today.year


class _Counts:
    def __init__(self) -> None:
        self.created = schemas.RecordCounts()
        self.updated = schemas.RecordCounts()
        self.unchanged = schemas.RecordCounts()

    def count(self, kind: str, *, created: bool = False, changed: bool = False) -> None:
        if created:
            target = self.created
        elif changed:
            target = self.updated
        else:
            target = self.unchanged
        setattr(target, kind, getattr(target, kind) + 1)


def _match_rows(
    table: Table,
    rows: list[ExportRow],
    matcher: SchoolMatcher,
    policy: UnmatchedSchoolPolicy,
    problems: list[ErrorItem],
) -> tuple[list[tuple[ExportRow, SchoolRef]], list[schemas.SkippedRow]]:
    matched: list[tuple[ExportRow, SchoolRef]] = []
    skipped: list[schemas.SkippedRow] = []
    for row in rows:
        match = matcher.match(row.rc_code, row.school_name)
        if match.school is not None:
            matched.append((row, match.school))
            continue
        reason = match.reason or "no school matches"
        if policy is UnmatchedSchoolPolicy.SKIP:
            skipped.append(
                schemas.SkippedRow(
                    row=row.number, rc_code=row.rc_code, school_name=row.school_name, reason=reason
                )
            )
        else:
            problems.append(
                ErrorItem(
                    message=(
                        f"{reason}; import the school list first, correct the row, or send "
                        "on_unmatched_school=skip to skip such rows"
                    ),
                    row=row.number,
                    column=table.columns.get("rc_code", "rc_code"),
                    value=row.rc_code or "",
                )
            )
    return matched, skipped


async def import_partnerships(
    session: AsyncSession,
    principal: Principal,
    content: bytes,
    table: Table,
    *,
    policy: UnmatchedSchoolPolicy,
    school_year: int,
) -> schemas.ImportResult:
    """Validate the whole export, then store its organizations, programs and partnerships."""
    vocabulary = await load_vocabulary(session)
    problems: list[ErrorItem] = []
    warnings = list(table.warnings)
    rows: list[ExportRow] = []
    for raw_row in table.rows:
        parsed = parse_export_row(raw_row, table.columns, vocabulary)
        problems.extend(parsed.problems)
        warnings.extend(parsed.warnings)
        if parsed.row is not None:
            rows.append(parsed.row)

    schools = (await session.scalars(select(School))).all()
    matcher = SchoolMatcher(
        SchoolRef(id=school.id, school_code=school.school_code, name=school.name, rc_code=school.rc_code)
        for school in schools
    )
    matched, skipped = _match_rows(table, rows, matcher, policy, problems)
    if problems:
        raise import_rejected(table.filename, sorted(problems, key=lambda item: item.row or 0))

    desired = aggregate_rows(matched)
    warnings.extend(desired.warnings)
    counts = _Counts()
    organizations = await _store_organizations(session, desired, counts)
    programs = await _store_programs(session, desired, organizations, vocabulary, counts)
    await _store_school_profiles(session, desired, {school.id: school for school in schools}, counts)
    await _store_partnerships(session, desired, programs, school_year, counts)

    summary = {
        "school_year": school_year,
        "created": counts.created.model_dump(),
        "updated": counts.updated.model_dump(),
        "skipped_rows": [item.row for item in skipped],
        "repeated_rows": [item.row for item in desired.repeats],
    }
    batch = await record_batch(
        session,
        principal,
        kind="partnerships",
        filename=table.filename,
        content=content,
        rows=len(table.rows),
        summary=summary,
    )
    return schemas.ImportResult(
        id=batch.id,
        rows=len(table.rows),
        warnings=warning_items(sorted(warnings, key=lambda item: item.row or 0)),
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        skipped=skipped,
        repeats=desired.repeats,
        school_year=school_year,
    )


async def _store_organizations(
    session: AsyncSession, desired: DesiredCatalog, counts: _Counts
) -> dict[OrganizationKey, Organization]:
    keys = list(desired.organizations)
    existing = {
        organization.name_key: organization
        for organization in (
            await session.scalars(select(Organization).where(Organization.name_key.in_(keys)))
        ).all()
    }
    for key, target in desired.organizations.items():
        organization = existing.get(key)
        if organization is None:
            organization = Organization(name=target.name, name_key=key, website=target.website)
            session.add(organization)
            existing[key] = organization
            counts.count("organizations", created=True)
            continue
        changed = False
        if organization.name != target.name:
            organization.name = target.name
            changed = True
        if target.website is not None and organization.website != target.website:
            organization.website = target.website
            changed = True
        counts.count("organizations", changed=changed)
    await session.flush()
    return existing


async def _store_programs(
    session: AsyncSession,
    desired: DesiredCatalog,
    organizations: dict[OrganizationKey, Organization],
    vocabulary: Vocabulary,
    counts: _Counts,
) -> dict[ProgramKey, Program]:
    organization_ids = [organization.id for organization in organizations.values()]
    existing = {
        (program.organization_id, program.name_key): program
        for program in (
            await session.scalars(select(Program).where(Program.organization_id.in_(organization_ids)))
        ).all()
    }
    chosen_terms = await programs_repository.load_term_ids(
        session, [program.id for program in existing.values()]
    )
    export_term_ids = {term.id for kind in EXPORT_TERM_KINDS for term in vocabulary.terms(kind)}

    stored: dict[ProgramKey, Program] = {}
    for key, target in desired.programs.items():
        organization = organizations[target.organization_key]
        program = existing.get((organization.id, key[1]))
        created = program is None
        if program is None:
            program = Program(
                organization_id=organization.id,
                name=target.name,
                name_key=key[1],
                sort_name=fold(target.name),
                status="approved",
                fees=target.fees.value,
                search_text="",
            )
            session.add(program)
            await session.flush()
        changed = False
        if program.name != target.name:
            program.name, program.sort_name = target.name, fold(target.name)
            changed = True
        if program.fees != target.fees.value:
            program.fees = target.fees.value
            changed = True

        desired_ids = set(target.terms)
        current_ids = chosen_terms.get(program.id, set()) & export_term_ids
        if created or desired_ids != current_ids:
            await programs_repository.replace_program_terms(
                session, program.id, target.terms.values(), vocabulary, kinds=EXPORT_TERM_KINDS
            )
            changed = True

        labels = await _labels_after(session, program.id)
        search_text = build_search_text(program.name, organization.name, program.description, labels)
        if program.search_text != search_text:
            program.search_text = search_text
            changed = changed or not created
        stored[key] = program
        counts.count("programs", created=created, changed=changed)
    await session.flush()
    return stored


async def _labels_after(session: AsyncSession, program_id: int) -> dict[str, list[str]]:
    labels = await programs_repository.load_program_labels(session, [program_id])
    return labels[program_id]


async def _store_school_profiles(
    session: AsyncSession,
    desired: DesiredCatalog,
    schools: dict[int, School],
    counts: _Counts,
) -> None:
    for school_id, profile in desired.schools.items():
        school = schools[school_id]
        target: dict[str, object] = {}
        if profile.neighborhood:
            target["neighborhood"] = profile.neighborhood
        if profile.hours:
            target["hours"] = profile.hours
        if profile.grades:
            target["grades"] = ordered_labels(profile.grades)
            target["grades_label"] = ", ".join(profile.grades_labels)
        differing = {name: value for name, value in target.items() if getattr(school, name) != value}
        for name, value in differing.items():
            setattr(school, name, value)
        counts.count("schools", changed=bool(differing))
    await session.flush()


async def _store_partnerships(
    session: AsyncSession,
    desired: DesiredCatalog,
    programs: dict[ProgramKey, Program],
    school_year: int,
    counts: _Counts,
) -> None:
    school_ids = list({school_id for school_id, _ in desired.partnerships})
    existing = {
        (partnership.school_id, partnership.program_id): partnership
        for partnership in (
            await session.scalars(
                select(Partnership).where(
                    Partnership.school_id.in_(school_ids), Partnership.school_year == school_year
                )
            )
        ).all()
    }
    for (school_id, program_key), target in desired.partnerships.items():
        program = programs[program_key]
        values = {
            "grades": ordered_labels(target.grades),
            "days": ordered_labels(target.days),
            "service_capacity": target.service_capacity(),
        }
        partnership = existing.get((school_id, program.id))
        if partnership is None:
            session.add(
                Partnership(school_id=school_id, program_id=program.id, school_year=school_year, **values)
            )
            counts.count("partnerships", created=True)
            continue
        differing = {name: value for name, value in values.items() if getattr(partnership, name) != value}
        for name, value in differing.items():
            setattr(partnership, name, value)
        counts.count("partnerships", changed=bool(differing))
    await session.flush()
