"""Documents as every face shows them (API, pages, CLI, exports): one conversion, not four."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import User
from aims.documents import export, rules, service
from aims.documents.checklist import get_checklist
from aims.documents.models import (
    Acknowledgement,
    Document,
    DocumentApproval,
    DocumentLink,
    DocumentVersion,
    Publication,
)
from aims.documents.schemas import (
    AcknowledgementOut,
    AiPolicyOut,
    ApprovalOut,
    ChecklistItemOut,
    ChecklistMark,
    CompareOut,
    DocumentOut,
    DocumentSummary,
    LinkOut,
    PublicationOut,
    QuorumOut,
    ReminderOut,
    ReviewScheduleOut,
    VersionOut,
    VersionSummary,
)
from aims.errors import FieldError, ValidationFailed


def _email(user: User | None) -> str | None:
    return user.email if user is not None else None


def summary(doc: Document) -> DocumentSummary:
    return DocumentSummary(
        id=doc.id,
        code=doc.code,
        title=doc.title,
        kind=rules.Kind(doc.kind),
        classification=rules.Classification(doc.classification),
        owner=_email(doc.owner),
        status=doc.status,
        is_ai_policy=doc.is_ai_policy,
        next_review_on=doc.next_review_on,
        review_overdue=service.is_review_overdue(doc),
        version=doc.version,
        updated_at=doc.updated_at,
    )


def version_summary(ver: DocumentVersion) -> VersionSummary:
    return VersionSummary(
        id=ver.id,
        revision=ver.revision,
        status=ver.status,
        change_summary=ver.change_summary,
        effective_date=ver.effective_date,
        author=_email(ver.author),
        approved_by=_email(ver.approver),
        approved_at=ver.approved_at,
        version=ver.version,
    )


def approval_out(a: DocumentApproval) -> ApprovalOut:
    return ApprovalOut(
        approver=_email(a.approver),
        approver_name=a.approver.full_name if a.approver else None,
        role=a.role,
        approved_at=a.approved_at,
        note=a.note,
    )


def _marks(ver: DocumentVersion) -> dict[str, ChecklistMark]:
    marks: dict[str, ChecklistMark] = {}
    for key, mark in (ver.checklist or {}).items():
        if isinstance(mark, dict):
            marks[key] = ChecklistMark(
                addressed=bool(mark.get("addressed")), section=str(mark.get("section") or "")
            )
    return marks


def version_out(db: Session, ctx: Context, doc: Document, ver: DocumentVersion) -> VersionOut:
    progress = service.quorum_of(db, ctx, doc, ver)
    return VersionOut(
        **version_summary(ver).model_dump(),
        document_id=doc.id,
        body=ver.body,
        rendered_html=rules.render_markdown(ver.body),
        checklist=_marks(ver),
        submitted_at=ver.submitted_at,
        superseded_at=ver.superseded_at,
        review_note=ver.review_note,
        approvals=[approval_out(a) for a in service.approvals(db, ctx, ver)],
        quorum=QuorumOut(given=progress.given, needed=progress.needed, met=progress.met),
    )


def link_out(link: DocumentLink) -> LinkOut:
    return LinkOut(
        id=link.id,
        target_id=link.target_id,
        target_code=link.target.code,
        target_title=link.target.title,
        target_status=link.target.status,
        note=link.note,
    )


def _emails(db: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    from sqlalchemy import select

    return {u.id: u.email for u in db.scalars(select(User).where(User.id.in_(ids)))}


def publication_out(db: Session, ctx: Context, pub: Publication) -> PublicationOut:
    acks = service.acknowledgements_of(db, ctx, pub)
    done = rules.completion(a.acknowledged_at is not None for a in acks)
    ver = service.get_version(db, ctx, pub.version_id)
    named = _emails(db, [uuid.UUID(p) for p in pub.people])
    return PublicationOut(
        id=pub.id,
        version_id=pub.version_id,
        revision=ver.revision,
        everyone=pub.everyone,
        people=sorted(named.values()),
        roles=pub.roles,
        note=pub.note,
        published_at=pub.published_at,
        ended_at=pub.ended_at,
        ended_reason=pub.ended_reason,
        acknowledged=done.done,
        targeted=done.total,
        percent=done.percent,
        outstanding=sorted(a.user.email for a in acks if a.acknowledged_at is None),
        reminders=[
            ReminderOut(sent_at=r.sent_at, outstanding=r.outstanding)
            for r in service.reminders_of(db, ctx, pub)
        ],
    )


def detail(db: Session, ctx: Context, doc: Document) -> DocumentOut:
    all_versions = service.versions(db, ctx, doc)
    current = service.current_version(db, ctx, doc)
    open_ = service.open_version(db, ctx, doc)
    return DocumentOut(
        **summary(doc).model_dump(),
        review_interval_months=doc.review_interval_months,
        retention_months=doc.retention_months,
        approver_roles=doc.approver_roles,
        quorum=doc.quorum,
        last_reviewed_on=doc.last_reviewed_on,
        retired_at=doc.retired_at,
        effective_date=service.effective_date(current) if current else None,
        versions=[version_summary(v) for v in all_versions],
        current=version_out(db, ctx, doc, current) if current else None,
        open=version_out(db, ctx, doc, open_) if open_ else None,
        links=[link_out(link) for link in service.links(db, ctx, doc)],
        publications=[publication_out(db, ctx, p) for p in service.publications(db, ctx, doc)],
    )


def compare_out(cmp: service.Comparison) -> CompareOut:
    return CompareOut(
        a=version_summary(cmp.a),
        b=version_summary(cmp.b),
        unified_diff=cmp.unified,
        added=cmp.added,
        removed=cmp.removed,
        changed_fields=cmp.changed_fields,
    )


def acknowledgement_out(db: Session, ctx: Context, ack: Acknowledgement) -> AcknowledgementOut:
    doc = service.get_document(db, ctx, ack.document_id)
    ver = service.get_version(db, ctx, ack.version_id)
    pub = service.get_publication(db, ctx, ack.publication_id)
    return AcknowledgementOut(
        id=ack.id,
        document_id=doc.id,
        code=doc.code,
        title=doc.title,
        revision=ver.revision,
        publication_id=pub.id,
        published_at=pub.published_at,
        acknowledged_at=ack.acknowledged_at,
    )


def checklist_items(ver: DocumentVersion | None) -> list[ChecklistItemOut]:
    checklist = get_checklist()
    states = {
        s.item_id: s for s in rules.checklist_state(checklist.ids, ver.checklist if ver else {})
    }
    return [
        ChecklistItemOut(
            id=item.id,
            title=item.title,
            guidance=item.guidance,
            source=item.source,
            addressed=states[item.id].addressed,
            section=states[item.id].section,
        )
        for item in checklist.items
    ]


def ai_policy_out(db: Session, ctx: Context) -> AiPolicyOut:
    doc = service.ai_policy(db, ctx)
    if doc is None:
        return AiPolicyOut(
            document=None,
            version_id=None,
            revision=None,
            checklist=checklist_items(None),
            gaps=get_checklist().ids,
            links=[],
            review=None,
            leadership=[],
        )
    ver = service.checklist_version(db, ctx, doc)
    current = service.current_version(db, ctx, doc)
    items = checklist_items(ver)
    return AiPolicyOut(
        document=summary(doc),
        version_id=ver.id if ver else None,
        revision=ver.revision if ver else None,
        checklist=items,
        gaps=[i.id for i in items if not i.addressed],
        links=[link_out(link) for link in service.links(db, ctx, doc)],
        review=ReviewScheduleOut(
            interval_months=doc.review_interval_months,
            last_reviewed_on=doc.last_reviewed_on,
            next_review_on=doc.next_review_on,
            overdue=service.is_review_overdue(doc),
        ),
        leadership=[approval_out(a) for a in service.approvals(db, ctx, current)]
        if current
        else [],
    )


# --- Exports -----------------------------------------------------------------------------------


def export_file(
    db: Session, ctx: Context, doc: Document, ver: DocumentVersion, fmt: str
) -> tuple[bytes, str, str]:
    """A version as PDF or DOCX with its metadata and approval block: content, type, name."""
    if fmt not in export.FORMATS:
        raise ValidationFailed(
            "unknown export format",
            errors=[
                FieldError(("query", "format"), f"must be one of: {', '.join(export.FORMATS)}")
            ],
        )
    organisation = access.get_organisation(db, ctx).name
    content = export.content_of(
        organisation=organisation,
        code=doc.code,
        title=doc.title,
        kind=rules.Kind(doc.kind).label,
        classification=doc.classification,
        owner=doc.owner.full_name if doc.owner else "",
        revision=ver.revision,
        status=ver.status,
        effective=service.effective_date(ver),
        next_review=doc.next_review_on if ver.status == "approved" else None,
        retention_months=doc.retention_months,
        change_summary=ver.change_summary,
        body=ver.body,
        author=ver.author.full_name if ver.author else "",
        approvals=[
            (a.approver.full_name if a.approver else "someone", a.role, a.approved_at, a.note)
            for a in service.approvals(db, ctx, ver)
        ],
        approved=ver.approved_at is not None,
        quorum=doc.quorum,
    )
    return export.render(content, fmt)
