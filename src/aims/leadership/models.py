"""Resources top management commits to the AIMS (5.1 e, 7.1)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class ResourceCommitment(Record, Base):
    """One resource promised for the AIMS, by whom, for what and for how long."""

    __tablename__ = "resource_commitments"

    kind: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(String(500))
    amount: Mapped[str] = mapped_column(String(200), default="")  # "2 FTE", "EUR 120,000"
    purpose: Mapped[str] = mapped_column(Text, default="")
    committed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    committed_on: Mapped[date] = mapped_column(Date)
    starts: Mapped[date | None] = mapped_column(Date, default=None)
    until: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default="committed", index=True)

    committed_by = relationship("User", foreign_keys=[committed_by_id], lazy="joined")
