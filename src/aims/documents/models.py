"""Tables of controlled documents: the document, its versions and approvals, links between
documents, and publications with their acknowledgements and reminders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.approval.models import ApprovableVersion
from aims.store.base import Base, Record


class Document(Record, Base):
    """A controlled document (7.5): what it is, who owns it, how it is classified and reviewed.

    Its text lives in versions (``DocumentVersion``, one series per document). ``status`` and
    ``next_review_on`` follow the versions and reviews so lists can filter on them.
    """

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    classification: Mapped[str] = mapped_column(String(20), default="internal")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    review_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    retention_months: Mapped[int | None] = mapped_column(Integer, default=None)
    # Who may approve its versions (empty: the approval life cycle's default roles) and how
    # many different people must approve before a version takes effect.
    approver_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    quorum: Mapped[int] = mapped_column(Integer, default=1)
    is_ai_policy: Mapped[bool] = mapped_column(default=False, index=True)
    series_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date, default=None)
    next_review_on: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    owner = relationship("User", foreign_keys="Document.owner_id", lazy="joined")


class DocumentVersion(ApprovableVersion, Record, Base):
    """One version of a document's text; approved versions never change (7.5.3)."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "series_id", "revision"),)
    __approval_label__ = "This document version"
    __approval_fields__ = ("body", "change_summary", "effective_date", "checklist")

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    change_summary: Mapped[str] = mapped_column(String(500), default="")
    effective_date: Mapped[date | None] = mapped_column(Date, default=None)
    # The AI policy only: checklist item id -> {"addressed": bool, "section": str}.
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    author = relationship("User", foreign_keys="DocumentVersion.author_id", lazy="joined")
    approver = relationship("User", foreign_keys="DocumentVersion.approved_by_id", lazy="joined")
    document = relationship("Document", foreign_keys=[document_id], lazy="joined")

    def approval_caption(self) -> str:
        return f"{self.document.code} {self.document.title}, revision {self.revision}"

    def approval_url(self) -> str | None:
        return f"/documents/{self.document_id}?revision={self.revision}"


class DocumentApproval(Record, Base):
    """One person's approval of a version; the version is approved when enough have agreed.

    Sending a version back to draft withdraws its approvals (soft delete: they stay on record).
    """

    __tablename__ = "document_approvals"

    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_versions.id"), index=True)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    approver_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    role: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(2000), default="")
    approved_at: Mapped[datetime]

    approver = relationship("User", foreign_keys="DocumentApproval.approver_id", lazy="joined")


class DocumentLink(Record, Base):
    """A document that another must stay consistent with (A.2.3), and how they align."""

    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("organisation_id", "document_id", "target_id"),)

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    target_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    target = relationship("Document", foreign_keys="DocumentLink.target_id", lazy="joined")


class Publication(Record, Base):
    """An approved version made known to people (7.3); ends when superseded or retired."""

    __tablename__ = "document_publications"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_versions.id"), index=True)
    everyone: Mapped[bool] = mapped_column(default=False)
    people: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(2000), default="")
    published_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    ended_reason: Mapped[str] = mapped_column(String(40), default="")


class Acknowledgement(Record, Base):
    """One person asked to read a published version, and when they confirmed they had."""

    __tablename__ = "document_acknowledgements"
    __table_args__ = (UniqueConstraint("organisation_id", "publication_id", "user_id"),)

    publication_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_publications.id"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_versions.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)

    user = relationship("User", foreign_keys="Acknowledgement.user_id", lazy="joined")
    document = relationship("Document", foreign_keys="Acknowledgement.document_id", lazy="joined")


class Reminder(Record, Base):
    """A chase: everyone still owing an acknowledgement was reminded (count and time)."""

    __tablename__ = "document_reminders"

    publication_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_publications.id"), index=True
    )
    sent_at: Mapped[datetime]
    outstanding: Mapped[int] = mapped_column(Integer)
    user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
