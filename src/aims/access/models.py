"""Tables for organisations, people, their roles, API tokens, web sessions and login failures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, SoftDeleted, Stamped, Versioned
from aims.store.types import utcnow


class Organisation(IdMixin, Stamped, Versioned, SoftDeleted, Base):
    """A tenant: every other record belongs to exactly one organisation."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)


class User(IdMixin, Stamped, Versioned, Base):
    """A person who can sign in; may belong to several organisations."""

    __tablename__ = "users"
    __audit_redact__ = frozenset({"password_hash"})
    __audit_ignore__ = Base.__audit_ignore__ | {"last_login_at"}

    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class Membership(Record, Base):
    """A user's role in one organisation."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    job_title: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class ApiToken(IdMixin, OrgScoped, Stamped, Base):
    """A bearer token for the API: only its SHA-256 is kept; the secret is shown once."""

    __tablename__ = "api_tokens"
    __audit_redact__ = frozenset({"token_hash"})
    __audit_ignore__ = Base.__audit_ignore__ | {"last_used_at"}

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class WebSession(Base):
    """A signed-in browser: the cookie holds a secret whose SHA-256 is the key here."""

    __tablename__ = "web_sessions"
    __audit__ = False

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginFailure(IdMixin, Base):
    """One failed sign-in, kept briefly to throttle guessing (shared by every app instance)."""

    __tablename__ = "login_failures"
    __audit__ = False

    key: Mapped[str] = mapped_column(String(320), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
