"""API routes for AIMS roles and their holders, competences, evidence, the competence matrix
and the RACI matrix (5.3, 7.2, A.3.2, A.4.6)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.competence import present, rules, service
from aims.competence.present import cell_out, competence_out, evidence_out, role_out
from aims.competence.processes import get_processes
from aims.competence.schemas import (
    AssignmentIn,
    AssignmentPatch,
    CheckIn,
    CompetenceIn,
    CompetenceOut,
    CompetencePatch,
    EvidenceIn,
    EvidenceOut,
    EvidencePatch,
    GapsOut,
    HolderOut,
    MatrixOut,
    ProcessOut,
    RaciCellIn,
    RaciOut,
    RaciRowOut,
    RequirementIn,
    RequirementOut,
    RoleIn,
    RoleOut,
    RolePatch,
)
from aims.exports.http import attachment

router = APIRouter(prefix="/api/v1/competence", tags=["competence"], responses=PROBLEM_RESPONSES)

Window = Annotated[int, Query(ge=0, le=3650, description="Days ahead that count as expiring")]


# --- Roles -------------------------------------------------------------------------------------


@router.get("/roles", response_model=PageOut[RoleOut], summary="AIMS roles (5.3)")
def list_roles(db: Db, ctx: Ctx, listing: Listing) -> PageOut[RoleOut]:
    page = service.list_roles(db, ctx, listing)
    return PageOut[RoleOut].of(page, lambda r: role_out(db, ctx, r))


@router.post("/roles", response_model=RoleOut, status_code=status.HTTP_201_CREATED)
def create_role(body: RoleIn, db: Db, ctx: Ctx) -> RoleOut:
    return role_out(db, ctx, service.create_role(db, ctx, body))


@router.get("/roles/{role_id}", response_model=RoleOut)
def get_role(role_id: uuid.UUID, db: Db, ctx: Ctx) -> RoleOut:
    return role_out(db, ctx, service.get_role(db, ctx, role_id))


@router.patch("/roles/{role_id}", response_model=RoleOut)
def patch_role(role_id: uuid.UUID, body: RolePatch, db: Db, ctx: Ctx) -> RoleOut:
    role = service.get_role(db, ctx, role_id)
    return role_out(db, ctx, service.update_role(db, ctx, role, body, version=body.version))


@router.delete("/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_role(role_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]) -> None:
    service.delete_role(db, ctx, service.get_role(db, ctx, role_id), version=version)


@router.post("/roles/{role_id}/restore", response_model=RoleOut, summary="Undo a delete")
def restore_role(role_id: uuid.UUID, db: Db, ctx: Ctx) -> RoleOut:
    return role_out(db, ctx, service.restore_role(db, ctx, role_id))


@router.post(
    "/roles/{role_id}/holders",
    response_model=HolderOut,
    status_code=status.HTTP_201_CREATED,
    summary="Assign a member of the organisation to the role",
)
def assign(role_id: uuid.UUID, body: AssignmentIn, db: Db, ctx: Ctx) -> HolderOut:
    role = service.get_role(db, ctx, role_id)
    found = service.assign(db, ctx, role, body)
    return next(h for h in role_out(db, ctx, role).holders if h.id == found.id)


@router.patch("/assignments/{assignment_id}", response_model=HolderOut)
def patch_assignment(
    assignment_id: uuid.UUID, body: AssignmentPatch, db: Db, ctx: Ctx
) -> HolderOut:
    found = service.update_assignment(db, ctx, service.get_assignment(db, ctx, assignment_id), body)
    role = service.get_role(db, ctx, found.role_id)
    return next(h for h in role_out(db, ctx, role).holders if h.id == found.id)


@router.delete("/assignments/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_assignment(
    assignment_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    found = service.get_assignment(db, ctx, assignment_id)
    service.remove_assignment(db, ctx, found, version=version)


@router.post(
    "/roles/{role_id}/requirements",
    response_model=RequirementOut,
    status_code=status.HTTP_201_CREATED,
    summary="Require a competence of the role",
)
def add_requirement(role_id: uuid.UUID, body: RequirementIn, db: Db, ctx: Ctx) -> RequirementOut:
    role = service.get_role(db, ctx, role_id)
    r = service.add_requirement(db, ctx, role, body)
    return RequirementOut(id=r.id, competence_id=r.competence_id, competence=r.competence.name,
                          level=r.level, version=r.version)  # fmt: skip


@router.delete("/requirements/{requirement_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_requirement(
    requirement_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    found = service.get_requirement(db, ctx, requirement_id)
    service.remove_requirement(db, ctx, found, version=version)


# --- Competences -------------------------------------------------------------------------------


@router.get("/competences", response_model=PageOut[CompetenceOut], summary="The catalogue")
def list_competences(
    db: Db, ctx: Ctx, listing: Listing, kind: Annotated[rules.CompetenceKind | None, Query()] = None
) -> PageOut[CompetenceOut]:
    params = listing.with_filters(kind=kind.value if kind else None)
    return PageOut[CompetenceOut].of(service.list_competences(db, ctx, params), competence_out)


@router.post("/competences", response_model=CompetenceOut, status_code=status.HTTP_201_CREATED)
def create_competence(body: CompetenceIn, db: Db, ctx: Ctx) -> CompetenceOut:
    return competence_out(service.create_competence(db, ctx, body))


@router.get("/competences/{competence_id}", response_model=CompetenceOut)
def get_competence(competence_id: uuid.UUID, db: Db, ctx: Ctx) -> CompetenceOut:
    return competence_out(service.get_competence(db, ctx, competence_id))


@router.patch("/competences/{competence_id}", response_model=CompetenceOut)
def patch_competence(
    competence_id: uuid.UUID, body: CompetencePatch, db: Db, ctx: Ctx
) -> CompetenceOut:
    found = service.get_competence(db, ctx, competence_id)
    return competence_out(service.update_competence(db, ctx, found, body, version=body.version))


@router.delete("/competences/{competence_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_competence(
    competence_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    found = service.get_competence(db, ctx, competence_id)
    service.delete_competence(db, ctx, found, version=version)


# --- Evidence ----------------------------------------------------------------------------------


@router.get("/evidence", response_model=PageOut[EvidenceOut], summary="Evidence of competence")
def list_evidence(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    user_id: Annotated[uuid.UUID | None, Query()] = None,
    competence_id: Annotated[uuid.UUID | None, Query()] = None,
    kind: Annotated[rules.EvidenceKind | None, Query()] = None,
    check_result: Annotated[rules.CheckResult | None, Query()] = None,
) -> PageOut[EvidenceOut]:
    params = listing.with_filters(
        user_id=str(user_id) if user_id else None,
        competence_id=str(competence_id) if competence_id else None,
        kind=kind.value if kind else None,
        check_result=check_result.value if check_result else None,
    )
    return PageOut[EvidenceOut].of(service.list_evidence(db, ctx, params), evidence_out)


@router.post(
    "/people/{user_id}/evidence",
    response_model=EvidenceOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record evidence of a person's competence (expiry defaults from the competence)",
)
def add_evidence(user_id: uuid.UUID, body: EvidenceIn, db: Db, ctx: Ctx) -> EvidenceOut:
    return evidence_out(service.add_evidence(db, ctx, user_id, body))


@router.get("/people/{user_id}/evidence", response_model=list[EvidenceOut])
def person_evidence(user_id: uuid.UUID, db: Db, ctx: Ctx) -> list[EvidenceOut]:
    member = service.person(db, ctx, user_id)
    return [evidence_out(e) for e in service.evidence_of(db, ctx, member.user_id)]


@router.get("/evidence/{evidence_id}", response_model=EvidenceOut)
def get_evidence(evidence_id: uuid.UUID, db: Db, ctx: Ctx) -> EvidenceOut:
    return evidence_out(service.get_evidence(db, ctx, evidence_id))


@router.patch("/evidence/{evidence_id}", response_model=EvidenceOut)
def patch_evidence(evidence_id: uuid.UUID, body: EvidencePatch, db: Db, ctx: Ctx) -> EvidenceOut:
    ev = service.get_evidence(db, ctx, evidence_id)
    return evidence_out(service.update_evidence(db, ctx, ev, body, version=body.version))


@router.delete("/evidence/{evidence_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_evidence(
    evidence_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_evidence(db, ctx, service.get_evidence(db, ctx, evidence_id), version=version)


@router.put(
    "/evidence/{evidence_id}/check",
    response_model=EvidenceOut,
    summary="Record whether the action was effective (7.2 d); not for your own evidence",
)
def check_evidence(evidence_id: uuid.UUID, body: CheckIn, db: Db, ctx: Ctx) -> EvidenceOut:
    ev = service.get_evidence(db, ctx, evidence_id)
    return evidence_out(service.check_evidence(db, ctx, ev, body))


# --- The competence matrix ---------------------------------------------------------------------


@router.get(
    "/matrix", response_model=MatrixOut, summary="Roles by required competence by person, derived"
)
def get_matrix(
    db: Db,
    ctx: Ctx,
    role_id: Annotated[uuid.UUID | None, Query()] = None,
    user_id: Annotated[uuid.UUID | None, Query()] = None,
    status_: Annotated[rules.CellStatus | None, Query(alias="status")] = None,
    window_days: Window = rules.DEFAULT_WINDOW_DAYS,
) -> MatrixOut:
    cells = service.matrix(db, ctx, window_days=window_days)
    shown = service.filter_cells(
        cells, role_id=str(role_id) if role_id else None,
        user_id=str(user_id) if user_id else None, status=status_.value if status_ else None,
    )  # fmt: skip
    return MatrixOut(cells=[cell_out(c) for c in shown], counts=rules.summary(cells),
                     window_days=window_days)  # fmt: skip


@router.get("/gaps", response_model=GapsOut, summary="Competence gaps and evidence expiring soon")
def get_gaps(db: Db, ctx: Ctx, window_days: Window = rules.DEFAULT_WINDOW_DAYS) -> GapsOut:
    found = service.attention(db, ctx, window_days=window_days)
    return GapsOut(
        gaps=[cell_out(c) for c in found.gaps],
        expiring=[cell_out(c) for c in found.expiring],
        window_days=window_days,
    )


# --- The RACI matrix ---------------------------------------------------------------------------


@router.get("/processes", response_model=list[ProcessOut], summary="The AIMS processes (RACI rows)")
def processes() -> list[ProcessOut]:
    return [ProcessOut(id=p.id, title=p.title, summary=p.summary, clauses=list(p.clauses))
            for p in get_processes()]  # fmt: skip


@router.get("/raci", response_model=RaciOut, summary="Roles against processes and Annex A")
def get_raci(db: Db, ctx: Ctx) -> RaciOut:
    return present.raci_out(service.raci(db, ctx))


@router.get(
    "/raci/export",
    summary="The RACI matrix as XLSX",
    response_class=Response,
    responses={200: {"content": {present.XLSX: {}}}},
)
def export_raci(db: Db, ctx: Ctx) -> Response:
    return attachment(*present.raci_file(db, ctx))


@router.put(
    "/raci/{row_id}/{role_id}",
    response_model=RaciRowOut,
    summary="Set one cell: R, A, C, I or null (a row keeps one A)",
)
def put_raci_cell(
    row_id: str, role_id: uuid.UUID, body: RaciCellIn, db: Db, ctx: Ctx
) -> RaciRowOut:
    row = service.set_raci_cell(db, ctx, row_id, role_id, body.letter, version=body.version)
    return present.raci_row_out(row)
