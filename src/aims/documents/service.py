"""Use cases of controlled documents (7.5), the AI policy (5.2) and awareness (7.3).

Every function takes ``(db, ctx, ...)``, reads and writes one organisation's rows, flushes and
never commits. The approval life cycle itself is ``aims.approval.service``; this module adds
what documents need on top: a quorum of approvers, retirement, publication and acknowledgement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Membership, User
from aims.access.rules import Permission, Role
from aims.approval import service as approval
from aims.approval.rules import (
    DEFAULT_APPROVER_ROLES,
    Status,
    approval_refusal,
    edit_refusal,
    transition_refusal,
)
from aims.comments import service as comments
from aims.documents import rules
from aims.documents.checklist import get_checklist
from aims.documents.models import (
    Acknowledgement,
    Document,
    DocumentApproval,
    DocumentLink,
    DocumentVersion,
    Publication,
    Reminder,
)
from aims.documents.schemas import (
    DocumentIn,
    DocumentPatch,
    LinkIn,
    PublishIn,
    VersionEdit,
)
from aims.errors import (
    Conflict,
    FieldError,
    ImmutableVersion,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow

LABEL = "This document"
NOTE_MAX = 2000  # approval and review notes (the columns hold this much)

DOCUMENT_LIST = ListSpec(
    id_column=Document.id,
    sortable={
        "code": Document.code,
        "title": Document.title,
        "updated_at": Document.updated_at,
        "created_at": Document.created_at,
    },
    default_sort="code",
    filterable={
        "kind": Document.kind,
        "status": Document.status,
        "owner_id": Document.owner_id,
        "classification": Document.classification,
        "is_ai_policy": Document.is_ai_policy,
    },
    searchable=(Document.code, Document.title),
)


def _today() -> date:
    return utcnow().date()


def _field(name: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(("body", name), msg)])


def _check_note(note: str) -> None:
    if "\x00" in note:  # PostgreSQL cannot store it; refused alike on every database
        raise _field("note", "may not contain NUL characters")
    if len(note) > NOTE_MAX:
        raise _field("note", f"keep the note to {NOTE_MAX} characters (it has {len(note)})")


# --- Documents ---------------------------------------------------------------------------------


def list_documents(
    db: Session, ctx: Context, params: ListParams, *, overdue: bool = False
) -> Page[Document]:
    """Documents with search and filters; ``overdue`` keeps those past their review date."""
    ctx.require(Permission.READ)
    stmt = scoped(Document, ctx.organisation_id)
    if overdue:
        stmt = stmt.where(Document.next_review_on < _today(), Document.retired_at.is_(None))
    return paginate(db, stmt, DOCUMENT_LIST, params)


def get_document(db: Session, ctx: Context, document_id: uuid.UUID | str) -> Document:
    ctx.require(Permission.READ)
    return get_scoped(db, Document, ctx.organisation_id, document_id, label="document")


def find_document(db: Session, ctx: Context, key: str) -> Document:
    """A document by id or by its code (the CLI names documents by code)."""
    try:
        uuid.UUID(key)
    except ValueError:
        ctx.require(Permission.READ)
        found: Document | None = db.scalars(
            scoped(Document, ctx.organisation_id).where(Document.code == key)
        ).first()
        if found is None:
            raise NotFound(f"no document with code {key}") from None
        return found
    return get_document(db, ctx, key)


def is_review_overdue(doc: Document, today: date | None = None) -> bool:
    return doc.retired_at is None and rules.review_overdue(doc.next_review_on, today or _today())


def _check_code(db: Session, ctx: Context, code: str, *, exclude: uuid.UUID | None) -> None:
    stmt = scoped(Document, ctx.organisation_id, deleted=True).where(Document.code == code)
    if exclude is not None:
        stmt = stmt.where(Document.id != exclude)
    if db.scalars(stmt).first() is not None:
        raise _field("code", f"another document already uses the code {code}")


def _check_ai_policy(db: Session, ctx: Context, *, exclude: uuid.UUID | None) -> None:
    stmt = scoped(Document, ctx.organisation_id).where(Document.is_ai_policy.is_(True))
    if exclude is not None:
        stmt = stmt.where(Document.id != exclude)
    other = db.scalars(stmt).first()
    if other is not None:
        raise Conflict(
            f"{other.code} is already the AI policy; unmark it first (one AI policy per "
            "organisation)"
        )


def _validate_checklist(marks: dict[str, Any]) -> dict[str, Any]:
    known = set(get_checklist().ids)
    unknown = sorted(k for k in marks if k not in known)
    if unknown:
        raise _field("checklist", f"unknown checklist items: {', '.join(unknown)}")
    missing_section = sorted(
        k for k, m in marks.items() if m.get("addressed") and not str(m.get("section", "")).strip()
    )
    if missing_section:
        raise _field(
            "checklist",
            f"say which section addresses: {', '.join(missing_section)}",
        )
    return marks


def create_document(db: Session, ctx: Context, body: DocumentIn) -> Document:
    """A new document with its first version as a draft authored by the caller."""
    ctx.require(Permission.EDIT)
    _check_code(db, ctx, body.code, exclude=None)
    if body.is_ai_policy:
        _check_ai_policy(db, ctx, exclude=None)
    owner_id = access.member_id(db, ctx, body.owner_email, field="owner_email")
    doc = Document(
        organisation_id=ctx.organisation_id,
        code=body.code,
        title=body.title,
        kind=body.kind.value,
        classification=body.classification.value,
        owner_id=owner_id,
        review_interval_months=body.review_interval_months,
        retention_months=body.retention_months,
        approver_roles=[r.value for r in body.approver_roles],
        quorum=body.quorum,
        is_ai_policy=body.is_ai_policy,
        status=Status.DRAFT.value,
    )
    db.add(doc)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:  # a concurrent writer took the code
        raise _field("code", f"another document already uses the code {body.code}") from exc
    first = approval.create_first(
        db,
        ctx,
        DocumentVersion,
        {
            "body": body.body,
            "change_summary": body.change_summary or "First version",
            "effective_date": body.effective_date,
            "checklist": {},
        },
        derived={"document_id": doc.id, "series_id": doc.series_id},
    )
    assert first.id is not None
    return doc


def _refuse_if_retired(doc: Document) -> None:
    if doc.retired_at is not None:
        raise Conflict(f"{doc.code} is retired; it can no longer change")


def update_document(db: Session, ctx: Context, doc: Document, patch: DocumentPatch) -> Document:
    """Change what the document is (not its text: that goes through versions)."""
    ctx.require(Permission.EDIT)
    check_version(doc, patch.version, label=LABEL)
    _refuse_if_retired(doc)
    data = patch.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("code", "title", "kind", "review_interval_months", "quorum", "is_ai_policy"):
        if key in data and data[key] is None:
            raise _field(key, "may not be empty")
    _refuse_rule_change_in_review(db, ctx, doc, data)
    if data.get("code") and data["code"] != doc.code:
        _check_code(db, ctx, data["code"], exclude=doc.id)
        doc.code = data["code"]
    if data.get("is_ai_policy"):
        _check_ai_policy(db, ctx, exclude=doc.id)
    if "owner_email" in data:
        doc.owner_id = access.member_id(db, ctx, data["owner_email"], field="owner_email")
    for key in ("title", "review_interval_months", "retention_months", "quorum", "is_ai_policy"):
        if key in data:
            setattr(doc, key, data[key])
    for key in ("kind", "classification"):
        if data.get(key) is not None:
            setattr(doc, key, str(data[key].value if hasattr(data[key], "value") else data[key]))
    if "approver_roles" in data:
        doc.approver_roles = [Role(r).value for r in data["approver_roles"] or []]
    if "review_interval_months" in data:
        since = doc.last_reviewed_on or _effective_since(db, ctx, doc)
        doc.next_review_on = rules.next_review(since, doc.review_interval_months)
    db.flush()
    return doc


def _refuse_rule_change_in_review(
    db: Session, ctx: Context, doc: Document, data: dict[str, Any]
) -> None:
    """Who approves and how many must agree are fixed while a version is in review: changing
    them would count approvals given under other rules (or leave a met quorum unapproved)."""
    changed = []
    if data.get("quorum") is not None and data["quorum"] != doc.quorum:
        changed.append("the quorum")
    if "approver_roles" in data:
        wanted = {Role(r).value for r in data["approver_roles"] or []}
        if wanted != set(doc.approver_roles):
            changed.append("the approving roles")
    if not changed:
        return
    in_review = open_version(db, ctx, doc)
    if in_review is not None and in_review.status == Status.IN_REVIEW.value:
        raise Conflict(
            f"{' and '.join(changed)} cannot change while revision {in_review.revision} is in "
            "review; return it to draft first"
        )


def delete_document(db: Session, ctx: Context, doc: Document, *, version: int) -> None:
    """Soft delete: gone from lists, kept with its versions, restorable."""
    ctx.require(Permission.EDIT)
    check_version(doc, version, label=LABEL)
    if any(
        Status(v.status) in (Status.APPROVED, Status.SUPERSEDED, Status.RETIRED)
        for v in _versions(db, doc)
    ):
        raise Conflict(
            f"{doc.code} has approved versions: retire it instead of deleting it (7.5.3)"
        )
    doc.mark_deleted(ctx.user_id)
    db.flush()


def restore_document(db: Session, ctx: Context, document_id: uuid.UUID | str) -> Document:
    ctx.require(Permission.EDIT)
    doc = get_scoped(db, Document, ctx.organisation_id, document_id, label="document", deleted=True)
    if doc.deleted_at is None:
        raise Conflict(f"{doc.code} is not deleted")
    if doc.is_ai_policy:
        _check_ai_policy(db, ctx, exclude=doc.id)
    doc.restore()
    db.flush()
    return doc


# --- Versions -------------------------------------------------------------------------------------


def _versions(db: Session, doc: Document) -> list[DocumentVersion]:
    stmt = scoped(DocumentVersion, doc.organisation_id).where(DocumentVersion.document_id == doc.id)
    return list(db.scalars(stmt.order_by(DocumentVersion.revision)).all())


def versions(db: Session, ctx: Context, doc: Document) -> list[DocumentVersion]:
    """Every version of the document, oldest first."""
    ctx.require(Permission.READ)
    return _versions(db, doc)


def current_version(db: Session, ctx: Context, doc: Document) -> DocumentVersion | None:
    """The approved version in force (None before the first approval and once retired)."""
    return next((v for v in _versions(db, doc) if v.status == Status.APPROVED.value), None)


def open_version(db: Session, ctx: Context, doc: Document) -> DocumentVersion | None:
    return approval.open_version(db, ctx, DocumentVersion, doc.series_id)


def latest_locked(db: Session, ctx: Context, doc: Document) -> DocumentVersion | None:
    """The newest approved, superseded or retired version (the last text that took effect)."""
    locked = [v for v in _versions(db, doc) if v.status != Status.DRAFT.value and v.approved_at]
    return locked[-1] if locked else None


def get_version(db: Session, ctx: Context, version_id: uuid.UUID | str) -> DocumentVersion:
    ctx.require(Permission.READ)
    return get_scoped(
        db, DocumentVersion, ctx.organisation_id, version_id, label="document version"
    )


def version_of(
    db: Session, ctx: Context, doc: Document, version_id: uuid.UUID | str
) -> DocumentVersion:
    """A version of this document (another document's version is a 404 here)."""
    found = get_version(db, ctx, version_id)
    if found.document_id != doc.id:
        raise NotFound(f"no version {version_id} of {doc.code}")
    return found


def version_by_revision(db: Session, ctx: Context, doc: Document, revision: int) -> DocumentVersion:
    found = next((v for v in versions(db, ctx, doc) if v.revision == revision), None)
    if found is None:
        raise NotFound(f"{doc.code} has no revision {revision}")
    return found


def _document_of(db: Session, ctx: Context, ver: DocumentVersion) -> Document:
    return get_scoped(db, Document, ctx.organisation_id, ver.document_id, label="document")


def _effective_since(db: Session, ctx: Context, doc: Document) -> date | None:
    current = current_version(db, ctx, doc)
    if current is None:
        return None
    return effective_date(current)


def effective_date(ver: DocumentVersion) -> date | None:
    """A version takes effect on its stated date, or the day it was approved."""
    if ver.effective_date is not None:
        return ver.effective_date
    return ver.approved_at.date() if ver.approved_at else None


def _sync_status(db: Session, ctx: Context, doc: Document) -> None:
    """The document's status follows its versions: retired, approved, in review or draft."""
    if doc.retired_at is not None:
        doc.status = Status.RETIRED.value
        return
    all_versions = _versions(db, doc)
    if any(v.status == Status.APPROVED.value for v in all_versions):
        doc.status = Status.APPROVED.value
    elif any(v.status == Status.IN_REVIEW.value for v in all_versions):
        doc.status = Status.IN_REVIEW.value
    else:
        doc.status = Status.DRAFT.value


def edit_version(db: Session, ctx: Context, ver: DocumentVersion, edit: VersionEdit) -> None:
    """Change a draft's text; an approved version answers 409 and points at a new version."""
    ctx.require(Permission.EDIT)
    doc = _document_of(db, ctx, ver)
    _refuse_if_retired(doc)
    content = edit.model_dump(exclude_unset=True, exclude={"version", "checklist"})
    if edit.checklist is not None:
        marks = {k: m.model_dump() for k, m in edit.checklist.items()}
        content["checklist"] = _validate_checklist(marks)
    if content.get("body") is None:
        content.pop("body", None)
    if content.get("change_summary") is None:
        content.pop("change_summary", None)
    approval.edit(db, ctx, ver, version=edit.version, content=content)


def submit(db: Session, ctx: Context, ver: DocumentVersion, *, version: int) -> None:
    doc = _document_of(db, ctx, ver)
    _refuse_if_retired(doc)
    if not (ver.body or "").strip():
        raise _field("body", "write the document before sending it for review")
    approval.submit(db, ctx, ver, version=version)
    _sync_status(db, ctx, doc)
    db.flush()


def _approvals(db: Session, ctx: Context, ver: DocumentVersion) -> list[DocumentApproval]:
    stmt = scoped(DocumentApproval, ctx.organisation_id).where(
        DocumentApproval.version_id == ver.id
    )
    return list(db.scalars(stmt.order_by(DocumentApproval.approved_at)).all())


def approvals(db: Session, ctx: Context, ver: DocumentVersion) -> list[DocumentApproval]:
    """Who approved this version, when, in which role, with what note (oldest first)."""
    ctx.require(Permission.READ)
    return _approvals(db, ctx, ver)


def approver_roles(doc: Document) -> frozenset[Role]:
    return frozenset(Role(r) for r in doc.approver_roles) or DEFAULT_APPROVER_ROLES


def quorum_of(db: Session, ctx: Context, doc: Document, ver: DocumentVersion) -> rules.Quorum:
    return rules.quorum((a.approver_id for a in _approvals(db, ctx, ver)), doc.quorum)


def return_to_draft(
    db: Session, ctx: Context, ver: DocumentVersion, *, version: int, note: str
) -> None:
    """A reviewer sends the version back; approvals given so far are withdrawn."""
    doc = _document_of(db, ctx, ver)
    _check_note(note)
    approval.return_to_draft(db, ctx, ver, version=version, note=note)
    for given in _approvals(db, ctx, ver):
        given.mark_deleted(ctx.user_id)
    _sync_status(db, ctx, doc)
    db.flush()


def approve(
    db: Session, ctx: Context, ver: DocumentVersion, *, version: int, note: str = ""
) -> rules.Quorum:
    """Record the caller's approval; the version takes effect once the quorum is met.

    The approver needs one of the document's approving roles and may be neither the author
    nor anyone who edited the version (403 with the reason). Each person counts once.
    """
    doc = _document_of(db, ctx, ver)
    _refuse_if_retired(doc)
    _check_note(note)
    check_version(ver, version, label=ver.__approval_label__)
    refusal = transition_refusal("approve", Status(ver.status))
    if refusal:
        raise Conflict(refusal)
    roles = approver_roles(doc)
    refusal = approval_refusal(
        approver_role=ctx.role,
        approver_id=ctx.user_id,
        author_id=ver.author_id,
        last_editor_id=ver.updated_by_id,
        approver_roles=roles,
        content_editor_ids=ver.content_editor_ids,
    )
    if refusal:
        raise PermissionDenied(refusal)
    given = _approvals(db, ctx, ver)
    if any(a.approver_id == ctx.user_id for a in given):
        raise Conflict("you have already approved this version; another approver is needed")
    now = utcnow()
    db.add(
        DocumentApproval(
            organisation_id=ctx.organisation_id,
            version_id=ver.id,
            document_id=doc.id,
            approver_id=ctx.user_id,
            role=ctx.role.value,
            note=note,
            approved_at=now,
        )
    )
    db.flush()
    progress = rules.quorum([*(a.approver_id for a in given), ctx.user_id], doc.quorum)
    if not progress.met:
        return progress
    before = [v for v in _versions(db, doc) if v.status == Status.APPROVED.value]
    approval.approve(db, ctx, ver, version=ver.version, note=note, approver_roles=roles)
    db.expire(ver, ["approver"])  # loaded as nobody before; read the approver afresh
    for old in before:
        _end_publications(db, ctx, old, reason="superseded")
    doc.next_review_on = rules.next_review(effective_date(ver), doc.review_interval_months)
    doc.last_reviewed_on = None
    _sync_status(db, ctx, doc)
    db.flush()
    return progress


def new_version(db: Session, ctx: Context, doc: Document) -> DocumentVersion:
    """A new draft copied from the version in force (the way to change approved text)."""
    _refuse_if_retired(doc)
    base = current_version(db, ctx, doc)
    if base is None:
        raise Conflict(f"{doc.code} has no approved version yet; edit the open draft instead")
    draft = approval.start_new_version(
        db, ctx, base, content={"change_summary": ""}, derived={"document_id": doc.id}
    )
    _sync_status(db, ctx, doc)
    db.flush()
    return draft


def retire(db: Session, ctx: Context, doc: Document, *, version: int, note: str = "") -> Document:
    """Withdraw the document: its version in force is retired and its publications end."""
    ctx.require(Permission.APPROVE)
    check_version(doc, version, label=LABEL)
    _refuse_if_retired(doc)
    current = current_version(db, ctx, doc)
    if current is None:
        raise Conflict(f"{doc.code} has no approved version to retire; delete the draft instead")
    refusal = transition_refusal("retire", Status(current.status))
    if refusal:
        raise Conflict(refusal)
    current.status = Status.RETIRED.value
    _end_publications(db, ctx, current, reason="retired")
    doc.retired_at = utcnow()
    doc.is_ai_policy = False  # a retired policy frees the place for its successor
    doc.next_review_on = None
    _sync_status(db, ctx, doc)
    db.flush()
    return doc


def mark_reviewed(
    db: Session, ctx: Context, doc: Document, *, version: int, reviewed_on: date | None = None
) -> Document:
    """Record a review that kept the text as it is (A.2.4): the next review moves on."""
    ctx.require(Permission.APPROVE)
    check_version(doc, version, label=LABEL)
    _refuse_if_retired(doc)
    if current_version(db, ctx, doc) is None:
        raise Conflict(f"{doc.code} has no approved version to review yet")
    when = reviewed_on or _today()
    if when > _today():
        raise _field("reviewed_on", "a review cannot be recorded in the future")
    doc.last_reviewed_on = when
    doc.next_review_on = rules.next_review(when, doc.review_interval_months)
    db.flush()
    return doc


@dataclass(frozen=True)
class Comparison:
    a: DocumentVersion
    b: DocumentVersion
    lines: list[rules.DiffLine]
    unified: str
    changed_fields: list[str]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")


def compare(
    db: Session, ctx: Context, doc: Document, a: uuid.UUID | str, b: uuid.UUID | str
) -> Comparison:
    """Two versions of the document as a line diff of the body, plus the fields that differ."""
    first, second = version_of(db, ctx, doc, a), version_of(db, ctx, doc, b)
    changes = approval.compare_versions(first, second)
    return Comparison(
        first,
        second,
        rules.diff_lines(first.body, second.body),
        rules.unified_diff(
            first.body,
            second.body,
            from_name=f"{doc.code} revision {first.revision}",
            to_name=f"{doc.code} revision {second.revision}",
        ),
        [c.field for c in changes],
    )


# --- Links (A.2.3) ------------------------------------------------------------------------------


def links(db: Session, ctx: Context, doc: Document) -> list[DocumentLink]:
    ctx.require(Permission.READ)
    stmt = scoped(DocumentLink, ctx.organisation_id).where(DocumentLink.document_id == doc.id)
    found = db.scalars(stmt.order_by(DocumentLink.created_at)).all()
    return [link for link in found if link.target is not None and link.target.deleted_at is None]


def add_link(db: Session, ctx: Context, doc: Document, body: LinkIn) -> DocumentLink:
    """Say which other document this one must stay consistent with, and how."""
    ctx.require(Permission.EDIT)
    try:
        target = get_document(db, ctx, body.target_id)
    except NotFound as exc:
        raise _field("target_id", "no such document in this organisation") from exc
    if target.id == doc.id:
        raise _field("target_id", "a document cannot be linked to itself")
    existing: DocumentLink | None = db.scalars(
        scoped(DocumentLink, ctx.organisation_id, deleted=True).where(
            DocumentLink.document_id == doc.id, DocumentLink.target_id == target.id
        )
    ).first()
    if existing is not None and existing.deleted_at is None:
        raise Conflict(f"{doc.code} is already linked to {target.code}")
    if existing is not None:
        existing.restore()
        existing.note = body.note
        db.flush()
        return existing
    link = DocumentLink(
        organisation_id=ctx.organisation_id,
        document_id=doc.id,
        target_id=target.id,
        note=body.note,
    )
    db.add(link)
    db.flush()
    return link


def remove_link(db: Session, ctx: Context, doc: Document, link_id: uuid.UUID | str) -> None:
    ctx.require(Permission.EDIT)
    link = get_scoped(db, DocumentLink, ctx.organisation_id, link_id, label="link")
    if link.document_id != doc.id:
        raise NotFound(f"no link {link_id} on {doc.code}")
    link.mark_deleted(ctx.user_id)
    db.flush()


# --- The AI policy (5.2) ------------------------------------------------------------------------


def ai_policy(db: Session, ctx: Context) -> Document | None:
    ctx.require(Permission.READ)
    found: Document | None = db.scalars(
        scoped(Document, ctx.organisation_id).where(Document.is_ai_policy.is_(True))
    ).first()
    return found


def checklist_version(db: Session, ctx: Context, doc: Document) -> DocumentVersion | None:
    """The version whose checklist the AI policy page shows: the one in force, else the draft."""
    return current_version(db, ctx, doc) or open_version(db, ctx, doc)


# --- Publication and acknowledgement (7.3) ----------------------------------------------------


def _members(db: Session, ctx: Context) -> dict[uuid.UUID, str]:
    rows = db.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.organisation_id == ctx.organisation_id, Membership.deleted_at.is_(None)
        )
    )
    return {row.user_id: row.role for row in rows}


