"""Hashing and verification of the audit chain (pure functions over plain values)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Turn a column value into plain JSON (the same text on SQLite and PostgreSQL)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


@dataclass(frozen=True)
class EventData:
    """The hashed content of one event (everything but its own hash)."""

    chain: str
    seq: int
    occurred_at: datetime
    organisation_id: str | None
    actor_id: str | None
    actor_label: str
    record_type: str
    record_id: str
    action: str
    changes: Mapping[str, Any]
    prev_hash: str

    def payload(self) -> str:
        body = {
            "chain": self.chain,
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "organisation_id": self.organisation_id,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "action": self.action,
            "changes": jsonable(self.changes),
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event: EventData) -> str:
    """SHA-256 of the event's canonical JSON, which includes the previous event's hash."""
    return hashlib.sha256(event.payload().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the database: its data, its row id and its stored hash."""

    row_id: int
    data: EventData
    hash: str


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    row_id: int | None
    seq: int | None
    reason: str


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    chains: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    chain: str,
    events: Iterable[StoredEvent],
    head: tuple[int, str] | None,
    *,
    required: bool = False,
) -> ChainProblem | None:
    """Check one chain (events ordered by ``seq``); return the first problem, or None.

    Detects an altered event (its hash no longer matches its content), a removed or reordered
    event (a gap in ``seq`` or a ``prev_hash`` that is not the previous event's hash), and
    removal of the newest events (the chain head names a later event). A ``required`` chain
    (one whose organisation exists) with no events and no head was removed whole.
    """
    expected_prev = GENESIS
    expected_seq = 1
    last: StoredEvent | None = None
    for event in events:
        if event.data.seq != expected_seq:
            return ChainProblem(
                chain,
                event.row_id,
                event.data.seq,
                f"expected event number {expected_seq} but found number {event.data.seq}: "
                "events were removed or reordered",
            )
        if event.data.prev_hash != expected_prev:
            return ChainProblem(
                chain,
                event.row_id,
                event.data.seq,
                "its link to the previous event is broken: events were removed or reordered",
            )
        if event_hash(event.data) != event.hash:
            return ChainProblem(
                chain,
                event.row_id,
                event.data.seq,
                "its content does not match its hash: the event was altered",
            )
        expected_prev = event.hash
        expected_seq += 1
        last = event
    if head is not None:
        head_seq, head_hash = head
        last_seq = last.data.seq if last else 0
        if head_seq != last_seq or (last is not None and head_hash != last.hash):
            return ChainProblem(
                chain,
                None,
                last_seq + 1 if head_seq > last_seq else head_seq,
                f"the chain head records event number {head_seq} but the log ends at "
                f"number {last_seq}: events at the end were removed or altered",
            )
    elif last is not None:
        return ChainProblem(chain, None, None, "the chain has events but no recorded head")
    elif required:
        return ChainProblem(
            chain,
            None,
            1,
            "the chain has no events at all although its records exist: "
            "the whole chain was removed",
        )
    return None
