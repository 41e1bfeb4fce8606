"""Document pages: the register, a document with its versions, approvals and awareness, the
edit form, comparison, the AI policy and the reader's own acknowledgements."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission, Role
from aims.comments import service as comments
from aims.documents import present, rules, service
from aims.documents.checklist import get_checklist
from aims.documents.models import Document
from aims.documents.schemas import (
    ChecklistMark,
    DocumentIn,
    DocumentPatch,
    LinkIn,
    PublishIn,
    VersionEdit,
)
from aims.errors import AimsError, NotFound
from aims.evidence import forms as evidence_forms
from aims.evidence import service as evidence
from aims.exports.http import attachment
from aims.store.listing import ListParams
from aims.web.errors import form_errors, html_status
from aims.web.forms import form_version
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

STATUSES = ("draft", "in_review", "approved", "retired")
META_FIELDS = (
    "code",
    "title",
    "kind",
    "classification",
    "owner_email",
    "review_interval_months",
    "retention_months",
    "quorum",
)


def _errors(exc: ValidationError | AimsError) -> dict[str, str]:
    if isinstance(exc, AimsError):
        return form_errors(exc)
    found: dict[str, str] = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "_form"
        found.setdefault(name, str(e["msg"]).removeprefix("Value error, "))
    return found


def _members(db: PageDb, info: WebSession) -> list[str]:
    return access.member_emails(db, info.context)


# --- The register ------------------------------------------------------------------------------


@router.get("/documents")
def register(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    kind: str = "",
    status: str = "",
    owner: str = "",
    overdue: str = "",
    sort: str = "code",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    f = {"q": q, "kind": kind, "status": status, "owner": owner, "overdue": overdue, "sort": sort}
    try:
        owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
        params = ListParams(limit=50, cursor=cursor, q=q or None, sort=sort or None).with_filters(
            kind=kind or None,
            status=status or None,
            owner_id=str(owner_id) if owner_id else None,
        )
        page = service.list_documents(db, ctx, params, overdue=bool(overdue))
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request,
        "documents/list.html",
        {
            "page": page,
            "f": f,
            "kinds": list(rules.Kind),
            "statuses": STATUSES,
            "members": _members(db, info),
            "can_edit": ctx.can(Permission.EDIT),
            "attention": service.attention(db, ctx),
            "overdue_ids": {d.id for d in service.attention(db, ctx).reviews_overdue},
            "base_query": urlencode({k: v for k, v in f.items() if v}),
        },
    )


# --- Create and edit ---------------------------------------------------------------------------


def _form_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    doc: Document | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    opened = service.open_version(db, info.context, doc) if doc else None
    # Only a draft's text is edited here; a version in review is locked until returned.
    draft = opened if opened is not None and opened.status == "draft" else None
    return render(
        request,
        "documents/form.html",
        {
            "doc": doc,
            "draft": draft,
            "in_review": opened if opened is not None and draft is None else None,
            "v": values,
            "errors": errors or {},
            "kinds": list(rules.Kind),
            "classifications": list(rules.Classification),
            "members": _members(db, info),
            "approver_choices": [Role.OWNER, Role.MANAGER],
            "checklist": get_checklist().items,
            "headings": rules.headings(str(values.get("body") or "")),
        },
        status_code=status_code,
    )


def _raw(form: FormData) -> dict[str, Any]:
    raw: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in META_FIELDS}
    raw["body"] = str(form.get("body") or "")
    raw["change_summary"] = str(form.get("change_summary") or "").strip()
    raw["effective_date"] = str(form.get("effective_date") or "").strip()
    raw["approver_roles"] = [str(r) for r in form.getlist("approver_roles")]
    raw["is_ai_policy"] = form.get("is_ai_policy") == "on"
    raw["checklist"] = {
        item.id: {
            "addressed": form.get(f"addressed_{item.id}") == "on",
            "section": str(form.get(f"section_{item.id}") or "").strip(),
        }
        for item in get_checklist().items
    }
    return raw


def _optional(raw: dict[str, Any]) -> dict[str, Any]:
    """Blank optional fields as None, so the schemas apply their defaults and checks."""
    data = {k: v for k, v in raw.items() if k not in ("checklist",)}
    for key in ("owner_email", "retention_months", "effective_date"):
        data[key] = data.get(key) or None
    for key in ("review_interval_months", "quorum"):
        if not data.get(key):
            data.pop(key, None)
    return data


@router.get("/documents/new")
def new_document(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    values = {
        "kind": "policy",
        "classification": "internal",
        "review_interval_months": 12,
        "quorum": 1,
        "checklist": {},
    }
    return _form_page(request, db, info, doc=None, values=values)


@router.post("/documents/new")
async def create_document(request: Request, db: PageDb, info: CsrfSession) -> object:
    raw = _raw(await request.form())
    try:
        body = DocumentIn.model_validate(_optional(raw))
        with db.begin_nested():
            doc = service.create_document(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _form_page(
            request,
            db,
            info,
            doc=None,
            values=raw,
            errors=_errors(exc),
            status_code=getattr(exc, "status", 422),
        )
    return RedirectResponse(f"/documents/{doc.id}?created=1", status_code=303)


def _values_of(db: PageDb, info: WebSession, doc: Document) -> dict[str, Any]:
    draft = service.open_version(db, info.context, doc)
    values: dict[str, Any] = {
        "code": doc.code,
        "title": doc.title,
        "kind": doc.kind,
        "classification": doc.classification,
        "owner_email": doc.owner.email if doc.owner else "",
        "review_interval_months": doc.review_interval_months,
        "retention_months": doc.retention_months or "",
        "quorum": doc.quorum,
        "approver_roles": doc.approver_roles,
        "is_ai_policy": doc.is_ai_policy,
        "version": doc.version,
    }
    if draft is not None:
        values.update(
            {
                "body": draft.body,
                "change_summary": draft.change_summary,
                "effective_date": draft.effective_date or "",
                "checklist": draft.checklist or {},
                "draft_version": draft.version,
            }
        )
    return values


@router.get("/documents/ai-policy")
def ai_policy_page(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    ctx = info.context
    out = present.ai_policy_out(db, ctx)
    doc = service.ai_policy(db, ctx)
    current = service.current_version(db, ctx, doc) if doc else None
    return render(
        request,
        "documents/ai_policy.html",
        {
            "p": out,
            "doc": doc,
            "current": current,
            "completion": service.completion(db, ctx, doc) if doc else None,
            "can_edit": ctx.can(Permission.EDIT),
        },
    )


@router.get("/acknowledgements")
def my_acknowledgements(request: Request, db: PageDb, info: WebSession) -> HTMLResponse:
    ctx = info.context
    owed = [present.acknowledgement_out(db, ctx, a) for a in service.owed_by_me(db, ctx)]
    done = [present.acknowledgement_out(db, ctx, a) for a in service.acknowledged_by_me(db, ctx)]
    people = [
        (user, [present.acknowledgement_out(db, ctx, a) for a in owed_by])
        for user, owed_by in (service.owed_by_person(db, ctx) if ctx.can(Permission.EDIT) else [])
    ]
    return render(
        request, "documents/acknowledgements.html", {"owed": owed, "done": done, "people": people}
    )


@router.post("/acknowledgements/{ack_id}")
async def acknowledge(ack_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    await request.form()
    with db.begin_nested():
        service.acknowledge(db, info.context, ack_id)
    return RedirectResponse("/acknowledgements?acknowledged=1", status_code=303)


@router.get("/documents/{document_id}/edit")
def edit_document(
    document_id: uuid.UUID, request: Request, db: PageDb, info: WebSession
) -> HTMLResponse:
    info.context.require(Permission.EDIT)
    doc = service.get_document(db, info.context, document_id)
    return _form_page(request, db, info, doc=doc, values=_values_of(db, info, doc))


@router.post("/documents/{document_id}/edit")
async def save_document(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    ctx = info.context
    doc = service.get_document(db, ctx, document_id)
    form = await request.form()
    raw = _raw(form)
    raw["version"] = form_version(form)
    try:
        data = _optional(raw)
        patch = DocumentPatch.model_validate(
            {k: data.get(k) for k in (*META_FIELDS, "approver_roles", "is_ai_policy") if k in data}
            | {"version": raw["version"]}
        )
        with db.begin_nested():
            service.update_document(db, ctx, doc, patch)
            draft = service.open_version(db, ctx, doc)
            if draft is not None and form.get("draft_version") is not None:
                edit = VersionEdit(
                    version=int(str(form.get("draft_version") or "-1") or "-1"),
                    body=raw["body"],
                    change_summary=raw["change_summary"],
                    effective_date=raw["effective_date"] or None,
                    checklist={
                        k: ChecklistMark(**m)
                        for k, m in raw["checklist"].items()
                        if m["addressed"] or m["section"]
                    }
                    if doc.is_ai_policy
                    else None,
                )
                service.edit_version(db, ctx, draft, edit)
    except (ValidationError, AimsError, ValueError) as exc:
        db.expire_all()
        errors = (
            _errors(exc)
            if isinstance(exc, ValidationError | AimsError)
            else {"_form": "the form is out of date; reload the page"}
        )
        doc = service.get_document(db, ctx, document_id)
        return _form_page(
            request,
            db,
            info,
            doc=doc,
            values=raw,
            errors=errors,
            status_code=getattr(exc, "status", 422),
        )
    return RedirectResponse(f"/documents/{doc.id}?saved=1", status_code=303)


# --- One document ------------------------------------------------------------------------------


def _detail(
    request: Request,
    db: PageDb,
    info: WebSession,
    doc: Document,
    *,
    revision: int | None = None,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    out = present.detail(db, ctx, doc)
    shown = None
    if revision is not None:
        ver = service.version_by_revision(db, ctx, doc, revision)
        shown = present.version_out(db, ctx, doc, ver)
    shown = shown or out.current or out.open
    thread = None
    authors: dict[uuid.UUID, str] = {}
    if shown is not None:
        thread = comments.list_comments(
            db,
            ctx,
            subject_type="document_version",
            subject_id=str(shown.id),
            params=ListParams(limit=200, sort="created_at"),
        )
        authors = access.names_of(db, ctx, {c.created_by_id for c in thread.items})
    owed = [a for a in service.owed_by_me(db, ctx) if a.document_id == doc.id]
    others = [
        d
        for d in service.list_documents(db, ctx, ListParams(limit=200)).items
        if d.id != doc.id and d.id not in {link.target_id for link in out.links}
    ]
    done = service.completion(db, ctx, doc)
    return render(
        request,
        "documents/detail.html",
        {
            "d": out,
            "doc": doc,
            "shown": shown,
            "body_html": Markup(shown.rendered_html) if shown else "",  # noqa: S704 - nh3-sanitised
            "checklist": present.checklist_items(service.version_of(db, ctx, doc, shown.id))
            if shown and doc.is_ai_policy
            else [],
            "errors": errors or {},
            # What a refused form sent, to show again beside its error (never lose typing).
            "posted": posted or {},
            "posted_to": request.url.path.rsplit("/", 1)[-1] if posted else "",
            "members": _members(db, info),
            "roles": list(Role),
            "others": others,
            "owed": owed,
            "completion": done,
            "attachments": evidence.items_for(db, ctx, "document", [str(doc.id)]),
            "can_edit": ctx.can(Permission.EDIT),
            "can_approve": ctx.can(Permission.APPROVE),
            "me": ctx.user_id,
            "thread": thread,
            "authors": authors,
            "subject_type": "document_version",
            "subject_id": str(shown.id) if shown else "",
            "back": f"/documents/{doc.id}" + (f"?revision={revision}" if revision else ""),
        },
        status_code=status_code,
    )


def _attachments_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    doc: Document,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = info.context
    return render(
        request,
        "documents/attachments.html",
        {
            "doc": doc,
            "attachments": evidence.items_for(db, ctx, "document", [str(doc.id)]),
            "records": evidence_forms.record_choices(db, ctx),
            "members": _members(db, info),
            "v": values or {},
            "errors": errors or {},
            "can_edit": ctx.can(Permission.EDIT),
        },
        status_code=status_code,
    )


@router.get("/documents/{document_id}/attachments")
def attachments(document_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    """Files, links and approved records kept with a document (7.5), in the evidence store."""
    doc = service.get_document(db, info.context, document_id)
    return _attachments_page(request, db, info, doc)


@router.post("/documents/{document_id}/attachments")
async def attach(document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    ctx = info.context
    doc = service.get_document(db, ctx, document_id)
    form = await request.form()
    try:
        with db.begin_nested():
            await evidence_forms.add_from_form(db, ctx, form, document_id=doc.id)
    except AimsError as exc:
        return _attachments_page(request, db, info, doc, values=evidence_forms.values_of(form),
                                 errors=form_errors(exc), status_code=exc.status)  # fmt: skip
    return RedirectResponse(f"/documents/{doc.id}?attached=1#att-h", status_code=303)


@router.get("/documents/{document_id}")
def document_detail(
    document_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: WebSession,
    revision: int | None = None,
) -> object:
    doc = service.get_document(db, info.context, document_id)
    return _detail(request, db, info, doc, revision=revision)


async def _act(
    request: Request,
    db: PageDb,
    info: WebSession,
    document_id: uuid.UUID,
    action: Callable[[Document, FormData], str | None],
) -> object:
    """Run one action; a refusal shows on the document's page with its reason."""
    doc = service.get_document(db, info.context, document_id)
    form = await request.form()
    try:
        with db.begin_nested():
            target = action(doc, form)
    except (ValidationError, AimsError, ValueError) as exc:
        db.expire_all()
        errors = (
            _errors(exc)
            if isinstance(exc, ValidationError | AimsError)
            else {"_form": "the form is out of date; reload the page"}
        )
        doc = service.get_document(db, info.context, document_id)
        posted = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return _detail(
            request,
            db,
            info,
            doc,
            errors=errors,
            posted=posted,
            status_code=getattr(exc, "status", 422),
        )
    return RedirectResponse(target or f"/documents/{doc.id}", status_code=303)


