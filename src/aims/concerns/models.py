"""Tables of concern reporting: the organisation's settings, concerns, their timeline, and the
public form's attempts (for the rate limit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped, Versioned
from aims.store.types import utcnow

# What a concern says is for its handlers only: the audit trail records that these fields
# changed, never their values (the audit log is read by roles that may not be handlers).
# Which AI system a concern is about and how severe it was judged are content too.
CONTENT = frozenset(
    {"summary", "description", "occurred", "contact", "outcome", "reporter_message",
     "receipt_hash", "category", "reporter_id", "system_id", "severity"}
)  # fmt: skip


class ConcernSettings(IdMixin, OrgScoped, Stamped, Versioned, Base):
    """How the organisation takes concerns (A.3.3): one row each, defaults until saved."""

    __tablename__ = "concern_settings"
    __table_args__ = (UniqueConstraint("organisation_id"),)
    __audit_redact__ = frozenset({"link_token", "rate_salt"})

    anonymous_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The public link is /report/<link_token>; a new token revokes the old link.
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    handler_roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    intro: Mapped[str] = mapped_column(Text, default="")
    # Key of the rate limit's hash of client addresses (never leaves the database).
    rate_salt: Mapped[str] = mapped_column(String(64))


class Concern(Record, Base):
    """One concern raised about an AI system or about AI in the organisation generally."""

    __tablename__ = "concerns"
    __table_args__ = (UniqueConstraint("organisation_id", "ref"),)
    __audit_redact__ = CONTENT

    ref: Mapped[str] = mapped_column(String(20))  # C-001, per organisation
    channel: Mapped[str] = mapped_column(String(10))  # member | public
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who raised it: only for a member who chose to be named. Anonymous concerns keep no
    # link to a person anywhere (no reporter, no creator stamp, no actor in the audit trail).
    reporter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    system_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ai_systems.id"), index=True, default=None
    )
    category: Mapped[str] = mapped_column(String(30), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    occurred: Mapped[str] = mapped_column(String(300), default="")  # when, in their words
    contact: Mapped[str] = mapped_column(String(300), default="")  # given voluntarily
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    severity: Mapped[str | None] = mapped_column(String(10), default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")  # internal
    reporter_message: Mapped[str] = mapped_column(Text, default="")  # on the receipt page
    # When what the reporter sees (status, message) last changed.
    reporter_updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    risk_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("risks.id"), default=None)

    system = relationship("AISystem", lazy="joined")
    owner = relationship("User", foreign_keys="Concern.owner_id", lazy="joined")
    reporter = relationship("User", foreign_keys="Concern.reporter_id", lazy="joined")
    risk = relationship("Risk", lazy="joined")


class ConcernNote(IdMixin, OrgScoped, Stamped, Base):
    """One entry of a concern's timeline: a handler's note or a recorded change (who and when
    are the stamps)."""

    __tablename__ = "concern_notes"
    __audit_redact__ = frozenset({"body"})

    concern_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="note")  # note | change
    body: Mapped[str] = mapped_column(Text)

    author = relationship("User", foreign_keys="ConcernNote.created_by_id", lazy="joined")


class ConcernAttempt(IdMixin, OrgScoped, Base):
    """One submission of the public form, kept for the length of the rate-limit window. The key
    is a keyed hash of organisation and client address; the address is never stored."""

    __tablename__ = "concern_attempts"
    __audit__ = False

    key: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