def publications(
    db: Session, ctx: Context, doc: Document, *, active_only: bool = False
) -> list[Publication]:
    ctx.require(Permission.READ)
    stmt = scoped(Publication, ctx.organisation_id).where(Publication.document_id == doc.id)
    if active_only:
        stmt = stmt.where(Publication.ended_at.is_(None))
    return list(db.scalars(stmt.order_by(Publication.published_at)).all())


def publish(db: Session, ctx: Context, doc: Document, body: PublishIn) -> Publication:
    """Make the version in force known to people and roles: each one owes an acknowledgement.

    Roles and "everyone" are resolved to the members holding them now; people already asked
    to acknowledge this version are not asked twice.
    """
    ctx.require(Permission.EDIT)
    _refuse_if_retired(doc)
    current = current_version(db, ctx, doc)
    if current is None:
        raise Conflict(f"{doc.code} has no approved version to publish")
    people = [
        pid
        for pid in (access.member_id(db, ctx, email, field="people") for email in body.people)
        if pid is not None
    ]
    if not (body.everyone or people or body.roles):
        raise _field("people", "choose people, roles or everyone")
    targets = rules.audience(
        _members(db, ctx),
        people=people,
        roles=[r.value for r in body.roles],
        everyone=body.everyone,
    )
    already = {
        a.user_id
        for a in db.scalars(
            scoped(Acknowledgement, ctx.organisation_id)
            .join(Publication, Publication.id == Acknowledgement.publication_id)
            .where(Acknowledgement.version_id == current.id, Publication.ended_at.is_(None))
        )
    }
    fresh = sorted((t for t in targets if t not in already), key=str)
    if not fresh:
        raise Conflict("everyone chosen has already been asked to acknowledge this version")
    now = utcnow()
    pub = Publication(
        organisation_id=ctx.organisation_id,
        document_id=doc.id,
        version_id=current.id,
        everyone=body.everyone,
        people=[str(p) for p in people],
        roles=[r.value for r in body.roles],
        note=body.note,
        published_at=now,
    )
    db.add(pub)
    db.flush()
    for user_id in fresh:
        db.add(
            Acknowledgement(
                organisation_id=ctx.organisation_id,
                publication_id=pub.id,
                document_id=doc.id,
                version_id=current.id,
                user_id=user_id,
            )
        )
    db.flush()
    return pub


