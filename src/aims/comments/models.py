"""The comments table."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aims.store.base import Base, Record


class Comment(Record, Base):
    """A remark on one subject: a catalogue entry, a member, later any record."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_subject", "organisation_id", "subject_type", "subject_id"),
    )

    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
