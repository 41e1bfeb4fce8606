"""The AI policy checklist (5.2, A.2.2 to A.2.4), loaded once from YAML and checked by Pydantic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DATA = Path(__file__).parent / "data" / "ai_policy_checklist.yaml"


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    guidance: str = Field(min_length=1)
    source: str = ""


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Checklist:
        ids = [i.id for i in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("checklist item ids must be unique")
        return self

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@lru_cache(maxsize=1)
def get_checklist() -> Checklist:
    return Checklist.model_validate(yaml.safe_load(DATA.read_text(encoding="utf-8")))
