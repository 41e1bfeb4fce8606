"""API routes for the caller, the organisation, members and tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.access import service
from aims.access.models import ApiToken, Membership
from aims.access.rules import ROLE_PERMISSIONS, Role
from aims.access.schemas import (
    MemberCreated,
    MemberIn,
    MemberOut,
    MemberPatch,
    MeOut,
    OrganisationOut,
    OrganisationPatch,
    PasswordChange,
    PasswordReset,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut

router = APIRouter(prefix="/api/v1", tags=["access"], responses=PROBLEM_RESPONSES)


def member_out(m: Membership) -> MemberOut:
    return MemberOut(
        id=m.id,
        user_id=m.user_id,
        email=m.user.email,
        full_name=m.user.full_name,
        role=Role(m.role),
        job_title=m.job_title,
        version=m.version,
        created_at=m.created_at,
    )


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        user_email=t.user.email,
        created_at=t.created_at,
        expires_at=t.expires_at,
        revoked_at=t.revoked_at,
        last_used_at=t.last_used_at,
        active=service.token_is_active(t),
    )


@router.get("/me", response_model=MeOut, summary="Who the token acts as")
def me(db: Db, ctx: Ctx) -> MeOut:
    org = service.get_organisation(db, ctx)
    member = service.own_membership(db, ctx)
    return MeOut(
        user_id=ctx.user_id,
        email=member.user.email,
        full_name=member.user.full_name,
        organisation=OrganisationOut.model_validate(org),
        role=ctx.role,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[ctx.role]),
    )


@router.post(
    "/me/password", status_code=status.HTTP_204_NO_CONTENT, summary="Change your own password"
)
def change_password(body: PasswordChange, db: Db, ctx: Ctx) -> None:
    service.change_password(db, ctx, current=body.current_password, new=body.new_password)


@router.get("/organisation", response_model=OrganisationOut)
def get_organisation(db: Db, ctx: Ctx) -> OrganisationOut:
    return OrganisationOut.model_validate(service.get_organisation(db, ctx))


@router.patch("/organisation", response_model=OrganisationOut)
def patch_organisation(body: OrganisationPatch, db: Db, ctx: Ctx) -> OrganisationOut:
    org = service.rename_organisation(db, ctx, name=body.name, version=body.version)
    return OrganisationOut.model_validate(org)


@router.get("/members", response_model=PageOut[MemberOut], summary="People and their roles")
def list_members(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    role: Annotated[Role | None, Query(description="Only this role")] = None,
) -> PageOut[MemberOut]:
    page = service.list_members(db, ctx, listing.with_filters(role=role.value if role else None))
    return PageOut[MemberOut].of(page, member_out)


@router.post("/members", response_model=MemberCreated, status_code=status.HTTP_201_CREATED)
def add_member(body: MemberIn, db: Db, ctx: Ctx) -> MemberCreated:
    new = service.add_member(
        db,
        ctx,
        email=body.email,
        full_name=body.full_name,
        role=body.role.value,
        job_title=body.job_title,
    )
    return MemberCreated(**member_out(new.membership).model_dump(), password=new.password)


@router.get("/members/{member_id}", response_model=MemberOut)
def get_member(member_id: uuid.UUID, db: Db, ctx: Ctx) -> MemberOut:
    return member_out(service.get_member(db, ctx, member_id))


@router.patch("/members/{member_id}", response_model=MemberOut, summary="Change a role")
def patch_member(member_id: uuid.UUID, body: MemberPatch, db: Db, ctx: Ctx) -> MemberOut:
    m = service.change_role(db, ctx, member_id, role=body.role.value, version=body.version)
    return member_out(m)


@router.post(
    "/members/{member_id}/password-reset",
    response_model=PasswordReset,
    summary="Give a member a new one-time password",
)
def reset_password(member_id: uuid.UUID, db: Db, ctx: Ctx) -> PasswordReset:
    return PasswordReset(password=service.reset_password(db, ctx, member_id))


@router.delete("/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    member_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    version: Annotated[int, Query(description="The version you last read")],
) -> None:
    service.remove_member(db, ctx, member_id, version=version)


@router.get("/tokens", response_model=list[TokenOut], summary="Your API tokens")
def list_tokens(
    db: Db, ctx: Ctx, all_users: Annotated[bool, Query(alias="all")] = False
) -> list[TokenOut]:
    return [token_out(t) for t in service.list_tokens(db, ctx, all_users=all_users)]


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, db: Db, ctx: Ctx) -> TokenCreated:
    token, secret = service.create_token(db, ctx, name=body.name, days=body.days)
    return TokenCreated(**token_out(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke a token")
def revoke_token(token_id: uuid.UUID, db: Db, ctx: Ctx) -> TokenOut:
    return token_out(service.revoke_token(db, ctx, token_id))
