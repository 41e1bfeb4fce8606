"""Tables of the inventory: AI systems, components, parties, links and classifications."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped
from aims.store.types import utcnow


class Party(Record, Base):
    """A third party that supplies a component (a supplier, a model provider, a data broker).

    A simple record for now; the supplier capability deepens it (A.10.3).
    """

    __tablename__ = "parties"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="supplier")
    website: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(500), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class AISystem(Record, Base):
    """One AI system in the register (ISO/IEC 42001 A.4.2, A.6.2.2, A.9.4; clause 4.3)."""

    __tablename__ = "ai_systems"

    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    intended_use: Mapped[str] = mapped_column(Text, default="")
    foreseeable_misuse: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    business_unit: Mapped[str] = mapped_column(String(200), default="")
    lifecycle_stage: Mapped[str] = mapped_column(String(40), default="inception", index=True)
    ai_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    operator_role: Mapped[str | None] = mapped_column(String(40), default=None)
    used_in_eu: Mapped[bool | None] = mapped_column(Boolean, default=None)
    users_description: Mapped[str] = mapped_column(Text, default="")
    affected_persons: Mapped[str] = mapped_column(Text, default="")
    vulnerable_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    automation_level: Mapped[str | None] = mapped_column(String(40), default=None)
    human_oversight: Mapped[str] = mapped_column(Text, default="")
    decisions_about_people: Mapped[str | None] = mapped_column(String(20), default=None)
    personal_data: Mapped[bool | None] = mapped_column(Boolean, default=None)
    special_category_data: Mapped[bool | None] = mapped_column(Boolean, default=None)
    biometric_data: Mapped[bool | None] = mapped_column(Boolean, default=None)
    in_scope: Mapped[bool] = mapped_column(Boolean, default=True)
    scope_reason: Mapped[str] = mapped_column(Text, default="")
    review_date: Mapped[date | None] = mapped_column(Date, default=None)
    # The newest EU AI Act classification's class, kept here so lists can filter on it.
    risk_class: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    # From the last AI bill of materials imported: the BOM's subject (this system), its
    # dependency graph, spec version and serial number, kept so an export gives them back.
    bom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")

    @property
    def owner_email(self) -> str | None:
        return self.owner.email if self.owner is not None else None


class Component(Record, Base):
    """A model, dataset, tool or computing resource; several systems may share one."""

    __tablename__ = "ai_components"

    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version_label: Mapped[str] = mapped_column(String(100), default="")  # the release, e.g. 2.3
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(200), default="")
    supplier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parties.id", ondelete="SET NULL"), nullable=True
    )
    licence: Mapped[str] = mapped_column(String(500), default="")  # shown: ids or names
    # Models (A.4.2, EU AI Act Art. 51/53 for general-purpose models)
    model_type: Mapped[str] = mapped_column(String(200), default="")
    general_purpose: Mapped[bool | None] = mapped_column(Boolean, default=None)
    training_compute_flop: Mapped[float | None] = mapped_column(Float, default=None)
    # Datasets (A.4.3, A.7.x)
    data_source: Mapped[str] = mapped_column(Text, default="")
    acquisition: Mapped[str] = mapped_column(String(200), default="")
    personal_data: Mapped[bool | None] = mapped_column(Boolean, default=None)
    collection_start: Mapped[date | None] = mapped_column(Date, default=None)
    collection_end: Mapped[date | None] = mapped_column(Date, default=None)
    provenance_notes: Mapped[str] = mapped_column(Text, default="")
    quality_notes: Mapped[str] = mapped_column(Text, default="")
    # Everything an AI bill of materials carries, kept so an export gives it back.
    bom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    supplier = relationship("Party", foreign_keys=[supplier_id], lazy="joined")


class SystemComponent(IdMixin, OrgScoped, Stamped, Base):
    """A component used by a system."""

    __tablename__ = "ai_system_components"
    __table_args__ = (UniqueConstraint("system_id", "component_id"),)

    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True
    )
    component_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_components.id", ondelete="CASCADE"), index=True
    )
    notes: Mapped[str] = mapped_column(String(500), default="")

    component = relationship("Component", foreign_keys=[component_id], lazy="joined")


class Classification(IdMixin, OrgScoped, Stamped, Base):
    """One EU AI Act classification of a system: the answers, the result and when.

    Never changed: answering again adds a new row, so the history shows what changed.
    """

    __tablename__ = "ai_classifications"

    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    risk_class: Mapped[str] = mapped_column(String(20))
    rules_version: Mapped[str] = mapped_column(String(40))
    classified_at: Mapped[datetime] = mapped_column(default=utcnow)
