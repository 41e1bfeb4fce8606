"""Controlled vocabularies of the context register: fixed enums, and the editable lists
(issue categories, kinds of interested party) loaded from ``data/vocabulary.yaml``."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aims.datafile import read_yaml
from aims.errors import ConfigurationError

DEFAULT_FILE = Path(__file__).parent / "data" / "vocabulary.yaml"


class Direction(StrEnum):
    """Where an issue comes from (4.1)."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class RequirementKind(StrEnum):
    LEGAL = "legal"
    REGULATORY = "regulatory"
    CONTRACTUAL = "contractual"
    VOLUNTARY = "voluntary"


class RequirementStatus(StrEnum):
    """Where a legal requirement stands for the organisation."""

    IDENTIFIED = "identified"  # found, not yet analysed
    ACTIVE = "active"  # binds the organisation; its controls count in the SoA
    NOT_APPLICABLE = "not_applicable"  # analysed: does not apply
    RETIRED = "retired"  # no longer in force or no longer binding


class Addressed(StrEnum):
    """Whether the AIMS meets an interested party's requirement."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class VocabularyError(ConfigurationError):
    """The vocabulary file is broken; the message names the entry."""


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=80)
    hint: str = ""


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    issue_categories: list[Term] = Field(min_length=1)
    party_kinds: list[Term] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Vocabulary:
        for name in ("issue_categories", "party_kinds"):
            ids = [t.id for t in getattr(self, name)]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{name}: ids appear twice: {', '.join(twice)}")
        return self

    def category_label(self, term_id: str) -> str:
        return next((t.label for t in self.issue_categories if t.id == term_id), term_id)

    def kind_label(self, term_id: str) -> str:
        return next((t.label for t in self.party_kinds if t.id == term_id), term_id)


def load_vocabulary(path: Path = DEFAULT_FILE) -> Vocabulary:
    raw = read_yaml(path, what="context vocabulary", error=VocabularyError)
    try:
        return Vocabulary.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise VocabularyError(f"{path.name}: {where}: {first['msg']}") from exc


@lru_cache(maxsize=4)
def get_vocabulary(path: Path = DEFAULT_FILE) -> Vocabulary:
    """The vocabulary, loaded once per process."""
    return load_vocabulary(path)
