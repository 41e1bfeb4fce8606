"""Stored measurement runs (9.1; evidence for A.6.2.4, A.6.2.6 or A.7.4): what was measured on
which bytes, by which tool version, with which parameters, what came out, and which limits it
broke. A run is never edited: a new measurement is a new run."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aims.store.base import Base, Record


class MeasurementRun(Record, Base):
    """One run of ``aims measure`` on one AI system's prediction log(s)."""

    __tablename__ = "measurement_runs"
    __table_args__ = (UniqueConstraint("organisation_id", "ref"),)

    ref: Mapped[str] = mapped_column(String(20))  # RUN-001, per organisation
    system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # fairness|performance|drift|quality
    control_id: Mapped[str] = mapped_column(String(40))  # A.6.2.4, A.6.2.6 or A.7.4
    input_sha256: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tool: Mapped[str] = mapped_column(String(80))
    tool_version: Mapped[str] = mapped_column(String(40))
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    limits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {metric: [min, max]}
    breaches: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    breached: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    source: Mapped[str] = mapped_column(String(20))  # upload | results | cli
    note: Mapped[str] = mapped_column(Text, default="")
    # Objectives the run could not feed, and why: [{"objective": "OBJ-001", "reason": "..."}]
    feed_notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    system = relationship("AISystem", lazy="joined")