def _end_publications(db: Session, ctx: Context, ver: DocumentVersion, *, reason: str) -> None:
    now = utcnow()
    for pub in db.scalars(
        scoped(Publication, ctx.organisation_id).where(
            Publication.version_id == ver.id, Publication.ended_at.is_(None)
        )
    ):
        pub.ended_at = now
        pub.ended_reason = reason


def acknowledgements_of(db: Session, ctx: Context, pub: Publication) -> list[Acknowledgement]:
    stmt = scoped(Acknowledgement, ctx.organisation_id).where(
        Acknowledgement.publication_id == pub.id
    )
    return list(db.scalars(stmt).all())


def reminders_of(db: Session, ctx: Context, pub: Publication) -> list[Reminder]:
    stmt = scoped(Reminder, ctx.organisation_id).where(Reminder.publication_id == pub.id)
    return list(db.scalars(stmt.order_by(Reminder.sent_at)).all())


def completion(db: Session, ctx: Context, doc: Document) -> rules.Completion:
    """Acknowledgements of the live publications: n of m people, and the share."""
    acks = [
        a.acknowledged_at is not None
        for pub in publications(db, ctx, doc, active_only=True)
        for a in acknowledgements_of(db, ctx, pub)
    ]
    return rules.completion(acks)


def get_publication(db: Session, ctx: Context, publication_id: uuid.UUID | str) -> Publication:
    ctx.require(Permission.READ)
    return get_scoped(db, Publication, ctx.organisation_id, publication_id, label="publication")


