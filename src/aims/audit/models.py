"""Audit events and the head of each hash chain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aims.store.base import Base


class AuditEvent(Base):
    """One change to one record. Rows are only ever inserted; ``hash`` chains them.

    Each organisation has its own chain (``chain`` is its id); changes to records that belong
    to no organisation (people's accounts) form the ``global`` chain.
    """

    __tablename__ = "audit_events"
    __audit__ = False
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(320))
    record_type: Mapped[str] = mapped_column(String(80), index=True)
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last event of each chain, so that removing the newest events is detected too.

    Appends lock this row (PostgreSQL ``FOR UPDATE``), which keeps concurrent writers from
    forking a chain.
    """

    __tablename__ = "audit_chain_heads"
    __audit__ = False

    chain: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
