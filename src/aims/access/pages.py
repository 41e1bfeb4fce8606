"""Pages for people and roles, and for API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from aims.access import service
from aims.access.rules import ROLE_DESCRIPTIONS, Permission, Role
from aims.errors import AimsError
from aims.store.listing import ListParams
from aims.web.errors import form_errors
from aims.web.security import SESSION_COOKIE, CsrfSession, PageDb, WebSession
from aims.web.templating import render

router = APIRouter(include_in_schema=False)


def _members_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    q: str = "",
    role: str = "",
    cursor: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    created: service.NewMember | None = None,
    status_code: int = 200,
) -> object:
    params = ListParams(
        limit=50, cursor=cursor, q=q or None, filters={"role": role} if role else {}
    )
    page = service.list_members(db, info.context, params)
    return render(
        request,
        "access/members.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "roles": list(Role),
            "role_descriptions": ROLE_DESCRIPTIONS,
            "can_manage": info.context.can(Permission.MANAGE_MEMBERS),
            "is_owner": info.context.role is Role.OWNER,
            "errors": errors or {},
            "form": form or {},
            "created": created,
            "base_query": urlencode({k: v for k, v in {"q": q, "role": role}.items() if v}),
        },
        status_code=status_code,
    )


@router.get("/settings/members")
def members(
    request: Request,
    db: PageDb,
    info: WebSession,
    q: str = "",
    role: str = "",
    cursor: str | None = None,
) -> object:
    return _members_page(request, db, info, q=q, role=role, cursor=cursor)


@router.post("/settings/members")
def add_member(
    request: Request,
    db: PageDb,
    info: CsrfSession,
    email: Annotated[str, Form()] = "",
    full_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    job_title: Annotated[str, Form()] = "",
) -> object:
    form = {"email": email, "full_name": full_name, "role": role, "job_title": job_title}
    try:
        with db.begin_nested():
            created = service.add_member(
                db, info.context, email=email, full_name=full_name, role=role, job_title=job_title
            )
    except AimsError as exc:
        errors = form_errors(exc)
        if "_form" in errors and "already" in errors["_form"]:
            errors = {"email": errors["_form"]}
        return _members_page(
            request,
            db,
            info,
            errors=errors,
            form=form,
            status_code=exc.status if exc.status != 404 else 422,
        )
    return _members_page(request, db, info, created=created, status_code=201)


@router.post("/settings/members/{member_id}/role")
def change_role(
    member_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: CsrfSession,
    role: Annotated[str, Form()],
    version: Annotated[int, Form()],
) -> object:
    try:
        with db.begin_nested():
            service.change_role(db, info.context, member_id, role=role, version=version)
    except AimsError as exc:
        return _members_page(
            request, db, info, errors={f"member-{member_id}": exc.detail}, status_code=exc.status
        )
    return RedirectResponse("/settings/members?changed=1", status_code=303)


@router.get("/settings/members/{member_id}/remove")
def confirm_remove(member_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    member = service.get_member(db, info.context, member_id)
    return render(request, "access/confirm_remove.html", {"member": member})


@router.post("/settings/members/{member_id}/remove")
def remove(
    member_id: uuid.UUID,
    request: Request,
    db: PageDb,
    info: CsrfSession,
    version: Annotated[int, Form()],
) -> object:
    try:
        with db.begin_nested():
            service.remove_member(db, info.context, member_id, version=version)
    except AimsError as exc:
        return _members_page(
            request, db, info, errors={f"member-{member_id}": exc.detail}, status_code=exc.status
        )
    return RedirectResponse("/settings/members?removed=1", status_code=303)


def _account_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> object:
    member = service.own_membership(db, info.context)
    return render(
        request,
        "access/account.html",
        {
            "member": member,
            "errors": errors or {},
            "done": done,
            "org": service.get_organisation(db, info.context),
            "can_rename": info.context.can(Permission.MANAGE_ORGANISATION),
        },
        status_code=status_code,
    )


@router.get("/settings/account")
def account(request: Request, db: PageDb, info: WebSession) -> object:
    return _account_page(request, db, info)


@router.post("/settings/account/password")
def change_password(
    request: Request,
    db: PageDb,
    info: CsrfSession,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> object:
    if new_password != confirm_password:
        return _account_page(
            request,
            db,
            info,
            errors={"confirm_password": "does not match the new password"},
            status_code=422,
        )
    try:
        with db.begin_nested():
            service.change_password(
                db,
                info.context,
                current=current_password,
                new=new_password,
                keep_session=request.cookies.get(SESSION_COOKIE),
            )
    except AimsError as exc:
        return _account_page(request, db, info, errors=form_errors(exc), status_code=exc.status)
    return _account_page(request, db, info, done=True)


@router.post("/settings/organisation")
def rename_organisation(
    request: Request,
    db: PageDb,
    info: CsrfSession,
    name: Annotated[str, Form()] = "",
    version: Annotated[int, Form()] = 0,
) -> object:
    try:
        with db.begin_nested():
            service.rename_organisation(db, info.context, name=name, version=version)
    except AimsError as exc:
        errors = {"org_name": exc.errors[0].msg if exc.errors else exc.detail}
        return _account_page(request, db, info, errors=errors, status_code=exc.status)
    return RedirectResponse("/settings/account?renamed=1", status_code=303)


@router.get("/settings/members/{member_id}/reset-password")
def confirm_reset(member_id: uuid.UUID, request: Request, db: PageDb, info: WebSession) -> object:
    member = service.get_member(db, info.context, member_id)
    return render(request, "access/confirm_reset.html", {"member": member, "password": None})


@router.post("/settings/members/{member_id}/reset-password")
def reset_password(member_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    try:
        with db.begin_nested():
            password = service.reset_password(db, info.context, member_id)
    except AimsError as exc:
        return _members_page(
            request, db, info, errors={f"member-{member_id}": exc.detail}, status_code=exc.status
        )
    member = service.get_member(db, info.context, member_id)
    return render(request, "access/confirm_reset.html", {"member": member, "password": password})


def _tokens_page(
    request: Request,
    db: PageDb,
    info: WebSession,
    *,
    secret: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> object:
    tokens = service.list_tokens(db, info.context, all_users=True)
    return render(
        request,
        "access/tokens.html",
        {
            "tokens": tokens,
            "secret": secret,
            "errors": errors or {},
            "active": service.token_is_active,
            "me": info.context.user_id,
        },
        status_code=status_code,
    )


@router.get("/settings/tokens")
def tokens(request: Request, db: PageDb, info: WebSession) -> object:
    return _tokens_page(request, db, info)


@router.post("/settings/tokens")
def create_token(
    request: Request,
    db: PageDb,
    info: CsrfSession,
    name: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "90",
) -> object:
    try:
        days_value = int(days)
    except ValueError:
        return _tokens_page(
            request, db, info, errors={"days": "must be a whole number"}, status_code=422
        )
    try:
        with db.begin_nested():
            _token, secret = service.create_token(db, info.context, name=name, days=days_value)
    except AimsError as exc:
        return _tokens_page(request, db, info, errors=form_errors(exc), status_code=exc.status)
    return _tokens_page(request, db, info, secret=secret, status_code=201)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(token_id: uuid.UUID, request: Request, db: PageDb, info: CsrfSession) -> object:
    service.revoke_token(db, info.context, token_id)
    return RedirectResponse("/settings/tokens?revoked=1", status_code=303)
