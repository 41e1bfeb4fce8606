"""Tables of AIMS roles (5.3, A.3.2), the RACI matrix, people in roles, competences and the
evidence of each person's competence with its effectiveness check (7.2, A.4.6)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, IdMixin, OrgScoped, Record, Stamped, Versioned


class AimsRole(Record, Base):
    """A responsibility in the AIMS (an AIMS manager, an AI system owner...), not an access role."""

    __tablename__ = "competence_roles"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    responsibilities: Mapped[str] = mapped_column(Text, default="")
    authorities: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("competence_roles.id", ondelete="SET NULL"), index=True, default=None
    )


class RaciCell(IdMixin, OrgScoped, Stamped, Versioned, Base):
    """One cell of the RACI matrix: a role's letter on an AIMS process or an Annex A control.
    Clearing a cell keeps the row with an empty letter, so its version goes on counting."""

    __tablename__ = "competence_raci_cells"
    __table_args__ = (UniqueConstraint("organisation_id", "row_id", "role_id"),)

    row_id: Mapped[str] = mapped_column(String(80), index=True)  # a process id or A.x.y
    role_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("competence_roles.id", ondelete="CASCADE"), index=True
    )
    letter: Mapped[str] = mapped_column(String(1), default="")


class RoleAssignment(Record, Base):
    """A member of the organisation holding an AIMS role from one date, perhaps until another."""

    __tablename__ = "competence_role_assignments"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competence_roles.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(String(500), default="")

    user = relationship("User", foreign_keys="RoleAssignment.user_id", lazy="joined")


class Competence(Record, Base):
    """Something a role needs: knowledge, a skill or a qualification, perhaps valid for a while."""

    __tablename__ = "competences"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="knowledge")
    validity_months: Mapped[int | None] = mapped_column(Integer, default=None)


class RoleRequirement(Record, Base):
    """A competence a role requires, with the level expected (free text, optional)."""

    __tablename__ = "competence_requirements"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competence_roles.id"), index=True)
    competence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competences.id"), index=True)
    level: Mapped[str] = mapped_column(String(100), default="")

    competence = relationship("Competence", lazy="joined")


class Evidence(Record, Base):
    """What shows that a person has a competence (a course, a certificate, experience, an
    assessment), and whether the action was checked to have worked (7.2 d)."""

    __tablename__ = "competence_evidence"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("competences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200), default="")
    obtained: Mapped[date] = mapped_column(Date)
    expires: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    reference: Mapped[str] = mapped_column(String(500), default="")
    check_result: Mapped[str] = mapped_column(String(20), default="pending")
    check_date: Mapped[date | None] = mapped_column(Date, default=None)
    checked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    check_note: Mapped[str] = mapped_column(Text, default="")

    competence = relationship("Competence", lazy="joined")
    user = relationship("User", foreign_keys="Evidence.user_id", lazy="joined")
    checked_by = relationship("User", foreign_keys="Evidence.checked_by_id", lazy="joined")
