"""API routes for control implementations and their checks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aims.access import service as access
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.controls import present, service
from aims.controls.rules import Status
from aims.controls.schemas import (
    CheckIn,
    CheckOut,
    ImplementationIn,
    ImplementationOut,
    ImplementationPatch,
)
from aims.controls.service import ImplementationFields

router = APIRouter(prefix="/api/v1", tags=["controls"], responses=PROBLEM_RESPONSES)


def _fields(body: ImplementationIn | ImplementationPatch) -> ImplementationFields:
    return ImplementationFields(
        description=body.description,
        owner_email=body.owner_email,
        status=body.status,
        check_months=body.check_months,
    )


@router.get(
    "/controls", response_model=PageOut[ImplementationOut], summary="Control implementations"
)
def list_implementations(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    control_id: Annotated[str | None, Query()] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    organisation_wide: Annotated[bool, Query()] = False,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    owner: Annotated[str | None, Query(description="A member's e-mail")] = None,
    overdue: Annotated[bool, Query(description="Only those whose check is overdue")] = False,
) -> PageOut[ImplementationOut]:
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    params = listing.with_filters(
        control_id=control_id.strip().upper() if control_id else None,
        system_id=str(system_id) if system_id else None,
        scope_key="organisation" if organisation_wide else None,
        status=status_.value if status_ else None,
        owner_id=str(owner_id) if owner_id else None,
    )
    page = service.list_implementations(db, ctx, params, overdue=overdue)
    return PageOut[ImplementationOut].of(page, lambda i: present.implementation_out(db, ctx, i))


@router.post(
    "/controls",
    response_model=ImplementationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record how a control is implemented in a scope",
)
def create_implementation(body: ImplementationIn, db: Db, ctx: Ctx) -> ImplementationOut:
    impl = service.create_implementation(db, ctx, body.control_id, body.system_id, _fields(body))
    return present.implementation_out(db, ctx, impl)


@router.get(
    "/controls/overdue",
    response_model=list[ImplementationOut],
    summary="Implementations whose check is overdue",
)
def overdue(db: Db, ctx: Ctx) -> list[ImplementationOut]:
    return [
        present.implementation_out(db, ctx, i) for i in service.attention(db, ctx).overdue_checks
    ]


@router.get(
    "/systems/{system_id}/controls",
    response_model=list[ImplementationOut],
    summary="The controls serving an AI system (its own and organisation-wide)",
)
def controls_for_system(system_id: uuid.UUID, db: Db, ctx: Ctx) -> list[ImplementationOut]:
    return [
        present.implementation_out(db, ctx, i)
        for i in service.controls_for_system(db, ctx, system_id)
    ]


@router.get("/controls/{impl_id}", response_model=ImplementationOut)
def get_implementation(impl_id: uuid.UUID, db: Db, ctx: Ctx) -> ImplementationOut:
    return present.implementation_out(db, ctx, service.get_implementation(db, ctx, impl_id))


@router.patch("/controls/{impl_id}", response_model=ImplementationOut)
def patch_implementation(
    impl_id: uuid.UUID, body: ImplementationPatch, db: Db, ctx: Ctx
) -> ImplementationOut:
    impl = service.get_implementation(db, ctx, impl_id)
    service.update_implementation(db, ctx, impl, _fields(body), version=body.version)
    return present.implementation_out(db, ctx, impl)


@router.delete("/controls/{impl_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_implementation(
    impl_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_implementation(
        db, ctx, service.get_implementation(db, ctx, impl_id), version=version
    )


@router.post("/controls/{impl_id}/restore", response_model=ImplementationOut)
def restore_implementation(impl_id: uuid.UUID, db: Db, ctx: Ctx) -> ImplementationOut:
    return present.implementation_out(db, ctx, service.restore_implementation(db, ctx, impl_id))


@router.post(
    "/controls/{impl_id}/checks",
    response_model=ImplementationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a check and its result",
)
def record_check(impl_id: uuid.UUID, body: CheckIn, db: Db, ctx: Ctx) -> ImplementationOut:
    impl = service.get_implementation(db, ctx, impl_id)
    service.record_check(
        db,
        ctx,
        impl,
        checked_on=body.checked_on,
        result=body.result,
        note=body.note,
        version=body.version,
    )
    return present.implementation_out(db, ctx, impl)


@router.get("/controls/{impl_id}/checks", response_model=list[CheckOut])
def list_checks(impl_id: uuid.UUID, db: Db, ctx: Ctx) -> list[CheckOut]:
    impl = service.get_implementation(db, ctx, impl_id)
    return [
        CheckOut(
            id=c.id, checked_on=c.checked_on, result=c.result, note=c.note, recorded_at=c.created_at
        )
        for c in service.checks_of(db, ctx, impl)
    ]
