"""Comments: auditors comment without changing anything else; scoped per organisation."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.rules import Role
from aims.comments import service
from aims.errors import NotFound, PermissionDenied, ValidationFailed
from aims.store.listing import ListParams
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


def test_auditor_comments_on_a_control(db: Session, org: Org) -> None:
    auditor = org.contexts[Role.AUDITOR]
    db.info["actor"] = auditor.actor
    comment = service.add_comment(
        db, auditor, subject_type="catalog", subject_id="a.5.4", body="  Where is the FRIA?  "
    )
    assert (comment.subject_id, comment.body) == ("A.5.4", "Where is the FRIA?")
    page = service.list_comments(
        db,
        org.contexts[Role.VIEWER],
        subject_type="catalog",
        subject_id="A.5.4",
        params=ListParams(),
    )
    assert [c.body for c in page.items] == ["Where is the FRIA?"]


def test_viewers_cannot_comment(db: Session, org: Org) -> None:
    with pytest.raises(PermissionDenied):
        service.add_comment(
            db, org.contexts[Role.VIEWER], subject_type="catalog", subject_id="A.5.4", body="hi"
        )


@pytest.mark.parametrize(
    ("subject_type", "subject_id", "body", "error"),
    [
        ("catalog", "A.5.4", "   ", ValidationFailed),
        ("catalog", "A.5.4", "x" * 5001, ValidationFailed),
        ("spaceship", "1", "hi", ValidationFailed),
        ("catalog", "A.10.5", "hi", NotFound),
        ("member", "00000000-0000-0000-0000-000000000000", "hi", NotFound),
    ],
)
def test_bad_comments_are_refused(
    db: Session, org: Org, subject_type: str, subject_id: str, body: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        service.add_comment(
            db,
            org.contexts[Role.AUDITOR],
            subject_type=subject_type,
            subject_id=subject_id,
            body=body,
        )


def test_comments_stay_in_their_organisation(db: Session, org: Org, other_org: Org) -> None:
    db.info["actor"] = org.contexts[Role.AUDITOR].actor
    comment = service.add_comment(
        db, org.contexts[Role.AUDITOR], subject_type="catalog", subject_id="A.2.2", body="ours"
    )
    theirs = service.list_comments(
        db,
        other_org.contexts[Role.OWNER],
        subject_type="catalog",
        subject_id="A.2.2",
        params=ListParams(),
    )
    assert theirs.items == []
    with pytest.raises(NotFound):
        service.delete_comment(db, other_org.contexts[Role.OWNER], comment.id, version=1)
    their_member = access.list_members(db, other_org.contexts[Role.OWNER], ListParams()).items[0]
    with pytest.raises(NotFound):
        service.add_comment(
            db,
            org.contexts[Role.AUDITOR],
            subject_type="member",
            subject_id=str(their_member.id),
            body="x",
        )


def test_only_author_or_manager_deletes(db: Session, org: Org) -> None:
    db.info["actor"] = org.contexts[Role.AUDITOR].actor
    comment = service.add_comment(
        db, org.contexts[Role.AUDITOR], subject_type="catalog", subject_id="A.2.2", body="note"
    )
    with pytest.raises(PermissionDenied):
        service.delete_comment(
            db, org.contexts[Role.CONTRIBUTOR], comment.id, version=comment.version
        )
    service.delete_comment(db, org.contexts[Role.MANAGER], comment.id, version=comment.version)
    page = service.list_comments(
        db,
        org.contexts[Role.OWNER],
        subject_type="catalog",
        subject_id="A.2.2",
        params=ListParams(),
    )
    assert page.items == []


def test_comments_api(client: TestClient, org: Org) -> None:
    created = client.post(
        "/api/v1/comments",
        json={"subject_type": "catalog", "subject_id": "A.6.2.8", "body": "Logs kept 6 months?"},
        headers=org.headers(Role.AUDITOR),
    )
    assert created.status_code == 201
    listed = client.get(
        "/api/v1/comments?subject_type=catalog&subject_id=A.6.2.8", headers=org.headers(Role.VIEWER)
    ).json()
    assert [c["body"] for c in listed["items"]] == ["Logs kept 6 months?"]
    assert (
        client.post(
            "/api/v1/comments",
            json={"subject_type": "catalog", "subject_id": "A.6.2.8", "body": "no"},
            headers=org.headers(Role.VIEWER),
        ).status_code
        == 403
    )
    comment = created.json()
    assert (
        client.delete(
            f"/api/v1/comments/{comment['id']}?version=1", headers=org.headers(Role.AUDITOR)
        ).status_code
        == 204
    )


def test_comment_thread_on_the_catalogue_page(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.AUDITOR])
    page = client.get("/catalog/A.5.4")
    assert "No comments yet" in page.text
    posted = client.post(
        "/comments",
        data={
            "csrf_token": csrf_of(page.text),
            "subject_type": "catalog",
            "subject_id": "A.5.4",
            "back": "/catalog/A.5.4",
            "body": "<b>Check</b> the age bands",
        },
    )
    assert posted.status_code == 200
    assert (
        "&lt;b&gt;Check&lt;/b&gt; the age bands" in posted.text
        and "Auditor of Acme Credit" in posted.text
    )
    empty = client.post(
        "/comments",
        data={
            "csrf_token": csrf_of(page.text),
            "subject_type": "catalog",
            "subject_id": "A.5.4",
            "back": "/catalog/A.5.4",
            "body": " ",
        },
    )
    assert 'id="comment-error"' in empty.text
    sign_in(client, org.emails[Role.VIEWER])
    viewer_page = client.get("/catalog/A.5.4").text
    assert "age bands" in viewer_page and 'id="comment-body"' not in viewer_page
    assert re.search(r'action="/comments/[0-9a-f-]+/delete"', viewer_page) is None
