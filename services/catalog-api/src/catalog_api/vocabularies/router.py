"""Vocabulary endpoints: the accepted labels of each kind, and adding terms and synonyms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from catalog_api.dependencies import CatalogWriterDep, ResponseCacheDep
from catalog_api.vocabularies import service
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas

router = APIRouter(prefix="/v1/vocabularies", tags=["vocabularies"])

KindPath = Annotated[schemas.VocabularyKindName, Path()]


@router.get("/{kind}", response_model=list[schemas.VocabularyTerm])
async def list_vocabulary(
    request: Request, session: SessionDep, cache: ResponseCacheDep, kind: KindPath
) -> Response:
    """List a vocabulary's terms in display order, with their synonyms."""
    return await cache.respond(request, lambda: service.list_terms(session, kind))


@router.post("/{kind}/terms", status_code=201, response_model=list[schemas.VocabularyTerm])
async def add_vocabulary_term(
    session: SessionDep,
    principal: CatalogWriterDep,
    kind: KindPath,
    body: schemas.VocabularyTermCreate,
) -> list[schemas.VocabularyTerm]:
    """Add a term to a vocabulary; returns the whole vocabulary."""
    await service.add_term(session, principal, kind, body)
    return await service.list_terms(session, kind)


@router.post(
    "/{kind}/terms/{term_id}/synonyms",
    status_code=201,
    response_model=list[schemas.VocabularyTerm],
)
async def add_vocabulary_synonym(
    session: SessionDep,
    principal: CatalogWriterDep,
    kind: KindPath,
    term_id: Annotated[int, Path(ge=1)],
    body: schemas.VocabularySynonymCreate,
) -> list[schemas.VocabularyTerm]:
    """Add another spelling of a term; returns the whole vocabulary."""
    await service.add_synonym(session, principal, kind, term_id, body.text)
    return await service.list_terms(session, kind)
