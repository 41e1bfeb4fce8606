"""Concern pages: raising a concern (members), my concerns, the handlers' queue with triage,
the settings, and the public pages (the intake form behind the organisation's link and the
receipt-code status page), which need no account."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from aims.access import service as access
from aims.access.rules import Permission, Role
from aims.api.runtime import Runtime
from aims.concerns import rules, service
from aims.concerns.models import Concern
from aims.concerns.present import reporter_name
from aims.concerns.schemas import (
    ConcernIn,
    NoteIn,
    PublicConcernIn,
    RaiseRiskIn,
    SettingsIn,
    TriageIn,
)
from aims.concerns.vocab import Severity, Status, categories, category_label
from aims.errors import AimsError, TooManyAttempts
from aims.store.listing import ListParams
from aims.systems import service as systems
from aims.web.errors import html_status
from aims.web.forms import form_version, validation_errors
from aims.web.security import CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)

# Double-submit CSRF token of the public pages (no session there): a cookie and a field.
REPORT_COOKIE = "aims_report"
FORM_EXPIRED = "The form expired or did not come from this site; please send it again."
HONEYPOT = "website"


def _texts(form: FormData, *names: str) -> dict[str, str]:
    return {n: str(form.get(n) or "") for n in names}


LIMITS = {"summary": rules.SUMMARY_MAX, "description": rules.DESCRIPTION_MAX,
          "occurred": rules.OCCURRED_MAX, "contact": rules.CONTACT_MAX}  # fmt: skip


def _base(ctx_keys: dict[str, Any]) -> dict[str, Any]:
    return {"categories": categories(), "category_label": category_label, "limits": LIMITS,
            **ctx_keys}  # fmt: skip


# --- Members raise concerns --------------------------------------------------------------------


def _new_page(
    request: Request, db: PageDb, info: WebSession, *, values: dict[str, Any],
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    ctx = info.context
    return render(
        request, "concerns/new.html",
        _base({"v": values, "errors": errors or {}, "intro": service.intro(db, ctx),
               "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items}),
        status_code=status_code,
    )  # fmt: skip


@router.get("/concerns/new")
def new_concern(request: Request, db: PageDb, info: WebSession, system_id: str = "") -> object:
    return _new_page(request, db, info, values={"system_id": system_id})


@router.post("/concerns/new")
async def create_concern(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    raw: dict[str, Any] = _texts(form, "category", "summary", "description", "occurred")
    raw["system_id"] = str(form.get("system_id") or "") or None
    raw["anonymous"] = form.get("anonymous") == "yes"
    try:
        body = ConcernIn.model_validate(raw)
        with db.begin_nested():
            concern, code = service.raise_concern(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        return _new_page(
            request, db, info, values=raw, errors=validation_errors(exc), status_code=422
        )
    return render(
        request, "concerns/receipt.html",
        {"ref": concern.ref, "code": code, "anonymous": concern.anonymous, "public": False},
        status_code=201,
    )  # fmt: skip


@router.get("/concerns/mine")
def mine(request: Request, db: PageDb, info: WebSession) -> object:
    return render(
        request, "concerns/mine.html",
        _base({"items": service.my_concerns(db, info.context),
               "is_handler": service.is_handler(db, info.context)}),
    )  # fmt: skip


# --- The queue ---------------------------------------------------------------------------------


@router.get("/concerns")
def queue(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    status: str = "",
    category: str = "",
    system_id: str = "",
    owner: str = "",
    sort: str = "-created_at",
    cursor: str | None = None,
) -> object:
    ctx = info.context
    service.require_handler(db, ctx)
    f = {"q": q, "status": status, "category": category, "system_id": system_id,
         "owner": owner, "sort": sort}  # fmt: skip
    try:
        owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
        params = ListParams(limit=50, cursor=cursor, q=q or None, sort=sort or None).with_filters(
            status=status or None, category=category or None, system_id=system_id or None,
            owner_id=str(owner_id) if owner_id else None,
        )  # fmt: skip
        page = service.list_concerns(db, ctx, params)
    except AimsError as exc:
        return html_status(request, exc.status, exc.detail, title="Bad filter")
    return render(
        request, "concerns/list.html",
        _base({"page": page, "f": f, "counts": service.counts(db, ctx),
               "statuses": list(Status),
               "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items,
               "members": access.member_emails(db, ctx),
               "base_query": urlencode({k: v for k, v in f.items() if v})}),
    )  # fmt: skip


# --- Settings ----------------------------------------------------------------------------------


def _settings_page(
    request: Request, db: PageDb, info: WebSession, *, errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    view = service.get_settings(db, info.context)
    link = str(request.base_url).rstrip("/") + view.link_path if view.link_path else None
    return render(
        request, "concerns/settings.html",
        {"s": view, "link": link, "errors": errors or {}, "v": values,
         "roles": [r for r in Role], "can_edit": info.context.can(Permission.MANAGE_ORGANISATION),
         "saved": request.query_params.get("saved"),
         "regenerated": request.query_params.get("regenerated")},
        status_code=status_code,
    )  # fmt: skip


@router.get("/concerns/settings")
def settings_page(request: Request, db: PageDb, info: WebSession) -> object:
    return _settings_page(request, db, info)


@router.post("/concerns/settings")
async def save_settings(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    raw: dict[str, Any] = {
        "version": form_version(form),
        "anonymous_enabled": form.get("anonymous_enabled") == "yes",
        "handler_roles": [str(r) for r in form.getlist("handler_roles")] or ["owner"],
        "intro": str(form.get("intro") or ""),
    }
    try:
        body = SettingsIn.model_validate(raw)
        with db.begin_nested():
            service.save_settings(db, info.context, body)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        return _settings_page(request, db, info, errors=validation_errors(exc), values=raw,
                              status_code=getattr(exc, "status", 422))  # fmt: skip
    return RedirectResponse("/concerns/settings?saved=1", status_code=303)


@router.post("/concerns/settings/link")
async def regenerate_link(request: Request, db: PageDb, info: CsrfSession) -> object:
    form = await request.form()
    try:
        with db.begin_nested():
            service.regenerate_link(db, info.context, version=form_version(form))
    except AimsError as exc:
        db.expire_all()
        return _settings_page(
            request, db, info, errors=validation_errors(exc), status_code=exc.status
        )
    return RedirectResponse("/concerns/settings?regenerated=1", status_code=303)


# --- One concern -------------------------------------------------------------------------------


def _detail(
    request: Request, db: PageDb, info: WebSession, concern: Concern, *,
    errors: dict[str, str] | None = None, posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    from aims.risk import service as risk_service

    ctx = info.context
    notes = service.timeline(db, ctx, concern)
    names = access.names_of(db, ctx, {n.created_by_id for n in notes})
    _n, criteria, _note = risk_service.current_criteria(db, ctx)
    return render(
        request, "concerns/detail.html",
        _base({"c": concern, "notes": notes, "names": names, "errors": errors or {},
               # What a refused form sent (triage, notes or risk), shown again in that form.
               "posted": posted or {},
               "posted_to": request.url.path.rsplit("/", 1)[-1] if posted else "",
               "reporter": reporter_name(concern), "statuses": list(Status),
               "severities": list(Severity), "criteria": criteria,
               "systems": systems.list_systems(db, ctx, ListParams(limit=200)).items,
               "handlers": service.handler_emails(db, ctx),
               "members": access.member_emails(db, ctx),
               "can_raise_risk": ctx.can(Permission.EDIT) and concern.risk_id is None}),
        status_code=status_code,
    )  # fmt: skip


@router.get("/concerns/{concern_id}")
def concern_detail(concern_id: str, request: Request, db: PageDb, info: WebSession) -> object:
    concern, handler = service.open_concern(db, info.context, concern_id)
    if not handler:
        return render(request, "concerns/reporter.html", _base({"c": concern}))
    return _detail(request, db, info, concern)


# Errors of the risk form under its own field names (the triage form has an owner too).
RISK_FIELDS = {"owner_email": "risk_owner", "description": "risk_description"}


async def _act(request: Request, db: PageDb, info: WebSession, concern_id: str,
               action: Any) -> object:  # fmt: skip
    """Run one handler action; a refusal shows on the concern's page beside its form."""
    concern = service.get_concern(db, info.context, concern_id)
    form = await request.form()
    try:
        with db.begin_nested():
            action(concern, form)
    except (ValidationError, AimsError) as exc:
        db.expire_all()
        concern = service.get_concern(db, info.context, concern_id)
        status = exc.status if isinstance(exc, AimsError) else 422
        errors = validation_errors(exc)
        if request.url.path.endswith("/risk"):  # the risk form's own fields, not the triage's
            errors = {RISK_FIELDS.get(k, k): v for k, v in errors.items()}
        posted = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return _detail(request, db, info, concern, errors=errors, posted=posted,
                       status_code=status)  # fmt: skip
    return RedirectResponse(f"/concerns/{concern.id}?saved=1", status_code=303)


