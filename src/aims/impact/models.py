"""Tables of the impact assessment capability: process settings, assessments, harm referrals."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.approval.models import ApprovableVersion
from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped, Versioned


class ImpactSettings(IdMixin, OrgScoped, Stamped, Versioned, Base):
    """How the organisation runs impact assessments (ISO/IEC 42001 A.5.2): one row each."""

    __tablename__ = "impact_settings"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ImpactAssessment(ApprovableVersion, Record, Base):
    """One version of one system's impact assessment (A.5.3), laid out as ISO/IEC 42005 does.

    Impacts live inside the version as a list with stable keys, so a new version copies them,
    an approved version freezes them with the rest, and a harm sent to the risk register keeps
    pointing at the same impact across versions.
    """

    __tablename__ = "impact_assessments"
    __table_args__ = (UniqueConstraint("organisation_id", "series_id", "revision"),)
    __approval_label__ = "The impact assessment"
    __approval_fields__ = (
        "title", "scope", "data_info", "model_info", "deployment", "use_period",
        "interested_parties", "oversight", "remedies", "answers", "questionnaire_version",
        "impacts",
    )  # fmt: skip

    system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text, default="")
    data_info: Mapped[str] = mapped_column(Text, default="")
    model_info: Mapped[str] = mapped_column(Text, default="")
    deployment: Mapped[str] = mapped_column(Text, default="")
    use_period: Mapped[str] = mapped_column(Text, default="")
    interested_parties: Mapped[str] = mapped_column(Text, default="")
    oversight: Mapped[str] = mapped_column(Text, default="")
    remedies: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    questionnaire_version: Mapped[str] = mapped_column(String(40), default="")
    impacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Derived on every change from the answers and the settings' thresholds; kept so lists
    # can filter on the level and an approved version shows the score it was approved with.
    level: Mapped[str | None] = mapped_column(String(4), default=None, index=True)
    score: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The inventory's description of the system, copied when the version is saved or sent for
    # review: the assessment shows what was assessed even after the inventory moves on.
    system_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_date: Mapped[date | None] = mapped_column(Date, default=None, index=True)

    system = relationship("AISystem", lazy="joined")
    author = relationship("User", foreign_keys="ImpactAssessment.author_id", lazy="joined")
    approver = relationship("User", foreign_keys="ImpactAssessment.approved_by_id", lazy="joined")

    def approval_caption(self) -> str:
        return f"{self.title}, revision {self.revision}"

    def approval_url(self) -> str | None:
        return f"/impact/{self.id}"


class HarmReferral(Record, Base):
    """A harm sent to the risk register (clause 6.1.4 feeding 6.1.2).

    Until the risk register exists this row is the stored reference it takes up: the register
    creates a risk with origin "impact assessment harm" and fills ``risk_id``.
    """

    __tablename__ = "impact_harm_referrals"
    __table_args__ = (UniqueConstraint("organisation_id", "series_id", "impact_key"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("impact_assessments.id"), index=True
    )
    series_id: Mapped[uuid.UUID] = mapped_column(index=True)
    impact_key: Mapped[str] = mapped_column(String(40))
    system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    dimension: Mapped[str] = mapped_column(String(40))
    residual_level: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    risk_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
