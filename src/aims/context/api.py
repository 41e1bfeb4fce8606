"""API routes of the context register (4.1, 4.2), the legal register and the scope (4.3)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.context import present, service
from aims.context.schemas import (
    AttentionOut,
    ClimateIn,
    ClimateOut,
    IssueIn,
    IssueOut,
    IssuePatch,
    LegalIn,
    LegalOut,
    LegalPatch,
    PartyIn,
    PartyOut,
    PartyPatch,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
    ReviewIn,
    ScopeChangeOut,
    ScopeCompareOut,
    ScopeFields,
    ScopeOut,
    ScopePatch,
    TermOut,
    VersionIn,
    VocabularyOut,
)
from aims.context.vocab import Direction, RequirementKind, RequirementStatus, get_vocabulary
from aims.errors import NotFound
from aims.exports.http import attachment

router = APIRouter(prefix="/api/v1", tags=["context"], responses=PROBLEM_RESPONSES)
Version = Annotated[int, Query(description="The version you read")]


@router.get("/context/vocabulary", response_model=VocabularyOut,
            summary="Issue categories, kinds of interested party and requirement")  # fmt: skip
def vocabulary(ctx: Ctx) -> VocabularyOut:
    v = get_vocabulary()
    return VocabularyOut(
        issue_categories=[TermOut(**t.model_dump()) for t in v.issue_categories],
        party_kinds=[TermOut(**t.model_dump()) for t in v.party_kinds],
        requirement_kinds=[k.value for k in RequirementKind],
        requirement_statuses=[s.value for s in RequirementStatus],
    )


@router.get("/context/attention", response_model=AttentionOut,
            summary="Climate undecided, overdue issues, unmet requirements, no scope")  # fmt: skip
def attention(db: Db, ctx: Ctx) -> AttentionOut:
    return present.attention_out(service.attention(db, ctx))


# --- Issues (4.1) ------------------------------------------------------------------------------


@router.get("/context/issues", response_model=PageOut[IssueOut], summary="Issues (4.1)")
def list_issues(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    direction: Annotated[Direction | None, Query()] = None,
    category: Annotated[str | None, Query()] = None,
    climate_related: Annotated[bool | None, Query()] = None,
) -> PageOut[IssueOut]:
    params = listing.with_filters(
        direction=direction.value if direction else None, category=category,
        climate_related=None if climate_related is None else str(climate_related).lower(),
    )  # fmt: skip
    return PageOut[IssueOut].of(service.list_issues(db, ctx, params), present.issue_out)


@router.post("/context/issues", response_model=IssueOut, status_code=status.HTTP_201_CREATED)
def create_issue(body: IssueIn, db: Db, ctx: Ctx) -> IssueOut:
    return present.issue_out(service.create_issue(db, ctx, body))


@router.get("/context/issues/{issue_id}", response_model=IssueOut)
def get_issue(issue_id: uuid.UUID, db: Db, ctx: Ctx) -> IssueOut:
    return present.issue_out(service.get_issue(db, ctx, issue_id))


@router.patch("/context/issues/{issue_id}", response_model=IssueOut)
def patch_issue(issue_id: uuid.UUID, body: IssuePatch, db: Db, ctx: Ctx) -> IssueOut:
    issue = service.get_issue(db, ctx, issue_id)
    return present.issue_out(service.update_issue(db, ctx, issue, body, version=body.version))


@router.delete("/context/issues/{issue_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_issue(issue_id: uuid.UUID, db: Db, ctx: Ctx, version: Version) -> None:
    service.delete_issue(db, ctx, service.get_issue(db, ctx, issue_id), version=version)


@router.post("/context/issues/{issue_id}/restore", response_model=IssueOut)
def restore_issue(issue_id: uuid.UUID, db: Db, ctx: Ctx) -> IssueOut:
    return present.issue_out(service.restore_issue(db, ctx, issue_id))


# --- Climate change (4.1, Amd 1:2024) ----------------------------------------------------------


@router.get("/context/climate", response_model=ClimateOut,
            summary="Whether climate change is a relevant issue")  # fmt: skip
def get_climate(db: Db, ctx: Ctx) -> ClimateOut:
    return present.climate_out(service.get_climate(db, ctx))


@router.put("/context/climate", response_model=ClimateOut,
            summary="Record the climate-change determination (owners and managers)")  # fmt: skip
def put_climate(body: ClimateIn, db: Db, ctx: Ctx) -> ClimateOut:
    row = service.save_climate(
        db, ctx, relevant=body.relevant, reasoning=body.reasoning, version=body.version
    )
    return present.climate_out(row)


# --- Interested parties (4.2) ------------------------------------------------------------------


def _party(db: Session, ctx: Context, party_id: uuid.UUID) -> PartyOut:
    party = service.get_party(db, ctx, party_id)
    return present.party_out(party, service.requirements_of(db, ctx, [party])[party.id])


@router.get("/context/parties", response_model=PageOut[PartyOut],
            summary="Interested parties with their requirements (4.2)")  # fmt: skip
def list_parties(
    db: Db, ctx: Ctx, listing: Listing, kind: Annotated[str | None, Query()] = None
) -> PageOut[PartyOut]:
    page = service.list_parties(db, ctx, listing.with_filters(kind=kind))
    found = service.requirements_of(db, ctx, page.items)
    return PageOut[PartyOut].of(page, lambda p: present.party_out(p, found[p.id]))


@router.post("/context/parties", response_model=PartyOut, status_code=status.HTTP_201_CREATED)
def create_party(body: PartyIn, db: Db, ctx: Ctx) -> PartyOut:
    return present.party_out(service.create_party(db, ctx, body), [])


@router.get("/context/parties/{party_id}", response_model=PartyOut)
def get_party(party_id: uuid.UUID, db: Db, ctx: Ctx) -> PartyOut:
    return _party(db, ctx, party_id)


@router.patch("/context/parties/{party_id}", response_model=PartyOut)
def patch_party(party_id: uuid.UUID, body: PartyPatch, db: Db, ctx: Ctx) -> PartyOut:
    service.update_party(db, ctx, service.get_party(db, ctx, party_id), body, version=body.version)
    return _party(db, ctx, party_id)


@router.delete("/context/parties/{party_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_party(party_id: uuid.UUID, db: Db, ctx: Ctx, version: Version) -> None:
    service.delete_party(db, ctx, service.get_party(db, ctx, party_id), version=version)


@router.post("/context/parties/{party_id}/restore", response_model=PartyOut)
def restore_party(party_id: uuid.UUID, db: Db, ctx: Ctx) -> PartyOut:
    service.restore_party(db, ctx, party_id)
    return _party(db, ctx, party_id)


@router.post("/context/parties/{party_id}/requirements", response_model=RequirementOut,
             status_code=status.HTTP_201_CREATED)  # fmt: skip
def add_requirement(party_id: uuid.UUID, body: RequirementIn, db: Db, ctx: Ctx) -> RequirementOut:
    party = service.get_party(db, ctx, party_id)
    return present.requirement_out(service.add_requirement(db, ctx, party, body))


@router.get("/context/party-requirements/unaddressed", response_model=list[RequirementOut],
            summary="Requirements the AIMS meets only partly or not at all")  # fmt: skip
def unaddressed(db: Db, ctx: Ctx) -> list[RequirementOut]:
    return [present.requirement_out(r) for r in service.unaddressed_requirements(db, ctx)]


@router.patch("/context/party-requirements/{requirement_id}", response_model=RequirementOut)
def patch_requirement(
    requirement_id: uuid.UUID, body: RequirementPatch, db: Db, ctx: Ctx
) -> RequirementOut:
    found = service.get_requirement(db, ctx, requirement_id)
    updated = service.update_requirement(db, ctx, found, body, version=body.version)
    return present.requirement_out(updated)


@router.delete("/context/party-requirements/{requirement_id}",
               status_code=status.HTTP_204_NO_CONTENT)  # fmt: skip
def delete_requirement(requirement_id: uuid.UUID, db: Db, ctx: Ctx, version: Version) -> None:
    found = service.get_requirement(db, ctx, requirement_id)
    service.delete_requirement(db, ctx, found, version=version)


# --- Legal, regulatory and contractual requirements --------------------------------------------


def _legal(db: Session, ctx: Context, legal_id: uuid.UUID) -> LegalOut:
    row = service.get_legal(db, ctx, legal_id)
    return present.legal_out(row, service.systems_of(db, ctx, [row])[row.id])


@router.get("/context/requirements", response_model=PageOut[LegalOut],
            summary="The legal, regulatory and contractual requirements register")  # fmt: skip
def list_legal(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[RequirementKind | None, Query()] = None,
    status_: Annotated[RequirementStatus | None, Query(alias="status")] = None,
    system_id: Annotated[uuid.UUID | None, Query(description="Only those touching it")] = None,
) -> PageOut[LegalOut]:
    params = listing.with_filters(kind=kind.value if kind else None,
                                  status=status_.value if status_ else None)  # fmt: skip
    page = service.list_legal(db, ctx, params, system_id=system_id)
    systems = service.systems_of(db, ctx, page.items)
    return PageOut[LegalOut].of(page, lambda r: present.legal_out(r, systems[r.id]))


@router.post("/context/requirements", response_model=LegalOut,
             status_code=status.HTTP_201_CREATED)  # fmt: skip
def create_legal(body: LegalIn, db: Db, ctx: Ctx) -> LegalOut:
    return _legal(db, ctx, service.create_legal(db, ctx, body).id)


@router.get(
    "/context/requirements/export",
    summary="The register as XLSX (same filters as the list)",
    response_class=Response,
    responses={200: {"content": {present.XLSX: {}}}},
)
def export_legal(
    db: Db,
    ctx: Ctx,
    kind: Annotated[RequirementKind | None, Query()] = None,
    system_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Response:
    return attachment(*present.legal_file(db, ctx, kind=kind.value if kind else None,
                                          system_id=system_id))  # fmt: skip


@router.get("/context/requirements/{legal_id}", response_model=LegalOut)
def get_legal(legal_id: uuid.UUID, db: Db, ctx: Ctx) -> LegalOut:
    return _legal(db, ctx, legal_id)


@router.patch("/context/requirements/{legal_id}", response_model=LegalOut)
def patch_legal(legal_id: uuid.UUID, body: LegalPatch, db: Db, ctx: Ctx) -> LegalOut:
    service.update_legal(db, ctx, service.get_legal(db, ctx, legal_id), body, version=body.version)
    return _legal(db, ctx, legal_id)


@router.delete("/context/requirements/{legal_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_legal(legal_id: uuid.UUID, db: Db, ctx: Ctx, version: Version) -> None:
    service.delete_legal(db, ctx, service.get_legal(db, ctx, legal_id), version=version)


@router.post("/context/requirements/{legal_id}/restore", response_model=LegalOut)
def restore_legal(legal_id: uuid.UUID, db: Db, ctx: Ctx) -> LegalOut:
    service.restore_legal(db, ctx, legal_id)
    return _legal(db, ctx, legal_id)


@router.get("/context/systems/{system_id}/requirements", response_model=list[LegalOut],
            summary="The legal requirements that touch one AI system")  # fmt: skip
def system_requirements(system_id: uuid.UUID, db: Db, ctx: Ctx) -> list[LegalOut]:
    rows = service.requirements_for_system(db, ctx, system_id)
    systems = service.systems_of(db, ctx, rows)
    return [present.legal_out(r, systems[r.id]) for r in rows]


# --- Scope (4.3) -------------------------------------------------------------------------------


@router.get("/scope", response_model=ScopeOut, summary="The newest version of the AIMS scope")
def current_scope(db: Db, ctx: Ctx) -> ScopeOut:
    record = service.current_scope(db, ctx)
    if record is None:
        raise NotFound("no scope statement yet; POST /api/v1/scope starts one")
    return present.scope_out(db, ctx, record)


@router.post("/scope", response_model=ScopeOut, status_code=status.HTTP_201_CREATED,
             summary="Start the scope statement as a draft")  # fmt: skip
def create_scope(body: ScopeFields, db: Db, ctx: Ctx) -> ScopeOut:
    return present.scope_out(db, ctx, service.create_scope(db, ctx, body))


@router.get("/scope/versions", response_model=list[ScopeOut], summary="Every version, oldest first")
def scope_versions(db: Db, ctx: Ctx) -> list[ScopeOut]:
    record = service.current_scope(db, ctx)
    if record is None:
        return []
    return [present.scope_out(db, ctx, v) for v in service.scope_versions(db, ctx, record)]


@router.get("/scope/{scope_id}", response_model=ScopeOut)
def get_scope(scope_id: uuid.UUID, db: Db, ctx: Ctx) -> ScopeOut:
    return present.scope_out(db, ctx, service.get_scope(db, ctx, scope_id))


@router.patch("/scope/{scope_id}", response_model=ScopeOut, summary="Edit a draft")
def patch_scope(scope_id: uuid.UUID, body: ScopePatch, db: Db, ctx: Ctx) -> ScopeOut:
    record = service.get_scope(db, ctx, scope_id)
    return present.scope_out(db, ctx, service.update_scope(db, ctx, record, body,
                                                           version=body.version))  # fmt: skip


@router.delete("/scope/{scope_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Discard a draft")  # fmt: skip
def delete_scope(scope_id: uuid.UUID, db: Db, ctx: Ctx, version: Version) -> None:
    service.delete_scope(db, ctx, service.get_scope(db, ctx, scope_id), version=version)


@router.post("/scope/{scope_id}/submit", response_model=ScopeOut, summary="Send for review")
def submit_scope(scope_id: uuid.UUID, body: VersionIn, db: Db, ctx: Ctx) -> ScopeOut:
    record = service.get_scope(db, ctx, scope_id)
    service.submit_scope(db, ctx, record, version=body.version)
    return present.scope_out(db, ctx, record)


@router.post("/scope/{scope_id}/return", response_model=ScopeOut,
             summary="Send back to the author with a note")  # fmt: skip
def return_scope(scope_id: uuid.UUID, body: ReviewIn, db: Db, ctx: Ctx) -> ScopeOut:
    record = service.get_scope(db, ctx, scope_id)
    service.return_scope(db, ctx, record, version=body.version, note=body.note)
    return present.scope_out(db, ctx, record)


@router.post("/scope/{scope_id}/approve", response_model=ScopeOut,
             summary="Approve; the in-scope systems are kept with it")  # fmt: skip
def approve_scope(scope_id: uuid.UUID, body: ReviewIn, db: Db, ctx: Ctx) -> ScopeOut:
    record = service.get_scope(db, ctx, scope_id)
    service.approve_scope(db, ctx, record, version=body.version, note=body.note)
    return present.scope_out(db, ctx, record)


@router.post("/scope/{scope_id}/new-version", response_model=ScopeOut,
             status_code=status.HTTP_201_CREATED,
             summary="A new draft from an approved version")  # fmt: skip
def new_scope_version(scope_id: uuid.UUID, db: Db, ctx: Ctx) -> ScopeOut:
    record = service.get_scope(db, ctx, scope_id)
    return present.scope_out(db, ctx, service.new_scope_version(db, ctx, record))


@router.get("/scope/{scope_id}/compare", response_model=ScopeCompareOut,
            summary="What changed between two versions")  # fmt: skip
def compare_scope(
    scope_id: uuid.UUID, db: Db, ctx: Ctx, with_: Annotated[uuid.UUID, Query(alias="with")]
) -> ScopeCompareOut:
    result = service.compare_scope(db, ctx, scope_id, with_)
    return ScopeCompareOut(
        before_revision=result.before.revision, after_revision=result.after.revision,
        changes=[ScopeChangeOut(part=c.part, change=c.change.change, name=c.change.name,
                                before=c.change.before, after=c.change.after)
                 for c in result.changes],
    )  # fmt: skip
