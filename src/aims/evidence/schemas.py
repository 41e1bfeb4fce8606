"""API shapes of the evidence store."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from aims.api.schemas import StrictIn


class ItemFieldsIn(StrictIn):
    title: str = Field(min_length=1, max_length=300)
    evidence_date: date | None = Field(default=None, description="Default: today")
    valid_until: date | None = Field(default=None, description="Last day the item is valid")
    owner_email: str | None = None
    description: str = Field(default="", max_length=10000)


class LinkTargetIn(StrictIn):
    target_type: str = Field(description="implementation, control, clause or system")
    target_id: str = Field(min_length=1, max_length=64)


class EvidenceLinkIn(ItemFieldsIn):
    url: str = Field(min_length=1, max_length=2000, description="An http(s) address")
    links: list[LinkTargetIn] = Field(default_factory=list)


class EvidenceRecordIn(ItemFieldsIn):
    record_type: str = Field(description="impact_assessment, soa_version, document_version, ...")
    record_id: str = Field(min_length=1, max_length=64)
    links: list[LinkTargetIn] = Field(default_factory=list)


class ItemPatch(ItemFieldsIn):
    version: int


class LinkOut(BaseModel):
    target_type: str
    target_id: str
    label: str


class EvidenceOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    description: str
    evidence_date: date
    valid_until: date | None
    validity: str = Field(description="valid, expiring (within 30 days) or expired")
    owner: str | None
    url: str | None
    record_type: str | None
    record_id: str | None
    record_label: str | None
    record_url: str | None
    filename: str | None
    media_type: str | None
    size: int | None
    sha256: str | None
    download_url: str | None
    links: list[LinkOut]
    version: int
    updated_at: datetime


class ExpiringOut(BaseModel):
    days: int
    expired: list[EvidenceOut]
    expiring: list[EvidenceOut]
