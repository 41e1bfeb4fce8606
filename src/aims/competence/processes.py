"""Load the AIMS processes (the RACI rows above Annex A); a broken file names the entry."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from aims.datafile import entry_name, read_yaml
from aims.errors import ConfigurationError

DEFAULT_FILE = Path(__file__).parent / "data" / "processes.yaml"


class Process(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=3)
    summary: str = Field(min_length=30)
    clauses: tuple[str, ...] = Field(min_length=1)


class ProcessList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    processes: tuple[Process, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ProcessList:
        ids = [p.id for p in self.processes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"process id(s) used more than once: {', '.join(dupes)}")
        return self


class ProcessFileError(ConfigurationError):
    """The processes file is missing or malformed."""


def load_processes(path: Path = DEFAULT_FILE) -> tuple[Process, ...]:
    raw = read_yaml(path, what="AIMS processes", error=ProcessFileError)
    try:
        return ProcessList.model_validate(raw).processes
    except ValidationError as exc:
        first = exc.errors()[0]
        name = entry_name(raw, tuple(first["loc"]))
        where = f" (entry {name})" if name else ""
        raise ProcessFileError(f"AIMS processes file {path.name}{where}: {first['msg']}") from exc


@lru_cache(maxsize=1)
def get_processes() -> tuple[Process, ...]:
    return load_processes()
