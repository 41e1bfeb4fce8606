"""The audit log page: every change, filterable, with the chain's integrity shown."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from aims.audit import service
from aims.errors import AimsError
from aims.store.listing import ListParams
from aims.web.security import PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def audit_log(
    request: Request,
    db: PageDb,
    info: WebSession,
    record_type: str = "",
    action: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    cursor: str | None = None,
) -> object:
    filters = {
        "record_type": record_type,
        "action": action,
        "actor": actor,
        "occurred_at__gte": since,
        "occurred_at__lte": until + "T23:59:59.999999" if until else "",
    }
    error = None
    try:
        page = service.list_events(
            db,
            info.context,
            ListParams(
                limit=50,
                cursor=cursor,
                q=q or None,
                filters={k: v for k, v in filters.items() if v},
            ),
        )
    except AimsError as exc:
        if exc.status == 403:
            raise
        error = exc.detail
        page = service.list_events(db, info.context, ListParams(limit=50))
    query = {
        "record_type": record_type,
        "action": action,
        "actor": actor,
        "since": since,
        "until": until,
        "q": q,
    }
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "error": error,
            "f": query,
            "record_types": service.record_types(db, info.context),
            "actions": ["create", "update", "delete", "restore"],
            "base_query": urlencode({k: v for k, v in query.items() if v}),
            "report": service.verify_organisation(db, info.context)
            if request.query_params.get("verify")
            else None,
        },
    )
