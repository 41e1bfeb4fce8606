"""API routes for the catalogue (read-only framework content)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from aims.api.deps import Ctx
from aims.api.schemas import PROBLEM_RESPONSES
from aims.catalog import service
from aims.catalog.loader import Catalog
from aims.catalog.schemas import AnnexCItem

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"], responses=PROBLEM_RESPONSES)


class EntryOut(BaseModel):
    id: str
    kind: Literal["clause", "control"]
    title: str
    group: str | None
    parent: str | None
    summary: str
    guidance: str
    evidence: list[str]
    related: list[str]
    objectives: list[str]
    risk_sources: list[str]


class AnnexCOut(BaseModel):
    objectives: list[AnnexCItem]
    risk_sources: list[AnnexCItem]


def _catalog(request: Request) -> Catalog:
    catalog = request.app.state.runtime.catalog
    assert isinstance(catalog, Catalog)
    return catalog


def entry_out(catalog: Catalog, entry_id: str) -> EntryOut:
    entry = service.get_entry(entry_id, catalog=catalog)
    return EntryOut(
        id=entry.id,
        kind=entry.kind,
        title=entry.title,
        group=catalog.group_of.get(entry.id),
        parent=getattr(entry, "parent", None),
        summary=entry.summary,
        guidance=entry.guidance,
        evidence=entry.evidence,
        related=entry.related,
        objectives=entry.objectives,
        risk_sources=entry.risk_sources,
    )


@router.get("/entries", response_model=list[EntryOut], summary="Clauses and controls")
def list_entries(
    request: Request,
    _ctx: Ctx,
    q: Annotated[str, Query(description="Words to find in id, title or guidance")] = "",
    kind: Annotated[Literal["clause", "control"] | None, Query()] = None,
) -> list[EntryOut]:
    catalog = _catalog(request)
    return [entry_out(catalog, e.id) for e in service.search(q, kind=kind, catalog=catalog)]


@router.get("/entries/{entry_id}", response_model=EntryOut)
def get_entry(entry_id: str, request: Request, _ctx: Ctx) -> EntryOut:
    return entry_out(_catalog(request), entry_id)


@router.get("/annex-c", response_model=AnnexCOut, summary="Annex C objectives and risk sources")
def annex_c(request: Request, _ctx: Ctx) -> AnnexCOut:
    catalog = _catalog(request)
    return AnnexCOut(objectives=catalog.objectives, risk_sources=catalog.risk_sources)
