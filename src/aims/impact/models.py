"""Tables of the impact assessment capability (so far: the process settings of A.5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aims.store.base import Base, IdMixin, OrgScoped, Stamped, Versioned


class ImpactSettings(IdMixin, OrgScoped, Stamped, Versioned, Base):
    """How the organisation runs impact assessments (ISO/IEC 42001 A.5.2): one row each."""

    __tablename__ = "impact_settings"
    __table_args__ = (UniqueConstraint("organisation_id"),)

    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