@router.post("/concerns/{concern_id}/triage")
async def triage(concern_id: str, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(concern: Concern, form: FormData) -> None:
        raw: dict[str, Any] = {"version": form_version(form)}
        raw.update(_texts(form, "status", "severity", "outcome", "reporter_message"))
        raw["owner_email"] = str(form.get("owner_email") or "") or None
        raw["system_id"] = str(form.get("system_id") or "") or None
        raw["severity"] = raw["severity"] or None
        raw["status"] = raw["status"] or None
        service.triage(db, info.context, concern, TriageIn.model_validate(raw))

    return await _act(request, db, info, concern_id, run)


@router.post("/concerns/{concern_id}/notes")
async def add_note(concern_id: str, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(concern: Concern, form: FormData) -> None:
        service.add_note(db, info.context, concern,
                         NoteIn.model_validate({"body": str(form.get("body") or "")}))  # fmt: skip

    return await _act(request, db, info, concern_id, run)


@router.post("/concerns/{concern_id}/risk")
async def raise_risk(concern_id: str, request: Request, db: PageDb, info: CsrfSession) -> object:
    def run(concern: Concern, form: FormData) -> None:
        raw: dict[str, Any] = {"version": form_version(form)}
        raw.update(_texts(form, "title", "description"))
        raw["inherent_likelihood"] = str(form.get("inherent_likelihood") or "") or None
        raw["inherent_consequence"] = str(form.get("inherent_consequence") or "") or None
        raw["owner_email"] = str(form.get("risk_owner") or "") or None
        service.raise_as_risk(db, info.context, concern, RaiseRiskIn.model_validate(raw))

    return await _act(request, db, info, concern_id, run)


# --- Public pages (no account) -----------------------------------------------------------------


def _secure(request: Request) -> bool:
    runtime: Runtime = request.app.state.runtime
    return runtime.settings.cookie_secure or request.url.scheme == "https"


def _public(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """A public page with its double-submit CSRF token (cookie and field); the browser's
    token is kept while it lasts, so two open public pages both stay valid."""
    held = request.cookies.get(REPORT_COOKIE, "")
    token = (
        held
        if len(held) == 43 and held.replace("-", "").replace("_", "").isalnum()
        else (secrets.token_urlsafe(32))
    )
    page = render(request, template, _base({**context, "csrf": token}), status_code=status_code)
    page.set_cookie(REPORT_COOKIE, token, httponly=True, samesite="strict", path="/report",
                    secure=_secure(request), max_age=3600)  # fmt: skip
    return page


def _csrf_ok(request: Request, form: FormData) -> bool:
    expected = request.cookies.get(REPORT_COOKIE, "")
    sent = form.get("csrf_token")
    return bool(expected) and isinstance(sent, str) and secrets.compare_digest(expected, sent)


def _too_large(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > rules.PUBLIC_MAX_BODY


@router.get("/report/status")
def status_form(request: Request) -> object:
    return _public(request, "concerns/status.html", {"found": None, "error": None})


@router.post("/report/status")
async def status_lookup(request: Request, db: PageDb) -> object:
    if _too_large(request):
        return html_status(request, 413, "The form is larger than a receipt code can be.")
    form = await request.form()
    if not _csrf_ok(request, form):
        return _public(request, "concerns/status.html", {"found": None, "error": FORM_EXPIRED},
                       status_code=400)  # fmt: skip
    try:
        found = service.receipt_status(db, str(form.get("code") or "")[:64])
    except AimsError as exc:
        return _public(request, "concerns/status.html", {"found": None, "error": exc.detail},
                       status_code=exc.status)  # fmt: skip
    return _public(request, "concerns/status.html", {"found": found, "error": None})


PUBLIC_FIELDS = ("category", "summary", "description", "occurred", "contact")


def _report_page(
    request: Request, db: PageDb, token: str, *, values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    settings = service.public_settings(db, token)
    return _public(
        request, "concerns/public.html",
        {"token": token, "org_name": service.organisation_name(db, settings),
         "intro": settings.intro, "v": values or {}, "errors": errors or {}},
        status_code=status_code,
    )  # fmt: skip


@router.get("/report/{token}")
def public_form(token: str, request: Request, db: PageDb) -> object:
    return _report_page(request, db, token)


@router.post("/report/{token}")
async def public_submit(token: str, request: Request, db: PageDb) -> object:
    settings = service.public_settings(db, token)  # a wrong or revoked link is a 404
    if _too_large(request):
        return html_status(request, 413, "The report is too long to send. Shorten it and retry.")
    client = request.client.host if request.client else "unknown"
    try:
        service.count_public_attempt(db, settings, client)
    except TooManyAttempts as exc:
        # The attempt stays counted: the page is answered, and the unit of work commits.
        return html_status(request, exc.status, exc.detail, title="Please wait")
    form = await request.form()
    values = _texts(form, *PUBLIC_FIELDS)
    if not _csrf_ok(request, form):
        return _report_page(request, db, token, values=values, errors={"_form": FORM_EXPIRED},
                            status_code=400)  # fmt: skip
    if str(form.get(HONEYPOT) or ""):
        # Filled by a robot: answer as if it worked, keep nothing.
        return render(request, "concerns/receipt.html",
                      {"ref": None, "code": rules.new_receipt_code(), "anonymous": True,
                       "public": True}, status_code=201)  # fmt: skip
    try:
        body = PublicConcernIn.model_validate(values)
        with db.begin_nested():
            concern, code = service.raise_public_concern(db, settings, body)
    except (ValidationError, AimsError) as exc:
        return _report_page(request, db, token, values=values, errors=validation_errors(exc),
                            status_code=422)  # fmt: skip
    # The reference is not shown: it would tell outsiders how many concerns there are.
    del concern
    return render(request, "concerns/receipt.html",
                  {"ref": None, "code": code, "anonymous": True, "public": True},
                  status_code=201)  # fmt: skip
