"""The communication plan (7.4): what, when, with whom, how and who."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class CommunicationItem(Record, Base):
    """One line of the plan; ``last_done`` moves on each time it is carried out."""

    __tablename__ = "communication_items"

    topic: Mapped[str] = mapped_column(String(300))  # what
    audience: Mapped[str] = mapped_column(String(500))  # with whom
    direction: Mapped[str] = mapped_column(String(20), default="internal", index=True)
    channel: Mapped[str] = mapped_column(String(300), default="")  # how
    timing: Mapped[str] = mapped_column(String(500), default="")  # when, in words
    frequency: Mapped[str] = mapped_column(String(20), default="once")
    first_due: Mapped[date | None] = mapped_column(Date, default=None)
    last_done: Mapped[date | None] = mapped_column(Date, default=None)
    next_due: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    communicator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    notes: Mapped[str] = mapped_column(Text, default="")

    communicator = relationship("User", foreign_keys=[communicator_id], lazy="joined")