def chase(db: Session, ctx: Context, pub: Publication) -> Reminder:
    """Record a reminder to everyone who still owes an acknowledgement (count and time)."""
    ctx.require(Permission.EDIT)
    if pub.ended_at is not None:
        raise Conflict(f"this publication ended ({pub.ended_reason}); there is no one to chase")
    owing = [a for a in acknowledgements_of(db, ctx, pub) if a.acknowledged_at is None]
    if not owing:
        raise Conflict("everyone has acknowledged this version; there is no one to chase")
    reminder = Reminder(
        organisation_id=ctx.organisation_id,
        publication_id=pub.id,
        sent_at=utcnow(),
        outstanding=len(owing),
        user_ids=[str(a.user_id) for a in owing],
    )
    db.add(reminder)
    db.flush()
    return reminder


def _live(db: Session, ctx: Context, ack: Acknowledgement) -> tuple[Publication, DocumentVersion]:
    pub = get_scoped(db, Publication, ctx.organisation_id, ack.publication_id, label="publication")
    ver = get_scoped(db, DocumentVersion, ctx.organisation_id, ack.version_id, label="version")
    return pub, ver


def acknowledge(db: Session, ctx: Context, ack_id: uuid.UUID | str) -> Acknowledgement:
    """The caller confirms they have read the version they were asked to; a superseded or
    retired version cannot be acknowledged any more (409)."""
    ctx.require(Permission.READ)
    ack = get_scoped(db, Acknowledgement, ctx.organisation_id, ack_id, label="acknowledgement")
    if ack.user_id != ctx.user_id:
        raise PermissionDenied("you can only acknowledge what you were asked to read yourself")
    pub, ver = _live(db, ctx, ack)
    if ver.status != Status.APPROVED.value or pub.ended_at is not None:
        raise Conflict(
            f"revision {ver.revision} is {ver.status.replace('_', ' ')}; it can no longer be "
            "acknowledged (read the version in force instead)"
        )
    if ack.acknowledged_at is None:
        ack.acknowledged_at = utcnow()
        db.flush()
    return ack


