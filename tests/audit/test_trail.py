"""The audit hook on both databases: every change is logged, and tampering is detected."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aims.access import service as access
from aims.access.rules import Role
from aims.audit import service as audit
from aims.audit.models import AuditEvent
from aims.store.engine import unit_of_work
from aims.store.listing import ListParams
from tests.conftest import Org


def events(db: Session, org: Org, **filters: str) -> list[AuditEvent]:
    return audit.list_events(
        db, org.contexts[Role.OWNER], ListParams(limit=200, filters=filters)
    ).items


def test_create_update_delete_each_append_an_event_with_before_and_after(
    sessions: sessionmaker[Session], org: Org
) -> None:
    owner = org.contexts[Role.OWNER]
    with unit_of_work(sessions, owner.actor) as db:
        new = access.add_member(db, owner, email="eve@acme.example", full_name="Eve", role="viewer")
        member_id = new.membership.id
    with unit_of_work(sessions, owner.actor) as db:
        access.change_role(db, owner, member_id, role="contributor", version=1)
    with unit_of_work(sessions, owner.actor) as db:
        access.remove_member(db, owner, member_id, version=2)
    with unit_of_work(sessions) as db:
        trail = events(db, org, record_id=str(member_id))
        assert [e.action for e in reversed(trail)] == ["create", "update", "delete"]
        created, updated, deleted = reversed(trail)
        assert created.changes["role"] == {"before": None, "after": "viewer"}
        assert updated.changes == {"role": {"before": "viewer", "after": "contributor"}}
        assert deleted.changes["deleted_at"]["before"] is None
        assert {e.actor_label for e in trail} == {owner.label}
        assert all(e.actor_id == owner.user_id for e in trail)


def test_secrets_never_reach_the_log(sessions: sessionmaker[Session], org: Org) -> None:
    with unit_of_work(sessions) as db:
        user_events = db.scalars(select(AuditEvent).where(AuditEvent.record_type == "users")).all()
        token_events = db.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "api_tokens")
        ).all()
        assert user_events and token_events
        assert all(e.changes["password_hash"]["after"] == "***" for e in user_events)
        assert all(e.changes["token_hash"]["after"] == "***" for e in token_events)


def test_the_audit_log_is_append_only_through_the_orm(
    sessions: sessionmaker[Session], org: Org
) -> None:
    with pytest.raises(RuntimeError, match="append-only"), unit_of_work(sessions) as db:
        event = db.scalars(select(AuditEvent)).first()
        assert event is not None
        event.actor_label = "mallory"
        db.flush()


def test_a_fresh_database_verifies(sessions: sessionmaker[Session], org: Org) -> None:
    with unit_of_work(sessions) as db:
        report = audit.verify(db)
    assert report.ok and report.checked > 10


@pytest.mark.parametrize("tamper", ["alter", "delete", "reorder", "truncate_tail"])
def test_tampering_in_the_database_is_named(
    engine: Engine, sessions: sessionmaker[Session], org: Org, tamper: str
) -> None:
    chain = str(org.id)
    with engine.begin() as conn:
        rows = conn.execute(
            select(AuditEvent.id, AuditEvent.seq)
            .where(AuditEvent.chain == chain)
            .order_by(AuditEvent.seq)
        ).all()
        third, fourth, last = rows[2], rows[3], rows[-1]
        table = AuditEvent.__table__
        if tamper == "alter":
            conn.execute(update(table).where(table.c.id == third.id).values(actor_label="mallory"))
            expected = 3
        elif tamper == "delete":
            conn.execute(table.delete().where(table.c.id == third.id))
            expected = 4
        elif tamper == "reorder":
            conn.execute(update(table).where(table.c.id == third.id).values(seq=-1))
            conn.execute(update(table).where(table.c.id == fourth.id).values(seq=3))
            conn.execute(update(table).where(table.c.id == third.id).values(seq=4))
            expected = 3
        else:
            conn.execute(table.delete().where(table.c.id == last.id))
            expected = last.seq
    with unit_of_work(sessions) as db:
        report = audit.verify(db)
    assert not report.ok
    [problem] = report.problems
    assert problem.chain == chain and problem.seq == expected


def test_events_are_listed_newest_first_with_filters(
    sessions: sessionmaker[Session], org: Org
) -> None:
    with unit_of_work(sessions) as db:
        all_events = events(db, org)
        seqs = [e.seq for e in all_events]
        assert seqs == sorted(seqs, reverse=True)
        tokens = events(db, org, record_type="api_tokens")
        assert tokens and all(e.record_type == "api_tokens" for e in tokens)
        assert events(db, org, action="delete") == []


def test_each_organisation_sees_only_its_own_chain(
    sessions: sessionmaker[Session], org: Org, other_org: Org
) -> None:
    with unit_of_work(sessions) as db:
        mine = events(db, org)
        assert {e.organisation_id for e in mine} == {org.id}


def test_concurrent_writers_never_fork_a_chain(sessions: sessionmaker[Session], org: Org) -> None:
    """Two units of work append to one chain at once: the second waits for the first
    (PostgreSQL locks the chain head) or fails whole (SQLite refuses its stale snapshot);
    the chain never forks."""
    owner = org.contexts[Role.OWNER]
    first = sessions()
    first.info["actor"] = owner.actor
    second = sessions()
    second.info["actor"] = owner.actor
    outcome: dict[str, object] = {}

    def write_second() -> None:
        try:
            access.add_member(second, owner, email="a2@acme.example", full_name="", role="viewer")
            second.commit()
            outcome["second"] = "committed"
        except OperationalError as exc:
            second.rollback()
            outcome["second"] = exc
        finally:
            second.close()

    try:
        # The second session takes its snapshot before the first one writes.
        second.execute(select(AuditEvent.id).limit(1)).all()
        access.add_member(first, owner, email="a1@acme.example", full_name="", role="viewer")
        worker = threading.Thread(target=write_second)
        worker.start()
        worker.join(timeout=0.5)
        first.commit()
        worker.join(timeout=30)
    finally:
        first.close()
    assert not worker.is_alive()
    with unit_of_work(sessions) as db:
        assert audit.verify(db).ok
        emails = {m.user.email for m in access.list_members(db, owner, ListParams(limit=200)).items}
    assert "a1@acme.example" in emails
    assert ("a2@acme.example" in emails) == (outcome["second"] == "committed")
