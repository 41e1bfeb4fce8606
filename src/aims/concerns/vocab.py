"""The controlled vocabularies of a concern: categories (data), statuses and severities."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

DATA = Path(__file__).parent / "data" / "categories.yaml"


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z_]{1,29}$")
    label: str = Field(min_length=1, max_length=80)
    help: str = Field(min_length=1, max_length=300)


class CategoryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    categories: list[Category] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        ids = [c.id for c in value]
        if len(ids) != len(set(ids)):
            raise ValueError("category ids must be unique")
        return value


def load_categories(path: Path = DATA) -> list[Category]:
    """Read and check the category list (a broken file fails loudly, not on first use)."""
    with path.open(encoding="utf-8") as handle:
        return CategoryFile.model_validate(yaml.safe_load(handle)).categories


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    return tuple(load_categories())


def category_label(category_id: str) -> str:
    found = next((c for c in categories() if c.id == category_id), None)
    return found.label if found else category_id


class Status(StrEnum):
    RECEIVED = "received"
    TRIAGE = "triage"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGE, Status.INVESTIGATING)
CLOSED_STATUSES = (Status.RESOLVED, Status.DISMISSED)


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Channel(StrEnum):
    MEMBER = "member"  # a signed-in member (named or anonymous)
    PUBLIC = "public"  # the organisation's public link, no account