def acknowledge_document(db: Session, ctx: Context, doc: Document) -> list[Acknowledgement]:
    """Acknowledge everything the caller owes on this document (the page's one button)."""
    mine = [a for a in _owed(db, ctx, ctx.user_id) if a.document_id == doc.id]
    if not mine:
        stale = db.scalars(
            scoped(Acknowledgement, ctx.organisation_id).where(
                Acknowledgement.document_id == doc.id,
                Acknowledgement.user_id == ctx.user_id,
                Acknowledgement.acknowledged_at.is_(None),
            )
        ).first()
        if stale is not None:
            acknowledge(db, ctx, stale.id)  # raises the 409 that explains why
        raise Conflict(f"you have nothing to acknowledge on {doc.code}")
    return [acknowledge(db, ctx, a.id) for a in mine]


def _owed(db: Session, ctx: Context, user_id: uuid.UUID) -> list[Acknowledgement]:
    stmt = (
        scoped(Acknowledgement, ctx.organisation_id)
        .join(Publication, Publication.id == Acknowledgement.publication_id)
        .join(DocumentVersion, DocumentVersion.id == Acknowledgement.version_id)
        .join(Document, Document.id == Acknowledgement.document_id)
        .where(
            Acknowledgement.user_id == user_id,
            Acknowledgement.acknowledged_at.is_(None),
            Publication.ended_at.is_(None),
            DocumentVersion.status == Status.APPROVED.value,
            Document.deleted_at.is_(None),
        )
        .order_by(Publication.published_at)
    )
    return list(db.scalars(stmt).all())


