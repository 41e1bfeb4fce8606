"""Catalogue pages: every clause and control with our guidance, searchable."""

from __future__ import annotations

from fastapi import APIRouter, Request

from aims.access import service as access
from aims.api.runtime import Runtime
from aims.catalog import service
from aims.comments import service as comments
from aims.store.listing import ListParams
from aims.web.security import PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/catalog")
def catalog_index(request: Request, info: WebSession, q: str = "", kind: str = "") -> object:
    catalog = request.app.state.runtime.catalog
    found = {e.id for e in service.search(q, kind=kind or None, catalog=catalog)}
    clauses = [c for c in catalog.clauses.values() if c.id in found]
    groups = [(g, [c for c in g.controls if c.id in found]) for g in catalog.data.control_groups]
    return render(
        request,
        "catalog/index.html",
        {
            "q": q,
            "kind": kind,
            "clauses": clauses,
            "groups": [(g, cs) for g, cs in groups if cs or (not q and not kind)],
            "count": len(found),
            "framework": catalog.data.framework,
        },
    )


@router.get("/catalog/{entry_id}")
def catalog_entry(entry_id: str, request: Request, db: PageDb, info: WebSession) -> object:
    runtime: Runtime = request.app.state.runtime
    catalog = runtime.catalog
    entry = service.get_entry(entry_id, catalog=catalog)
    group = catalog.groups.get(catalog.group_of.get(entry.id, ""))
    related = [catalog.get(r) for r in entry.related]
    thread = comments.list_comments(
        db, info.context, subject_type="catalog", subject_id=entry.id, params=ListParams(limit=200)
    )
    return render(
        request,
        "catalog/entry.html",
        {
            "entry": entry,
            "group": group,
            "related": [r for r in related if r],
            "catalog": catalog,
            "thread": thread,
            "subject_type": "catalog",
            "subject_id": entry.id,
            "back": f"/catalog/{entry.id}",
            "authors": access.names_of(db, info.context, {c.created_by_id for c in thread.items}),
        },
    )
