"""A test-only record that uses the shared approval mechanism (like documents will)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aims.approval.models import ApprovableVersion
from aims.store.base import Base, Record


class ApprovalNote(ApprovableVersion, Record, Base):
    __tablename__ = "test_approval_notes"
    __approval_fields__ = ("title", "body")

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
