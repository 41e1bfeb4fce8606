"""Services on both databases: the store keeps retired and superseded versions immutable,
the dashboard's attention list, and comments on a version."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Role
from aims.comments import service as comments
from aims.documents import service
from aims.documents.models import Document
from aims.documents.rules import Kind
from aims.documents.schemas import DocumentIn, PublishIn
from aims.errors import ImmutableVersion, NotFound
from tests.conftest import Org


def as_(db: Session, org: Org, role: Role) -> Context:
    ctx = org.contexts[role]
    db.info["actor"] = ctx.actor
    return ctx


def approved_doc(db: Session, org: Org, **fields: object) -> Document:
    ctx = as_(db, org, Role.CONTRIBUTOR)
    doc = service.create_document(
        db,
        ctx,
        DocumentIn.model_validate(
            {"code": "POL-001", "title": "AI policy", "kind": Kind.POLICY, "body": "Text", **fields}
        ),
    )
    draft = service.open_version(db, ctx, doc)
    assert draft is not None
    service.submit(db, ctx, draft, version=draft.version)
    service.approve(db, as_(db, org, Role.MANAGER), draft, version=draft.version)
    return doc


def test_retired_and_superseded_versions_never_change(db: Session, org: Org) -> None:
    doc = approved_doc(db, org)
    ctx = as_(db, org, Role.CONTRIBUTOR)
    first = service.current_version(db, ctx, doc)
    assert first is not None
    second = service.new_version(db, ctx, doc)
    service.submit(db, ctx, second, version=second.version)
    service.approve(db, as_(db, org, Role.OWNER), second, version=second.version)
    assert first.status == "superseded"
    first.body = "rewritten history"
    with pytest.raises(ImmutableVersion):
        db.flush()
    db.rollback()

    doc = approved_doc(db, org, code="POL-002")
    ctx = as_(db, org, Role.MANAGER)
    service.retire(db, ctx, doc, version=doc.version)
    retired = service.versions(db, ctx, doc)[0]
    assert retired.status == "retired" and doc.status == "retired"
    retired.body = "changed after retirement"
    with pytest.raises(ImmutableVersion):
        db.flush()
    db.rollback()


def test_attention_lists_overdue_reviews_and_what_i_owe(db: Session, org: Org) -> None:
    doc = approved_doc(db, org, effective_date=date(2020, 1, 1))
    ctx = as_(db, org, Role.MANAGER)
    service.publish(db, ctx, doc, PublishIn(roles=[Role.VIEWER]))
    viewer = as_(db, org, Role.VIEWER)
    seen = service.attention(db, viewer)
    assert [d.code for d in seen.reviews_overdue] == ["POL-001"]
    assert [a.document_id for a in seen.to_acknowledge] == [doc.id]
    assert service.attention(db, as_(db, org, Role.OWNER)).to_acknowledge == []
    service.mark_reviewed(db, ctx, doc, version=doc.version)
    assert service.attention(db, viewer).reviews_overdue == []
    assert service.attention(db, viewer, today=date(2099, 1, 1)).reviews_overdue == [doc]


def test_auditors_comment_on_a_version_and_tenants_stay_apart(
    db: Session, org: Org, other_org: Org
) -> None:
    doc = approved_doc(db, org)
    auditor = as_(db, org, Role.AUDITOR)
    ver = service.current_version(db, auditor, doc)
    assert ver is not None
    note = comments.add_comment(
        db,
        auditor,
        subject_type="document_version",
        subject_id=str(ver.id),
        body="Where is section 4?",
    )
    assert note.body == "Where is section 4?"
    stranger = as_(db, other_org, Role.AUDITOR)
    with pytest.raises(NotFound):
        comments.add_comment(
            db, stranger, subject_type="document_version", subject_id=str(ver.id), body="peek"
        )
    with pytest.raises(NotFound):
        service.get_document(db, stranger, doc.id)
