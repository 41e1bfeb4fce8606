"""Tables of AI objectives (6.2, A.6.1.2, A.9.3) and the measurements taken against them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class Objective(Record, Base):
    """One AI objective: a metric, a target in a direction, a due date and an owner."""

    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    code: Mapped[str] = mapped_column(String(20))  # OBJ-001, per organisation
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40), index=True)  # rules.Kind
    annex_c: Mapped[str] = mapped_column(String(80), index=True)  # an Annex C objective id
    system_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ai_systems.id"), index=True, default=None
    )
    metric: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(20))  # rules.Direction
    target: Mapped[float] = mapped_column(Float)
    tolerance: Mapped[float | None] = mapped_column(Float, default=None)
    range_min: Mapped[float | None] = mapped_column(Float, default=None)
    range_max: Mapped[float | None] = mapped_column(Float, default=None)
    baseline: Mapped[float | None] = mapped_column(Float, default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    resources: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)

    system = relationship("AISystem", lazy="joined")
    owner = relationship("User", foreign_keys="Objective.owner_id", lazy="joined")


class Measurement(Record, Base):
    """One measured value of an objective's metric on a date. ``source`` says where it came
    from ("manual" for now; monitoring runs may feed it later, naming the run in source_ref)."""

    __tablename__ = "objective_measurements"

    objective_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("objectives.id"), index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))
    measured_at: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default="manual")
    source_ref: Mapped[str] = mapped_column(String(200), default="")
