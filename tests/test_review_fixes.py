"""Defects found in review, each pinned by the behaviour a user (or attacker) would see."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from aims.access import service as access
from aims.access.rules import Role
from aims.approval import service as approval
from aims.audit import service as audit
from aims.audit.models import AuditChainHead, AuditEvent
from aims.errors import (
    ImmutableVersion,
    NotAuthenticated,
    PermissionDenied,
    TooManyAttempts,
    ValidationFailed,
)
from aims.store import backup
from aims.store.engine import parse_url, unit_of_work
from aims.store.listing import ListParams
from tests.approval.note_model import ApprovalNote
from tests.conftest import PASSWORD, Org


def test_a_manager_cannot_take_over_an_account_of_another_organisation(
    sessions: sessionmaker[Session], org: Org, other_org: Org
) -> None:
    manager = org.contexts[Role.MANAGER]
    with unit_of_work(sessions, manager.actor) as db:
        victim = access.add_member(
            db, manager, email=other_org.emails[Role.OWNER], full_name="", role="viewer"
        )
        assert victim.password is None  # an existing account: no password is made or shown
        with pytest.raises(PermissionDenied, match="another organisation"):
            access.reset_password(db, manager, victim.membership.id)
    with unit_of_work(sessions) as db:
        assert access.authenticate(db, email=other_org.emails[Role.OWNER], password=PASSWORD)


def test_password_reset_revokes_the_members_tokens(
    sessions: sessionmaker[Session], org: Org
) -> None:
    manager = org.contexts[Role.MANAGER]
    with unit_of_work(sessions, manager.actor) as db:
        viewer = access.list_members(db, manager, ListParams(filters={"role": "viewer"})).items[0]
        access.reset_password(db, manager, viewer.id)
    with unit_of_work(sessions) as db, pytest.raises(NotAuthenticated):
        access.resolve_token(db, org.tokens[Role.VIEWER])


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(
    sessions: sessionmaker[Session], org: Org
) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def guess() -> None:
        start.wait(timeout=10)
        try:
            with unit_of_work(sessions) as db:
                try:
                    access.authenticate(db, email=org.emails[Role.OWNER], password="wrong guess!!")
                except (NotAuthenticated, TooManyAttempts) as exc:
                    outcomes.append(type(exc).__name__)
        except Exception as exc:
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(set(outcomes)) == ["NotAuthenticated", "TooManyAttempts"]
    assert outcomes.count("NotAuthenticated") == 5


def test_an_editor_of_the_content_may_not_approve_it(db: Session, org: Org) -> None:
    contributor, manager = org.contexts[Role.CONTRIBUTOR], org.contexts[Role.MANAGER]
    db.info["actor"] = contributor.actor
    note = approval.create_first(db, contributor, ApprovalNote, {"title": "Policy", "body": "v1"})
    db.info["actor"] = manager.actor
    approval.edit(db, manager, note, version=note.version, content={"body": "the manager's text"})
    db.info["actor"] = contributor.actor
    approval.edit(db, contributor, note, version=note.version, content={"title": "Policy!"})
    approval.submit(db, contributor, note, version=note.version)
    db.info["actor"] = manager.actor
    with pytest.raises(PermissionDenied, match="edited"):
        approval.approve(db, manager, note, version=note.version)
    approval.approve(db, org.contexts[Role.OWNER], note, version=note.version)


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "draft"), ("approved_by_id", None), ("revision", 9), ("deleted_at", "now")],
)
def test_nothing_but_superseding_changes_an_approved_version(
    db: Session, org: Org, field: str, value: object
) -> None:
    from aims.store.types import utcnow

    contributor = org.contexts[Role.CONTRIBUTOR]
    db.info["actor"] = contributor.actor
    note = approval.create_first(db, contributor, ApprovalNote, {"title": "t", "body": "b"})
    approval.submit(db, contributor, note, version=note.version)
    approval.approve(db, org.contexts[Role.MANAGER], note, version=note.version)
    setattr(note, field, utcnow() if value == "now" else value)
    with pytest.raises(ImmutableVersion):
        db.flush()


def test_two_owners_demoting_each_other_at_once_keep_an_owner(
    sessions: sessionmaker[Session], org: Org
) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        manager_member = access.list_members(
            db, owner, ListParams(filters={"role": "manager"})
        ).items[0]
        access.change_role(
            db, owner, manager_member.id, role="owner", version=manager_member.version
        )
    with unit_of_work(sessions) as db:
        owners = access.list_members(db, owner, ListParams(filters={"role": "owner"})).items
        contexts = [access.context_for(db, user=m.user, organisation_id=org.id) for m in owners]
        targets = [(m.id, m.version) for m in reversed(owners)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def demote(ctx: object, target: tuple[object, int]) -> None:
        start.wait(timeout=10)
        try:
            with unit_of_work(sessions, ctx.actor) as db:  # type: ignore[attr-defined]
                access.change_role(db, ctx, target[0], role="viewer", version=target[1])  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=demote, args=(c, t)) for c, t in zip(contexts, targets, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(errors) == 1 and isinstance(errors[0], PermissionDenied)
    with unit_of_work(sessions) as db:
        assert len(access.list_members(db, owner, ListParams(filters={"role": "owner"})).items) == 1


def test_removing_a_whole_chain_is_detected(
    engine: Engine, sessions: sessionmaker[Session], org: Org
) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(AuditEvent.__table__).where(AuditEvent.__table__.c.chain == str(org.id))
        )
        conn.execute(
            delete(AuditChainHead.__table__).where(AuditChainHead.__table__.c.chain == str(org.id))
        )
    with unit_of_work(sessions) as db:
        report = audit.verify(db)
    assert [p.chain for p in report.problems] == [str(org.id)]
    assert "whole chain was removed" in report.problems[0].reason


def test_a_backup_without_its_audit_trail_is_refused(
    engine: Engine, org: Org, tmp_path: Path
) -> None:
    file = tmp_path / "b.gz"
    backup.backup(engine, file)
    with gzip.open(file, "rt") as fh:
        doc = json.load(fh)
    del doc["tables"]["audit_events"], doc["tables"]["audit_chain_heads"]
    with gzip.open(file, "wt") as fh:
        json.dump(doc, fh)
    with pytest.raises(backup.RestoreRefused, match="whole chain was removed"):
        backup.verify_backup(backup.read_backup(file))


@pytest.mark.parametrize(
    "document",
    [
        {"format": "aims-backup", "format_version": 1, "schema_revision": "0001"},
        {"format": "aims-backup", "format_version": 1, "schema_revision": "0001",
         "tables": {"users": {"columns": ["id"], "rows": [[1, 2]]}}},
        {"format": "aims-backup", "format_version": 1, "schema_revision": "9999", "tables": {}},
    ],
)  # fmt: skip
def test_malformed_backups_are_a_clear_error(tmp_path: Path, document: dict) -> None:  # type: ignore[type-arg]
    file = tmp_path / "x.gz"
    with gzip.open(file, "wt") as fh:
        json.dump(document, fh)
    with pytest.raises(ValidationFailed):
        backup.read_backup(file)


def test_database_passwords_never_appear_in_errors() -> None:
    with pytest.raises(Exception) as info:
        parse_url("mysql://admin:S3cretPW@db.example/x")
    assert "S3cretPW" not in str(info.value)
    with pytest.raises(Exception) as info:
        parse_url("S3cretPW not a url")
    assert "S3cretPW" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/members?cursor=WzFlMzAsIDFd",  # a cursor holding [1e30, 1]
        "/api/v1/audit/events?since=9999-12-31T23:59:59-05:00",
        "/api/v1/members?q=a%00b",
    ],
)
def test_odd_query_values_never_fail_the_server(client: TestClient, org: Org, url: str) -> None:
    response = client.get(url, headers=org.headers())
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["errors"]


def test_nul_characters_are_refused_with_the_field_named(client: TestClient, org: Org) -> None:
    response = client.post(
        "/api/v1/comments",
        json={"subject_type": "catalog", "subject_id": "A.2.2", "body": "a\x00b"},
        headers=org.headers(Role.AUDITOR),
    )
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "body"]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient, org: Org) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(12):
            yield b"x" * (1024 * 1024)

    response = client.post(
        "/api/v1/tokens",
        content=chunks(),
        headers={**org.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_responses_are_not_cached(client: TestClient, org: Org) -> None:
    assert (
        client.get("/api/v1/tokens", headers=org.headers()).headers["cache-control"] == "no-store"
    )
    assert client.get("/login").headers["cache-control"] == "no-store"
