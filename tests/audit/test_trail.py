"""The audit hook on both databases: every change is logged, and tampering is detected."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
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
    """Several units of work append to one chain at the same moment: PostgreSQL queues them
    on the chain head's row lock, SQLite on its write lock; every change lands and the chain
    stays one line."""
    owner = org.contexts[Role.OWNER]
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            with unit_of_work(sessions, owner.actor) as db:
                access.add_member(
                    db, owner, email=f"c{n}@acme.example", full_name="", role="viewer"
                )
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert failures == []
    with unit_of_work(sessions) as db:
        report = audit.verify(db)
        assert report.ok, report.problems
        emails = {m.user.email for m in access.list_members(db, owner, ListParams(limit=200)).items}
        seqs = [e.seq for e in events(db, org)]
    assert {f"c{n}@acme.example" for n in range(4)} <= emails
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