def owed_by_me(db: Session, ctx: Context) -> list[Acknowledgement]:
    """What the signed-in person still has to acknowledge (the dashboard lists it)."""
    ctx.require(Permission.READ)
    return _owed(db, ctx, ctx.user_id)


def acknowledged_by_me(db: Session, ctx: Context) -> list[Acknowledgement]:
    ctx.require(Permission.READ)
    stmt = scoped(Acknowledgement, ctx.organisation_id).where(
        Acknowledgement.user_id == ctx.user_id, Acknowledgement.acknowledged_at.is_not(None)
    )
    return list(db.scalars(stmt.order_by(Acknowledgement.acknowledged_at.desc())).all())


def owed_by_person(db: Session, ctx: Context) -> list[tuple[User, list[Acknowledgement]]]:
    """Per member, the acknowledgements they still owe (only people who owe something)."""
    ctx.require(Permission.READ)
    result = []
    rows = db.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == ctx.organisation_id, Membership.deleted_at.is_(None))
        .order_by(User.full_name)
    ).all()
    for user in rows:
        owed = _owed(db, ctx, user.id)
        if owed:
            result.append((user, owed))
    return result


# --- The dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentAttention:
    """What the dashboard lists: documents past their review date, what I must acknowledge."""

    reviews_overdue: list[Document]
    to_acknowledge: list[Acknowledgement]


def attention(db: Session, ctx: Context, today: date | None = None) -> DocumentAttention:
    ctx.require(Permission.READ)
    today = today or _today()
    overdue = db.scalars(
        scoped(Document, ctx.organisation_id)
        .where(Document.next_review_on < today, Document.retired_at.is_(None))
        .order_by(Document.next_review_on)
    ).all()
    return DocumentAttention(list(overdue), _owed(db, ctx, ctx.user_id))


# --- Comments -----------------------------------------------------------------------------------


def _comment_subject(db: Session, ctx: Context, subject_id: str) -> str:
    return str(get_version(db, ctx, subject_id).id)


# Auditors and reviewers discuss a version on the document's page.
comments.register_subject("document_version", _comment_subject)


def refuse_edit(ver: DocumentVersion) -> None:
    """Raise the 409 an edit of this version would get (pages hide the form instead)."""
    refusal = edit_refusal(Status(ver.status))
    if refusal:
        raise ImmutableVersion(refusal)
