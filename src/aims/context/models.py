"""Tables of the context capability: issues (4.1), the climate-change determination, interested
parties and their requirements (4.2), the legal register, and the scope statement (4.3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.approval.models import ApprovableVersion
from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped, Versioned


class ContextIssue(Record, Base):
    """An internal or external issue that bears on what the AIMS can achieve (4.1)."""

    __tablename__ = "context_issues"

    title: Mapped[str] = mapped_column(String(300))
    direction: Mapped[str] = mapped_column(String(10), index=True)  # internal / external
    category: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")  # on the AIMS and its outcomes
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    review_date: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    climate_related: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    owner = relationship("User", foreign_keys="ContextIssue.owner_id", lazy="joined")


class ClimateDetermination(IdMixin, OrgScoped, Stamped, Versioned, Base):
    """Whether the organisation finds climate change a relevant issue (4.1, Amd 1:2024):
    one row per organisation; none, or ``relevant`` None, means not decided yet."""

    __tablename__ = "context_climate"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    relevant: Mapped[bool | None] = mapped_column(Boolean, default=None)
    reasoning: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)

    decided_by = relationship("User", foreign_keys="ClimateDetermination.decided_by_id",
                              lazy="joined")  # fmt: skip


class InterestedParty(Record, Base):
    """A person or body with a stake in the AIMS (4.2)."""

    __tablename__ = "interested_parties"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text, default="")


class PartyRequirement(Record, Base):
    """What an interested party asks of the AIMS, and whether the AIMS meets it (4.2 b-c)."""

    __tablename__ = "interested_party_requirements"

    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interested_parties.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    climate_related: Mapped[bool] = mapped_column(Boolean, default=False)
    addressed: Mapped[str] = mapped_column(String(10), default="no", index=True)
    response: Mapped[str] = mapped_column(Text, default="")  # how, or why not
    legal_requirement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("legal_requirements.id"), index=True, default=None
    )

    party = relationship("InterestedParty", lazy="joined")
    legal_requirement = relationship("LegalRequirement", lazy="joined")


class LegalRequirement(Record, Base):
    """A legal, regulatory, contractual or voluntary requirement the AIMS must meet; the AI
    systems it touches and the Annex A controls it calls for."""

    __tablename__ = "legal_requirements"

    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(120), default="")
    reference: Mapped[str] = mapped_column(String(300), default="")
    obligations: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    status: Mapped[str] = mapped_column(String(20), default="identified", index=True)
    applies_from: Mapped[date | None] = mapped_column(Date, default=None)
    controls: Mapped[list[str]] = mapped_column(JSON, default=list)

    owner = relationship("User", foreign_keys="LegalRequirement.owner_id", lazy="joined")


class LegalRequirementSystem(IdMixin, OrgScoped, Stamped, Base):
    """One AI system a legal requirement touches (many-to-many with the inventory)."""

    __tablename__ = "legal_requirement_systems"
    __table_args__ = (UniqueConstraint("requirement_id", "system_id"),)

    requirement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("legal_requirements.id", ondelete="CASCADE"), index=True
    )
    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True
    )


class ScopeStatement(ApprovableVersion, Record, Base):
    """One version of the AIMS scope (4.3); one series per organisation.

    The in-scope AI systems come from the inventory: a draft shows them live, and approval
    copies them into ``systems_snapshot`` so the approved version keeps what was in scope.
    """

    __tablename__ = "scope_statements"
    __table_args__ = (UniqueConstraint("organisation_id", "series_id", "revision"),)
    __approval_label__ = "The scope statement"
    __approval_fields__ = (
        "boundaries", "units", "inclusions", "exclusions", "interfaces",
    )  # fmt: skip

    boundaries: Mapped[str] = mapped_column(Text, default="")
    units: Mapped[str] = mapped_column(Text, default="")  # organisational units and locations
    inclusions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    exclusions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    interfaces: Mapped[str] = mapped_column(Text, default="")  # interfaces and dependencies
    systems_snapshot: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)

    author = relationship("User", foreign_keys="ScopeStatement.author_id", lazy="joined")
    approver = relationship("User", foreign_keys="ScopeStatement.approved_by_id", lazy="joined")

    def approval_caption(self) -> str:
        return f"Scope of the AIMS, revision {self.revision}"

    def approval_url(self) -> str | None:
        return "/scope"
