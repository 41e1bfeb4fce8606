"""Tables of the evidence store: items (a stored file, a link, or a record in aims) and the
links from an item to what it supports (control implementations, controls, clauses, systems)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped


class EvidenceItem(Record, Base):
    """One piece of evidence. A file's bytes live outside the database, named by their SHA-256."""

    __tablename__ = "evidence_items"

    kind: Mapped[str] = mapped_column(String(10), index=True)  # file | link | record
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    evidence_date: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    url: Mapped[str] = mapped_column(String(2000), default="")
    record_type: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)

    owner = relationship("User", foreign_keys="EvidenceItem.owner_id", lazy="joined")


class EvidenceLink(IdMixin, OrgScoped, Stamped, Base):
    """An item supports a target: ``implementation`` (id), ``control`` (Annex A id or own code),
    ``clause`` (catalogue id) or ``system`` (id)."""

    __tablename__ = "evidence_links"
    __table_args__ = (UniqueConstraint("evidence_id", "target_type", "target_id"),)

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
