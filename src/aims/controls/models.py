"""Tables of control implementations (one per control and scope) and the checks made of them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped

ORGANISATION_SCOPE = "organisation"


class ControlImplementation(Record, Base):
    """How one control (Annex A id or own control code) is implemented in one scope: the whole
    organisation (``system_id`` empty) or one AI system."""

    __tablename__ = "control_implementations"
    __table_args__ = (UniqueConstraint("organisation_id", "control_id", "scope_key"),)

    control_id: Mapped[str] = mapped_column(String(40), index=True)
    system_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ai_systems.id"), index=True, default=None
    )
    # "organisation" or the system's id: one implementation per (control, scope), which a
    # unique constraint over a nullable column would not enforce.
    scope_key: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    status: Mapped[str] = mapped_column(String(30), default="planned", index=True)
    check_months: Mapped[int | None] = mapped_column(Integer, default=None)
    last_checked: Mapped[date | None] = mapped_column(Date, default=None)
    last_result: Mapped[str | None] = mapped_column(String(30), default=None)
    last_note: Mapped[str] = mapped_column(Text, default="")
    next_check: Mapped[date | None] = mapped_column(Date, default=None, index=True)

    system = relationship("AISystem", lazy="joined")
    owner = relationship("User", foreign_keys="ControlImplementation.owner_id", lazy="joined")


class ControlCheck(IdMixin, OrgScoped, Stamped, Base):
    """One check of an implementation: when, what it found, and a note (kept as history)."""

    __tablename__ = "control_checks"

    implementation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("control_implementations.id", ondelete="CASCADE"), index=True
    )
    checked_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
