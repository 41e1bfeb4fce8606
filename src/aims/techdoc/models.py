"""The event-log record of an AI system (A.6.2.8; EU AI Act Art. 12, 19, 26(6))."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class EventLogRecord(Record, Base):
    """Where one AI system's event logs are kept, what they capture, for how long and who can
    read them. One live record per system (the service keeps it so)."""

    __tablename__ = "event_log_records"

    system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    log_system: Mapped[str] = mapped_column(String(200), default="")  # e.g. Splunk, BigQuery
    location: Mapped[str] = mapped_column(String(500), default="")  # index, bucket, table
    captures: Mapped[list[str]] = mapped_column(JSON, default=list)  # capture item ids
    capture_notes: Mapped[str] = mapped_column(Text, default="")
    retention_months: Mapped[int | None] = mapped_column(Integer, default=None)
    access: Mapped[str] = mapped_column(Text, default="")  # who can read the logs
    tamper_evident: Mapped[bool | None] = mapped_column(Boolean, default=None)
    last_reviewed: Mapped[date | None] = mapped_column(Date, default=None)

    system = relationship("AISystem", lazy="joined")
