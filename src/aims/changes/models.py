"""The change records of the AIMS (6.3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class ChangeRecord(Record, Base):
    """One planned change to the AI management system, from proposal to its review."""

    __tablename__ = "change_records"
    __table_args__ = (UniqueConstraint("organisation_id", "ref"),)

    ref: Mapped[str] = mapped_column(String(20))  # CH-001, per organisation
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    consequences: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    responsibilities: Mapped[str] = mapped_column(Text, default="")
    affected: Mapped[str] = mapped_column(Text, default="")  # processes, documents, controls
    system_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    planned_date: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    completed_date: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")

    owner = relationship("User", foreign_keys="ChangeRecord.owner_id", lazy="joined")
    approved_by = relationship("User", foreign_keys="ChangeRecord.approved_by_id", lazy="joined")
