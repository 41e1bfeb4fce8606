"""The techdoc data files, read once and validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from aims.datafile import entry_name, read_yaml
from aims.errors import ConfigurationError
from aims.techdoc.rules import AnnexIV, LogCatalogue

DATA = Path(__file__).parent / "data"


T = TypeVar("T", LogCatalogue, AnnexIV)


class TechdocDataError(ConfigurationError):
    """A techdoc data file is missing or malformed."""


def _load(name: str, model: type[T]) -> T:
    path = DATA / name
    raw = read_yaml(path, what="techdoc", error=TechdocDataError)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = entry_name(raw, tuple(first["loc"]))
        raise TechdocDataError(
            f"{name}: {'.'.join(str(p) for p in first['loc'])}"
            f"{f' (entry {where})' if where else ''}: {first['msg']}"
        ) from exc


@cache
def log_catalogue() -> LogCatalogue:
    return _load("event_logs.yaml", LogCatalogue)


@cache
def annex_iv() -> AnnexIV:
    return _load("annex_iv.yaml", AnnexIV)
