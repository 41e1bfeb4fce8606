"""API routes for risk criteria, the risk register, treatment and the SoA."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from aims.access import service as access
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.exports.http import attachment
from aims.risk import present, service
from aims.risk.models import RiskReview, SoaVersion
from aims.risk.schemas import (
    AcceptIn,
    ActionIn,
    ActionOut,
    ActionPatch,
    ControlIn,
    CriteriaIn,
    CriteriaOut,
    CriteriaResult,
    DecisionIn,
    FromReferralIn,
    NeedOut,
    Origin,
    OwnControlIn,
    OwnControlOut,
    RescoreOut,
    ReviewIn,
    RiskIn,
    RiskOut,
    RiskPatch,
    RiskStatus,
    SnapshotIn,
    SoaApproveIn,
    SoaOut,
    SoaRowOut,
    SoaVersionOut,
)

router = APIRouter(prefix="/api/v1", tags=["risk"], responses=PROBLEM_RESPONSES)


@router.get("/risk/criteria", response_model=CriteriaOut, summary="The risk criteria (6.1.2)")
def get_criteria(db: Db, ctx: Ctx) -> CriteriaOut:
    number, criteria, note = service.current_criteria(db, ctx)
    return CriteriaOut(number=number, criteria=criteria, note=note)


@router.put(
    "/risk/criteria",
    response_model=CriteriaResult,
    summary="Save new criteria; when risks would change level, preview unless confirm=true",
)
def put_criteria(body: CriteriaIn, db: Db, ctx: Ctx) -> CriteriaResult:
    result = service.save_criteria(
        db, ctx, body.criteria, based_on=body.based_on, confirm=body.confirm, note=body.note
    )
    return CriteriaResult(
        applied=result.applied,
        number=result.number,
        changes=[
            RescoreOut(
                risk_id=c.risk_id,
                ref=r.ref,
                which=c.which,
                before=c.before,
                after=c.after,
                reason=c.reason,
            )
            for r, c in result.changes
        ],
    )


@router.get("/risks", response_model=PageOut[RiskOut], summary="The risk register")
def list_risks(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    inherent_level: Annotated[str | None, Query()] = None,
    residual_level: Annotated[str | None, Query()] = None,
    status_: Annotated[RiskStatus | None, Query(alias="status")] = None,
    origin: Annotated[Origin | None, Query()] = None,
) -> PageOut[RiskOut]:
    params = listing.with_filters(
        system_id=str(system_id) if system_id else None, inherent_level=inherent_level,
        residual_level=residual_level, status=status_.value if status_ else None,
        origin=origin.value if origin else None,
    )  # fmt: skip
    page = service.list_risks(db, ctx, params)
    _n, criteria, _note = service.current_criteria(db, ctx)
    return PageOut[RiskOut].of(page, lambda r: present.risk_out(db, ctx, r, criteria))


@router.post("/risks", response_model=RiskOut, status_code=status.HTTP_201_CREATED)
def create_risk(body: RiskIn, db: Db, ctx: Ctx) -> RiskOut:
    return present.risk_out(db, ctx, service.create_risk(db, ctx, body))


@router.get(
    "/risks/export",
    summary="The register as XLSX or CSV (same filters as the list)",
    response_class=Response,
    responses={200: {"content": {present.XLSX: {}, "text/csv": {}}}},
)
def export_register(
    db: Db,
    ctx: Ctx,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    system_id: Annotated[uuid.UUID | None, Query()] = None,
    residual_level: Annotated[str | None, Query()] = None,
    status_: Annotated[RiskStatus | None, Query(alias="status")] = None,
    owner: Annotated[str | None, Query(description="Owner's e-mail")] = None,
    q: Annotated[str | None, Query(description="Text to find")] = None,
) -> Response:
    owner_id = access.member_id(db, ctx, owner, field="owner") if owner else None
    return attachment(*present.register_file(
        db, ctx, format, system_id=system_id, residual_level=residual_level, q=q,
        status=status_.value if status_ else None, owner_id=owner_id,
    ))  # fmt: skip


@router.post(
    "/risks/from-referral/{referral_id}",
    response_model=RiskOut,
    status_code=status.HTTP_201_CREATED,
    summary="Take up a harm sent from an impact assessment",
)
def from_referral(referral_id: uuid.UUID, body: FromReferralIn, db: Db, ctx: Ctx) -> RiskOut:
    return present.risk_out(db, ctx, service.risk_from_referral(db, ctx, referral_id, body))


@router.get("/risks/{risk_id}", response_model=RiskOut)
def get_risk(risk_id: uuid.UUID, db: Db, ctx: Ctx) -> RiskOut:
    return present.risk_out(db, ctx, service.get_risk(db, ctx, risk_id))


@router.patch("/risks/{risk_id}", response_model=RiskOut)
def patch_risk(risk_id: uuid.UUID, body: RiskPatch, db: Db, ctx: Ctx) -> RiskOut:
    risk = service.get_risk(db, ctx, risk_id)
    return present.risk_out(db, ctx, service.update_risk(db, ctx, risk, body, version=body.version))


@router.delete("/risks/{risk_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_risk(risk_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_risk(db, ctx, service.get_risk(db, ctx, risk_id), version=version)


@router.post(
    "/risks/{risk_id}/controls",
    response_model=RiskOut,
    status_code=status.HTTP_201_CREATED,
    summary="Select an Annex A control in the risk's treatment",
)
def select_control(risk_id: uuid.UUID, body: ControlIn, db: Db, ctx: Ctx) -> RiskOut:
    risk = service.get_risk(db, ctx, risk_id)
    service.select_control(db, ctx, risk, body.control_id, body.note)
    return present.risk_out(db, ctx, risk)


@router.delete("/risks/{risk_id}/controls/{control_id}", response_model=RiskOut)
def deselect_control(risk_id: uuid.UUID, control_id: str, db: Db, ctx: Ctx) -> RiskOut:
    risk = service.get_risk(db, ctx, risk_id)
    service.deselect_control(db, ctx, risk, control_id)
    return present.risk_out(db, ctx, risk)


@router.post(
    "/risks/{risk_id}/actions", response_model=ActionOut, status_code=status.HTTP_201_CREATED
)
def add_action(risk_id: uuid.UUID, body: ActionIn, db: Db, ctx: Ctx) -> ActionOut:
    return present.action_out(service.add_action(db, ctx, service.get_risk(db, ctx, risk_id), body))


@router.patch("/risks/{risk_id}/actions/{action_id}", response_model=ActionOut)
def patch_action(
    risk_id: uuid.UUID, action_id: uuid.UUID, body: ActionPatch, db: Db, ctx: Ctx
) -> ActionOut:
    risk = service.get_risk(db, ctx, risk_id)
    return present.action_out(service.update_action(db, ctx, risk, action_id, body))


@router.post(
    "/risks/{risk_id}/accept",
    response_model=RiskOut,
    summary="The risk owner accepts the residual risk (reason and expiry required)",
)
def accept(risk_id: uuid.UUID, body: AcceptIn, db: Db, ctx: Ctx) -> RiskOut:
    risk = service.get_risk(db, ctx, risk_id)
    service.accept_risk(
        db, ctx, risk, reason=body.reason, expires=body.expires, version=body.version
    )
    return present.risk_out(db, ctx, risk)


@router.post("/risks/{risk_id}/reviews", response_model=RiskOut, summary="Record a review")
def review(risk_id: uuid.UUID, body: ReviewIn, db: Db, ctx: Ctx) -> RiskOut:
    risk = service.get_risk(db, ctx, risk_id)
    residual = (
        (body.residual_likelihood, body.residual_consequence)
        if body.residual_likelihood is not None and body.residual_consequence is not None
        else None
    )
    service.review_risk(db, ctx, risk, note=body.note, version=body.version,
                        next_review=body.next_review, residual=residual)  # fmt: skip
    return present.risk_out(db, ctx, risk)


@router.get("/risks/{risk_id}/reviews", summary="The risk's reviews, newest first")
def reviews(risk_id: uuid.UUID, db: Db, ctx: Ctx) -> list[dict[str, Any]]:
    risk = service.get_risk(db, ctx, risk_id)
    return [_review_out(r) for r in service.reviews_of(db, ctx, risk)]


def _review_out(review: RiskReview) -> dict[str, Any]:
    return {"id": str(review.id), "at": review.created_at.isoformat(), "note": review.note,
            "changes": review.changes}  # fmt: skip


@router.get("/risk/attention", summary="Expired acceptances, overdue treatments and reviews")
def attention(db: Db, ctx: Ctx) -> dict[str, Any]:
    found = service.attention(db, ctx)
    return {
        "expired_acceptances": [present.risk_out(db, ctx, r) for r in found.expired_acceptances],
        "overdue_actions": [present.action_out(a) for a in found.overdue_actions],
        "overdue_reviews": [present.risk_out(db, ctx, r) for r in found.overdue_reviews],
    }


def soa_row_out(entry: service.SoaEntry) -> SoaRowOut:
    row = entry.row
    return SoaRowOut(
        control_id=row.control_id, title=row.title, own=row.own, applicable=row.applicable,
        needs=[NeedOut(kind=n.kind, ref=n.ref, label=n.label) for n in row.needs],
        inclusion_justification=row.inclusion_justification,
        exclusion_justification=row.exclusion_justification, status=row.status,
        owner=row.owner, problems=row.problems, version=entry.version,
        evidence=entry.evidence,
    )  # fmt: skip


@router.get("/soa/own-controls", response_model=list[OwnControlOut], summary="Your own controls")
def own_controls(db: Db, ctx: Ctx) -> list[OwnControlOut]:
    return [OwnControlOut.model_validate(c, from_attributes=True)
            for c in service.own_controls(db, ctx)]  # fmt: skip


@router.post(
    "/soa/own-controls",
    response_model=OwnControlOut,
    status_code=status.HTTP_201_CREATED,
    summary="Add a control of your own beside Annex A",
)
def add_own_control(body: OwnControlIn, db: Db, ctx: Ctx) -> OwnControlOut:
    control = service.create_own_control(
        db, ctx, code=body.code, title=body.title, description=body.description
    )
    return OwnControlOut.model_validate(control, from_attributes=True)


@router.get("/soa", response_model=SoaOut, summary="The Statement of Applicability, derived")
def get_soa(db: Db, ctx: Ctx) -> SoaOut:
    rows = [soa_row_out(e) for e in service.soa(db, ctx)]
    return SoaOut(rows=rows, problems=sum(1 for r in rows if r.problems))


@router.put(
    "/soa/{control_id}",
    response_model=SoaRowOut,
    summary="Decide a control: include, or exclude with a reason (an override when needed)",
)
def decide(control_id: str, body: DecisionIn, db: Db, ctx: Ctx) -> SoaRowOut:
    return soa_row_out(service.decide(db, ctx, control_id, body))


def version_out(v: SoaVersion) -> SoaVersionOut:
    return SoaVersionOut(
        id=v.id, revision=v.revision, status=v.status, note=v.note, problems=v.problems,
        approved_by=v.approver.email if v.approver else None, approved_at=v.approved_at,
        version=v.version, rows=[SoaRowOut.model_validate(
            {**r, "needs": [NeedOut(kind="risk", ref="", label=n) for n in r["needs"]],
             "version": 0}) for r in v.rows],
    )  # fmt: skip


@router.get("/soa/versions", response_model=list[SoaVersionOut], summary="SoA versions")
def soa_versions(db: Db, ctx: Ctx) -> list[SoaVersionOut]:
    return [version_out(v) for v in service.soa_versions(db, ctx)]


@router.post(
    "/soa/versions",
    response_model=SoaVersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Freeze the SoA as it stands into a draft version",
)
def snapshot(body: SnapshotIn, db: Db, ctx: Ctx) -> SoaVersionOut:
    return version_out(service.snapshot_soa(db, ctx, body.note))


@router.get("/soa/versions/{version_id}", response_model=SoaVersionOut)
def soa_version(version_id: uuid.UUID, db: Db, ctx: Ctx) -> SoaVersionOut:
    return version_out(service.get_soa_version(db, ctx, version_id))


@router.post(
    "/soa/versions/{version_id}/approve",
    response_model=SoaVersionOut,
    summary="Approve (an owner or manager who changed none of its decisions)",
)
def approve_soa(version_id: uuid.UUID, body: SoaApproveIn, db: Db, ctx: Ctx) -> SoaVersionOut:
    v = service.get_soa_version(db, ctx, version_id)
    return version_out(service.approve_soa(db, ctx, v, expected=body.version, note=body.note))


@router.get("/soa/versions/{version_id}/compare", summary="What changed between two versions")
def compare_soa(
    version_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    with_: Annotated[uuid.UUID, Query(alias="with")],
) -> dict[str, Any]:
    a, b, changes = service.compare_soa(db, ctx, str(version_id), str(with_))
    return {
        "before": {"id": str(a.id), "revision": a.revision, "status": a.status},
        "after": {"id": str(b.id), "revision": b.revision, "status": b.status},
        "changes": [{"control_id": c, "fields": {k: list(v) for k, v in f.items()}}
                    for c, f in changes],
    }  # fmt: skip


@router.get(
    "/soa/export",
    summary="The SoA (live, or one version) as XLSX or PDF",
    response_class=Response,
    responses={200: {"content": {present.XLSX: {}, "application/pdf": {}}}},
)
def export_soa(
    db: Db,
    ctx: Ctx,
    format: Annotated[Literal["xlsx", "pdf"], Query()] = "xlsx",
    version_id: Annotated[uuid.UUID | None, Query(alias="version")] = None,
) -> Response:
    return attachment(*present.soa_file(db, ctx, format, version_id))
