"""Tables of risk assessment and treatment: criteria versions, risks, treatment actions, the
controls each risk selects, reviews, and the SoA decisions people make per control."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.approval.models import ApprovableVersion
from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped


class RiskCriteria(IdMixin, OrgScoped, Stamped, Base):
    """One version of the organisation's risk criteria; a new save adds a row, never edits one,
    so every risk can say which criteria scored it."""

    __tablename__ = "risk_criteria"
    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")


class Risk(Record, Base):
    """One AI risk (6.1.2): of an AI system or of the organisation as a whole."""

    __tablename__ = "risks"
    __table_args__ = (UniqueConstraint("organisation_id", "ref"),)

    ref: Mapped[str] = mapped_column(String(20))  # R-001, per organisation
    system_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ai_systems.id"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(80), default="")  # an Annex C risk source id
    own_source: Mapped[str] = mapped_column(String(200), default="")  # or the organisation's
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)  # Annex C objectives
    consequences_org: Mapped[str] = mapped_column(Text, default="")
    consequences_individuals: Mapped[str] = mapped_column(Text, default="")
    consequences_society: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    inherent_likelihood: Mapped[int] = mapped_column(Integer)
    inherent_consequence: Mapped[int] = mapped_column(Integer)
    inherent_level: Mapped[str] = mapped_column(String(40), index=True)
    existing_controls: Mapped[str] = mapped_column(Text, default="")
    residual_likelihood: Mapped[int | None] = mapped_column(Integer, default=None)
    residual_consequence: Mapped[int | None] = mapped_column(Integer, default=None)
    residual_level: Mapped[str | None] = mapped_column(String(40), index=True, default=None)
    criteria_number: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(20), default="manual", index=True)
    origin_ref: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    treatment_option: Mapped[str | None] = mapped_column(String(10), default=None)
    next_review: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    acceptance_reason: Mapped[str] = mapped_column(Text, default="")
    acceptance_expires: Mapped[date | None] = mapped_column(Date, default=None, index=True)

    system = relationship("AISystem", lazy="joined")
    owner = relationship("User", foreign_keys="Risk.owner_id", lazy="joined")
    accepted_by = relationship("User", foreign_keys="Risk.accepted_by_id", lazy="joined")


class TreatmentAction(Record, Base):
    """One item of a risk's treatment plan (6.1.3, 8.3)."""

    __tablename__ = "risk_treatment_actions"

    risk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("risks.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    due_date: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)

    owner = relationship("User", foreign_keys="TreatmentAction.owner_id", lazy="joined")


class RiskControl(IdMixin, OrgScoped, Stamped, Base):
    """A control a risk's treatment selects: an Annex A control or one of the organisation's."""

    __tablename__ = "risk_controls"
    __table_args__ = (UniqueConstraint("risk_id", "control_id"),)

    risk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("risks.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[str] = mapped_column(String(40), index=True)
    note: Mapped[str] = mapped_column(String(1000), default="")


class RiskReview(IdMixin, OrgScoped, Stamped, Base):
    """A periodic reassessment (8.2): when, by whom (the stamps), and what changed."""

    __tablename__ = "risk_reviews"

    risk_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("risks.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SoaDecision(Record, Base):
    """What people decided for one control in the SoA; the rest of its row is derived."""

    __tablename__ = "soa_decisions"
    __table_args__ = (UniqueConstraint("organisation_id", "control_id"),)

    control_id: Mapped[str] = mapped_column(String(40))
    applicable: Mapped[bool | None] = mapped_column(Boolean, default=None)
    inclusion_note: Mapped[str] = mapped_column(Text, default="")
    exclusion_reason: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30), default="not_started")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    owner = relationship("User", foreign_keys="SoaDecision.owner_id", lazy="joined")


class SoaVersion(ApprovableVersion, Record, Base):
    """An approved SoA is a frozen snapshot of every row as it was derived and decided; the
    live SoA goes on changing with the treatments."""

    __tablename__ = "soa_versions"
    __table_args__ = (UniqueConstraint("organisation_id", "series_id", "revision"),)
    __approval_label__ = "The SoA version"
    __approve_from_draft__ = True
    __approval_fields__ = ("rows", "note")

    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[int] = mapped_column(Integer, default=0)

    author = relationship("User", foreign_keys="SoaVersion.author_id", lazy="joined")
    approver = relationship("User", foreign_keys="SoaVersion.approved_by_id", lazy="joined")

    def approval_caption(self) -> str:
        return f"Statement of Applicability, revision {self.revision}"

    def approval_url(self) -> str | None:
        return "/soa"


class OwnControl(Record, Base):
    """A control of the organisation's own, beside Annex A (6.1.3 allows others)."""

    __tablename__ = "own_controls"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