@router.post("/documents/{document_id}/versions/{version_id}/{action}")
async def version_action(
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    action: str,
    request: Request,
    db: PageDb,
    info: CsrfSession,
) -> object:
    if action not in ("submit", "return", "approve"):
        raise NotFound(f"no action {action}")
    ctx = info.context

    def run(doc: Document, form: FormData) -> None:
        ver = service.version_of(db, ctx, doc, version_id)
        version, note = form_version(form), str(form.get("note") or "").strip()
        if action == "submit":
            service.submit(db, ctx, ver, version=version)
        elif action == "return":
            service.return_to_draft(db, ctx, ver, version=version, note=note)
        else:
            service.approve(db, ctx, ver, version=version, note=note)

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/new-version")
async def new_version(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, _form: FormData) -> str:
        service.new_version(db, info.context, doc)
        return f"/documents/{doc.id}/edit"

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/retire")
async def retire(document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(doc: Document, form: FormData) -> None:
        service.retire(db, info.context, doc, version=form_version(form))

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/reviewed")
async def reviewed(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, form: FormData) -> None:
        service.mark_reviewed(db, info.context, doc, version=form_version(form))

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/links")
async def add_link(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, form: FormData) -> None:
        body = LinkIn.model_validate(
            {
                "target_id": str(form.get("target_id") or ""),
                "note": str(form.get("note") or "").strip(),
            }
        )
        service.add_link(db, info.context, doc, body)

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/links/{link_id}/remove")
async def remove_link(
    document_id: uuid.UUID, link_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, _form: FormData) -> None:
        service.remove_link(db, info.context, doc, link_id)

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/publish")
async def publish(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, form: FormData) -> None:
        body = PublishIn.model_validate(
            {
                "everyone": form.get("everyone") == "on",
                "people": [str(p) for p in form.getlist("people") if str(p)],
                "roles": [str(r) for r in form.getlist("roles") if str(r)],
                "note": str(form.get("publish_note") or "").strip(),
            }
        )
        service.publish(db, info.context, doc, body)

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/publications/{publication_id}/chase")
async def chase(
    document_id: uuid.UUID,
    publication_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: CsrfSession,
) -> object:
    def run(doc: Document, _form: FormData) -> str:
        pub = service.get_publication(db, info.context, publication_id)
        if pub.document_id != doc.id:
            raise NotFound(f"no publication {publication_id} of {doc.code}")
        service.chase(db, info.context, pub)
        return f"/documents/{doc.id}?chased=1"

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/acknowledge")
async def acknowledge_document(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, _form: FormData) -> str:
        service.acknowledge_document(db, info.context, doc)
        return f"/documents/{doc.id}?acknowledged=1"

    return await _act(request, db, info, document_id, run)


@router.post("/documents/{document_id}/delete")
async def delete_document(
    document_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession
) -> object:
    def run(doc: Document, form: FormData) -> str:
        service.delete_document(db, info.context, doc, version=form_version(form))
        return "/documents?deleted=1"

    return await _act(request, db, info, document_id, run)


@router.get("/documents/{document_id}/compare")
def compare(
    document_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: WebSession,
    a: str = "",
    b: str = "",
) -> object:
    ctx = info.context
    doc = service.get_document(db, ctx, document_id)
    all_versions = service.versions(db, ctx, doc)
    if not (a and b):
        if len(all_versions) < 2:
            return html_status(
                request, 409, f"{doc.code} has only one version so far", title="Nothing to compare"
            )
        a, b = str(all_versions[-2].id), str(all_versions[-1].id)
    cmp = service.compare(db, ctx, doc, a, b)
    return render(
        request, "documents/compare.html", {"doc": doc, "cmp": cmp, "versions": all_versions}
    )


@router.get("/documents/{document_id}/versions/{version_id}/export.{fmt}")
def export_version(
    document_id: uuid.UUID, version_id: uuid.UUID, fmt: str, db: PageDb, info: WebSession
) -> Response:
    ctx = info.context
    doc = service.get_document(db, ctx, document_id)
    ver = service.version_of(db, ctx, doc, version_id)
    if fmt not in ("pdf", "docx"):
        raise NotFound("a document version exports as PDF or DOCX")
    return attachment(*present.export_file(db, ctx, doc, ver, fmt))
