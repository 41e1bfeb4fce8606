"""The shared approval mechanism on both databases, through a test-only record."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from aims.access.rules import Role
from aims.approval import service as approval
from aims.approval.rules import Status
from aims.errors import Conflict, ImmutableVersion, NotFound, PermissionDenied, StaleVersion
from aims.store.scoping import get_scoped
from tests.approval.note_model import ApprovalNote
from tests.conftest import Org


def as_(db: Session, org: Org, role: Role) -> None:
    db.info["actor"] = org.contexts[role].actor


def draft(db: Session, org: Org) -> ApprovalNote:
    as_(db, org, Role.CONTRIBUTOR)
    return approval.create_first(
        db, org.contexts[Role.CONTRIBUTOR], ApprovalNote, {"title": "AI policy", "body": "v1"}
    )


def approved(db: Session, org: Org) -> ApprovalNote:
    note = draft(db, org)
    approval.submit(db, org.contexts[Role.CONTRIBUTOR], note, version=note.version)
    as_(db, org, Role.MANAGER)
    return approval.approve(db, org.contexts[Role.MANAGER], note, version=note.version)


def test_draft_review_approve(db: Session, org: Org) -> None:
    note = approved(db, org)
    assert note.approval_status is Status.APPROVED
    assert note.approved_by_id == org.contexts[Role.MANAGER].user_id
    assert note.approved_at is not None and note.revision == 1


def test_the_author_may_not_approve_even_as_manager(db: Session, org: Org) -> None:
    manager = org.contexts[Role.MANAGER]
    as_(db, org, Role.MANAGER)
    note = approval.create_first(db, manager, ApprovalNote, {"title": "t", "body": "b"})
    approval.submit(db, manager, note, version=note.version)
    with pytest.raises(PermissionDenied, match="author"):
        approval.approve(db, manager, note, version=note.version)


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER])
def test_approval_needs_an_approving_role(db: Session, org: Org, role: Role) -> None:
    note = draft(db, org)
    approval.submit(db, org.contexts[Role.CONTRIBUTOR], note, version=note.version)
    with pytest.raises(PermissionDenied):
        approval.approve(db, org.contexts[role], note, version=note.version)


def test_approved_versions_are_immutable_even_through_the_orm(db: Session, org: Org) -> None:
    note = approved(db, org)
    with pytest.raises(ImmutableVersion):
        approval.edit(
            db, org.contexts[Role.MANAGER], note, version=note.version, content={"body": "x"}
        )
    note.body = "sneaky"
    with pytest.raises(ImmutableVersion):
        db.flush()


def test_editing_an_approved_version_starts_a_new_one_and_approval_supersedes(
    db: Session, org: Org
) -> None:
    first = approved(db, org)
    contributor = org.contexts[Role.CONTRIBUTOR]
    as_(db, org, Role.CONTRIBUTOR)
    second = approval.start_new_version(db, contributor, first)
    assert (second.revision, second.status, second.series_id) == (2, "draft", first.series_id)
    approval.edit(db, contributor, second, version=second.version, content={"body": "v2"})
    with pytest.raises(Conflict, match="still open"):
        approval.start_new_version(db, contributor, first)
    approval.submit(db, contributor, second, version=second.version)
    as_(db, org, Role.OWNER)
    approval.approve(db, org.contexts[Role.OWNER], second, version=second.version)
    assert first.approval_status is Status.SUPERSEDED and first.superseded_at is not None
    history = approval.versions(db, contributor, ApprovalNote, first.series_id)
    assert [(v.revision, v.status) for v in history] == [(1, "superseded"), (2, "approved")]
    diff = approval.compare_versions(first, second)
    assert [c.field for c in diff] == ["body"] and diff[0].before == "v1"


def test_returning_to_draft_keeps_the_reviewers_note(db: Session, org: Org) -> None:
    note = draft(db, org)
    approval.submit(db, org.contexts[Role.CONTRIBUTOR], note, version=note.version)
    with pytest.raises(ImmutableVersion):
        approval.edit(
            db, org.contexts[Role.CONTRIBUTOR], note, version=note.version, content={"body": "x"}
        )
    approval.return_to_draft(
        db, org.contexts[Role.MANAGER], note, version=note.version, note="add scope"
    )
    assert note.status == "draft" and note.review_note == "add scope"


def test_stale_version_is_refused(db: Session, org: Org) -> None:
    note = draft(db, org)
    approval.edit(
        db, org.contexts[Role.CONTRIBUTOR], note, version=note.version, content={"body": "v1b"}
    )
    with pytest.raises(StaleVersion):
        approval.edit(db, org.contexts[Role.CONTRIBUTOR], note, version=1, content={"body": "lost"})
    assert note.body == "v1b"


def test_versions_are_scoped_to_the_organisation(db: Session, org: Org, other_org: Org) -> None:
    note = draft(db, org)
    with pytest.raises(NotFound):
        get_scoped(db, ApprovalNote, other_org.id, note.id, label="note")
    assert approval.versions(db, other_org.contexts[Role.OWNER], ApprovalNote, note.series_id) == []


def test_every_step_is_in_the_audit_trail(db: Session, org: Org) -> None:
    from aims.audit import service as audit
    from aims.store.listing import ListParams

    note = approved(db, org)
    events = audit.list_events(
        db, org.contexts[Role.OWNER], ListParams(filters={"record_id": str(note.id)})
    ).items
    statuses = [e.changes.get("status", {}).get("after") for e in reversed(events)]
    assert statuses == ["draft", "in_review", "approved"]
