"""API routes for controlled documents, the AI policy and acknowledgements."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from aims.api.deps import Ctx, Db, Listing
from aims.api.schemas import PROBLEM_RESPONSES, PageOut
from aims.documents import present, service
from aims.documents.export import DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE
from aims.documents.rules import Classification, Kind
from aims.documents.schemas import (
    AcknowledgementOut,
    AiPolicyOut,
    CompareOut,
    DocumentAction,
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    DocumentSummary,
    LinkIn,
    LinkOut,
    PersonCompletionOut,
    PublicationOut,
    PublishIn,
    ReminderOut,
    ReviewIn,
    VersionAction,
    VersionEdit,
    VersionOut,
)
from aims.errors import NotFound
from aims.exports.http import attachment

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=PROBLEM_RESPONSES)

DocStatus = Literal["draft", "in_review", "approved", "retired"]


@router.get("/documents", response_model=PageOut[DocumentSummary], summary="Documents (7.5)")
def list_documents(
    db: Db,
    ctx: Ctx,
    listing: Listing,
    kind: Annotated[Kind | None, Query()] = None,
    status_: Annotated[DocStatus | None, Query(alias="status")] = None,
    classification: Annotated[Classification | None, Query()] = None,
    owner_id: Annotated[uuid.UUID | None, Query()] = None,
    review_overdue: Annotated[bool, Query(description="Only reviews past due")] = False,
) -> PageOut[DocumentSummary]:
    params = listing.with_filters(
        kind=kind.value if kind else None,
        status=status_,
        classification=classification.value if classification else None,
        owner_id=str(owner_id) if owner_id else None,
    )
    page = service.list_documents(db, ctx, params, overdue=review_overdue)
    return PageOut[DocumentSummary].of(page, present.summary)


@router.post("/documents", response_model=DocumentOut, status_code=status.HTTP_201_CREATED)
def create_document(body: DocumentIn, db: Db, ctx: Ctx) -> DocumentOut:
    return present.detail(db, ctx, service.create_document(db, ctx, body))


@router.get(
    "/documents/ai-policy", response_model=AiPolicyOut, summary="The AI policy (5.2, A.2.2-A.2.4)"
)
def ai_policy(db: Db, ctx: Ctx) -> AiPolicyOut:
    return present.ai_policy_out(db, ctx)


@router.get(
    "/documents/acknowledgements/mine",
    response_model=list[AcknowledgementOut],
    summary="What I still have to acknowledge (7.3)",
)
def my_acknowledgements(db: Db, ctx: Ctx) -> list[AcknowledgementOut]:
    return [present.acknowledgement_out(db, ctx, a) for a in service.owed_by_me(db, ctx)]


@router.get(
    "/documents/acknowledgements/outstanding",
    response_model=list[PersonCompletionOut],
    summary="Per person, what they still owe",
)
def outstanding(db: Db, ctx: Ctx) -> list[PersonCompletionOut]:
    return [
        PersonCompletionOut(
            email=user.email,
            name=user.full_name,
            owed=[present.acknowledgement_out(db, ctx, a) for a in owed],
        )
        for user, owed in service.owed_by_person(db, ctx)
    ]


@router.post(
    "/documents/acknowledgements/{ack_id}",
    response_model=AcknowledgementOut,
    summary="Acknowledge a published version you were asked to read",
)
def acknowledge(ack_id: uuid.UUID, db: Db, ctx: Ctx) -> AcknowledgementOut:
    return present.acknowledgement_out(db, ctx, service.acknowledge(db, ctx, ack_id))


@router.get("/documents/{document_id}", response_model=DocumentOut)
def get_document(document_id: uuid.UUID, db: Db, ctx: Ctx) -> DocumentOut:
    return present.detail(db, ctx, service.get_document(db, ctx, document_id))


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def patch_document(document_id: uuid.UUID, body: DocumentPatch, db: Db, ctx: Ctx) -> DocumentOut:
    doc = service.get_document(db, ctx, document_id)
    return present.detail(db, ctx, service.update_document(db, ctx, doc, body))


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_document(
    document_id: uuid.UUID, db: Db, ctx: Ctx, version: Annotated[int, Query()]
) -> None:
    service.delete_document(db, ctx, service.get_document(db, ctx, document_id), version=version)


@router.post("/documents/{document_id}/restore", response_model=DocumentOut)
def restore_document(document_id: uuid.UUID, db: Db, ctx: Ctx) -> DocumentOut:
    return present.detail(db, ctx, service.restore_document(db, ctx, document_id))


@router.post(
    "/documents/{document_id}/versions",
    response_model=VersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Start a new draft from the version in force",
)
def new_version(document_id: uuid.UUID, db: Db, ctx: Ctx) -> VersionOut:
    doc = service.get_document(db, ctx, document_id)
    return present.version_out(db, ctx, doc, service.new_version(db, ctx, doc))


@router.get("/documents/{document_id}/versions/{version_id}", response_model=VersionOut)
def get_version(document_id: uuid.UUID, version_id: uuid.UUID, db: Db, ctx: Ctx) -> VersionOut:
    doc = service.get_document(db, ctx, document_id)
    return present.version_out(db, ctx, doc, service.version_of(db, ctx, doc, version_id))


@router.patch(
    "/documents/{document_id}/versions/{version_id}",
    response_model=VersionOut,
    summary="Edit a draft (an approved version is 409: start a new version)",
)
def edit_version(
    document_id: uuid.UUID, version_id: uuid.UUID, body: VersionEdit, db: Db, ctx: Ctx
) -> VersionOut:
    doc = service.get_document(db, ctx, document_id)
    ver = service.version_of(db, ctx, doc, version_id)
    service.edit_version(db, ctx, ver, body)
    return present.version_out(db, ctx, doc, ver)


def _act(
    action: str,
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    body: VersionAction,
    db: Db,
    ctx: Ctx,
) -> VersionOut:
    doc = service.get_document(db, ctx, document_id)
    ver = service.version_of(db, ctx, doc, version_id)
    if action == "submit":
        service.submit(db, ctx, ver, version=body.version)
    elif action == "return":
        service.return_to_draft(db, ctx, ver, version=body.version, note=body.note)
    else:
        service.approve(db, ctx, ver, version=body.version, note=body.note)
    return present.version_out(db, ctx, doc, ver)


@router.post(
    "/documents/{document_id}/versions/{version_id}/submit",
    response_model=VersionOut,
    summary="Send a draft for review",
)
def submit(
    document_id: uuid.UUID, version_id: uuid.UUID, body: VersionAction, db: Db, ctx: Ctx
) -> VersionOut:
    return _act("submit", document_id, version_id, body, db, ctx)


@router.post(
    "/documents/{document_id}/versions/{version_id}/return",
    response_model=VersionOut,
    summary="Send a version in review back to draft (approvals given are withdrawn)",
)
def return_to_draft(
    document_id: uuid.UUID, version_id: uuid.UUID, body: VersionAction, db: Db, ctx: Ctx
) -> VersionOut:
    return _act("return", document_id, version_id, body, db, ctx)


@router.post(
    "/documents/{document_id}/versions/{version_id}/approve",
    response_model=VersionOut,
    summary="Approve a version in review; it takes effect once the quorum is met",
)
def approve(
    document_id: uuid.UUID, version_id: uuid.UUID, body: VersionAction, db: Db, ctx: Ctx
) -> VersionOut:
    return _act("approve", document_id, version_id, body, db, ctx)


@router.get(
    "/documents/{document_id}/versions/{version_id}/export",
    summary="A version as PDF or DOCX with its metadata and approval block",
    response_class=Response,
    responses={200: {"content": {PDF_MEDIA_TYPE: {}, DOCX_MEDIA_TYPE: {}}}},
)
def export_version(
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    format: Annotated[Literal["pdf", "docx"], Query()] = "pdf",
) -> Response:
    doc = service.get_document(db, ctx, document_id)
    ver = service.version_of(db, ctx, doc, version_id)
    return attachment(*present.export_file(db, ctx, doc, ver, format))


@router.get(
    "/documents/{document_id}/compare",
    response_model=CompareOut,
    summary="Two versions as a unified diff of the text",
)
def compare(
    document_id: uuid.UUID,
    db: Db,
    ctx: Ctx,
    a: Annotated[uuid.UUID, Query(description="The older version's id")],
    b: Annotated[uuid.UUID, Query(description="The newer version's id")],
) -> CompareOut:
    doc = service.get_document(db, ctx, document_id)
    return present.compare_out(service.compare(db, ctx, doc, a, b))


@router.post(
    "/documents/{document_id}/retire",
    response_model=DocumentOut,
    summary="Retire the document: its version in force is withdrawn, publications end",
)
def retire(document_id: uuid.UUID, body: DocumentAction, db: Db, ctx: Ctx) -> DocumentOut:
    doc = service.get_document(db, ctx, document_id)
    return present.detail(db, ctx, service.retire(db, ctx, doc, version=body.version))


@router.post(
    "/documents/{document_id}/reviewed",
    response_model=DocumentOut,
    summary="Record a review that kept the text (moves the next review date on)",
)
def reviewed(document_id: uuid.UUID, body: ReviewIn, db: Db, ctx: Ctx) -> DocumentOut:
    doc = service.get_document(db, ctx, document_id)
    service.mark_reviewed(db, ctx, doc, version=body.version, reviewed_on=body.reviewed_on)
    return present.detail(db, ctx, doc)


@router.post(
    "/documents/{document_id}/links",
    response_model=LinkOut,
    status_code=status.HTTP_201_CREATED,
    summary="Link a document this one must align with (A.2.3)",
)
def add_link(document_id: uuid.UUID, body: LinkIn, db: Db, ctx: Ctx) -> LinkOut:
    doc = service.get_document(db, ctx, document_id)
    return present.link_out(service.add_link(db, ctx, doc, body))


@router.delete("/documents/{document_id}/links/{link_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_link(document_id: uuid.UUID, link_id: uuid.UUID, db: Db, ctx: Ctx) -> None:
    service.remove_link(db, ctx, service.get_document(db, ctx, document_id), link_id)


@router.post(
    "/documents/{document_id}/publications",
    response_model=PublicationOut,
    status_code=status.HTTP_201_CREATED,
    summary="Publish the version in force to people and roles (7.3)",
)
def publish(document_id: uuid.UUID, body: PublishIn, db: Db, ctx: Ctx) -> PublicationOut:
    doc = service.get_document(db, ctx, document_id)
    return present.publication_out(db, ctx, service.publish(db, ctx, doc, body))


@router.post(
    "/documents/{document_id}/publications/{publication_id}/chase",
    response_model=ReminderOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record a reminder to everyone who has not acknowledged yet",
)
def chase(document_id: uuid.UUID, publication_id: uuid.UUID, db: Db, ctx: Ctx) -> ReminderOut:
    doc = service.get_document(db, ctx, document_id)
    pub = service.get_publication(db, ctx, publication_id)
    if pub.document_id != doc.id:
        raise NotFound(f"no publication {publication_id} of {doc.code}")
    reminder = service.chase(db, ctx, pub)
    return ReminderOut(sent_at=reminder.sent_at, outstanding=reminder.outstanding)


@router.post(
    "/documents/{document_id}/acknowledge",
    response_model=list[AcknowledgementOut],
    summary="Acknowledge everything you owe on this document",
)
def acknowledge_document(document_id: uuid.UUID, db: Db, ctx: Ctx) -> list[AcknowledgementOut]:
    doc = service.get_document(db, ctx, document_id)
    return [
        present.acknowledgement_out(db, ctx, a) for a in service.acknowledge_document(db, ctx, doc)
    ]
