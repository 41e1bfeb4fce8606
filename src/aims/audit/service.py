"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.models import Organisation, User
from aims.access.rules import Permission
from aims.audit.hook import GLOBAL_CHAIN
from aims.audit.models import AuditChainHead, AuditEvent
from aims.audit.rules import EventData, StoredEvent, VerifyReport, verify_chain
from aims.store.listing import ListParams, ListSpec, Page, paginate

EVENT_LIST = ListSpec(
    id_column=AuditEvent.id,
    sortable={"occurred_at": AuditEvent.occurred_at, "seq": AuditEvent.seq},
    default_sort="-seq",
    filterable={
        "record_type": AuditEvent.record_type,
        "record_id": AuditEvent.record_id,
        "action": AuditEvent.action,
        "actor": AuditEvent.actor_label,
    },
    searchable=(AuditEvent.actor_label, AuditEvent.record_type, AuditEvent.record_id),
)


def list_events(db: Session, ctx: Context, params: ListParams) -> Page[AuditEvent]:
    """The organisation's events, newest first by default."""
    ctx.require(Permission.READ_AUDIT)
    stmt = select(AuditEvent).where(AuditEvent.chain == str(ctx.organisation_id))
    return paginate(db, stmt, EVENT_LIST, params)


def record_types(db: Session, ctx: Context) -> list[str]:
    ctx.require(Permission.READ_AUDIT)
    stmt = (
        select(AuditEvent.record_type)
        .where(AuditEvent.chain == str(ctx.organisation_id))
        .distinct()
        .order_by(AuditEvent.record_type)
    )
    return list(db.scalars(stmt).all())


def _stored(event: Any) -> StoredEvent:
    """An event row (ORM object or plain row: both have the same attribute names)."""
    return StoredEvent(
        row_id=event.id,
        hash=event.hash,
        data=EventData(
            chain=event.chain,
            seq=event.seq,
            occurred_at=event.occurred_at,
            organisation_id=str(event.organisation_id) if event.organisation_id else None,
            actor_id=str(event.actor_id) if event.actor_id else None,
            actor_label=event.actor_label,
            record_type=event.record_type,
            record_id=event.record_id,
            action=event.action,
            changes=event.changes,
            prev_hash=event.prev_hash,
        ),
    )


def _events(db: Session, chain: str) -> Iterator[StoredEvent]:
    # Plain rows, not ORM objects: verification reads every event and keeps none.
    table = AuditEvent.__table__
    stmt = (
        select(table)
        .where(table.c.chain == chain)
        .order_by(table.c.seq, table.c.id)
        .execution_options(yield_per=1000)
    )
    for row in db.execute(stmt):
        yield _stored(row)


def expected_chains(organisation_ids: Iterable[object], *, any_users: bool) -> set[str]:
    """The chains that must exist: one per organisation, and the global one once people do."""
    expected = {str(i) for i in organisation_ids}
    if any_users:
        expected.add(GLOBAL_CHAIN)
    return expected


def verify(db: Session, *, chain: str | None = None) -> VerifyReport:
    """Walk every chain (or one) and report the first broken event of each."""
    heads = {h.chain: (h.seq, h.hash) for h in db.scalars(select(AuditChainHead))}
    required = expected_chains(
        db.scalars(select(Organisation.id)),
        any_users=db.scalar(select(User.id).limit(1)) is not None,
    )
    chains = set(heads) | set(db.scalars(select(AuditEvent.chain).distinct())) | required
    if chain is not None:
        chains = {chain}
    problems = []
    checked = 0
    for name in sorted(chains):
        counter = _Counter(_events(db, name))
        problem = verify_chain(name, counter, heads.get(name), required=name in required)
        checked += counter.count
        if problem:
            problems.append(problem)
    return VerifyReport(checked=checked, chains=len(chains), problems=problems)


def chain_heads(db: Session) -> list[AuditChainHead]:
    """The newest event of each chain: worth copying outside the database now and then, since
    someone able to write to the database could otherwise rewrite a chain and its hashes."""
    return list(db.scalars(select(AuditChainHead).order_by(AuditChainHead.chain)))


def verify_organisation(db: Session, ctx: Context) -> VerifyReport:
    ctx.require(Permission.READ_AUDIT)
    return verify(db, chain=str(ctx.organisation_id))


class _Counter:
    """Counts the events a verification walked."""

    def __init__(self, events: Iterator[StoredEvent]) -> None:
        self._events = events
        self.count = 0

    def __iter__(self) -> Iterator[StoredEvent]:
        for event in self._events:
            self.count += 1
            yield event
