"""Opening a prediction log (CSV or Parquet) lazily, hashing it, and checking its columns."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

import polars as pl

from aims.errors import FieldError, ValidationFailed

CHUNK = 1 << 20
PARQUET_MAGIC = b"PAR1"
#: Rows read to guess a CSV column's type (a later odd value is read as text, not an error).
INFER_ROWS = 10_000

T = TypeVar("T")


def bad(field: str, message: str) -> ValidationFailed:
    """A user-facing error about one option: the CLI prints it on one line and exits 2."""
    return ValidationFailed(message, errors=[FieldError((field,), message)])


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """The file's SHA-256, read in 1 MiB chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
    return digest.hexdigest()


def is_parquet(path: Path) -> bool:
    """Parquet by content (the magic bytes), else by the name when the content is unreadable."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == PARQUET_MAGIC:
        return True
    return path.suffix.lower() in {".parquet", ".pq"}


class Log:
    """A prediction log opened lazily: nothing is read until a query is collected."""

    def __init__(self, path: Path | str, *, field: str = "data", text: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self.field = field
        if not self.path.is_file():
            raise bad(field, f"{self.path}: no such file")
        if self.path.stat().st_size == 0:
            raise bad(field, f"{self.path} is empty: a log needs a header row and data rows")
        self.parquet = is_parquet(self.path)
        self.columns = self._columns()
        self.text_columns = [c for c in text if c in self.columns]
        if self.parquet:
            self.frame = pl.scan_parquet(self.path)
        else:
            self.frame = pl.scan_csv(
                self.path,
                infer_schema_length=INFER_ROWS,
                schema_overrides={c: pl.String for c in self.text_columns},
            )

    def _columns(self) -> list[str]:
        kind = "Parquet" if self.parquet else "CSV"
        try:
            if self.parquet:
                names = list(pl.read_parquet_schema(self.path))
            else:
                head = pl.scan_csv(self.path, n_rows=1, infer_schema_length=0)
                names = list(head.collect_schema())
        except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
            raise bad(self.field, f"{self.path} cannot be read as {kind}: {_short(exc)}") from exc
        if not names:
            raise bad(self.field, f"{self.path} has no columns")
        return names

    def require(self, field: str, names: Iterable[str]) -> None:
        """Every named column exists, or one line naming it and the columns that do."""
        for name in names:
            if name not in self.columns:
                close = difflib.get_close_matches(name, self.columns, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise bad(
                    field,
                    f"column {name!r} is not in {self.path.name}{hint}; "
                    f"its columns are: {', '.join(self.columns)}",
                )

    def schema(self) -> Mapping[str, pl.DataType]:
        return dict(self.collect_schema())

    def collect_schema(self) -> pl.Schema:
        return self.run(self.frame.collect_schema)

    def collect(self, query: pl.LazyFrame) -> pl.DataFrame:
        """Run a query on the streaming engine, turning read errors into one clear line."""
        return self.run(lambda: query.collect(engine="streaming"))

    def run(self, fn: Callable[[], T]) -> T:
        kind = "Parquet" if self.parquet else "CSV"
        try:
            return fn()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise bad(
                self.field, f"{self.path} could not be read as {kind}: {_short(exc)}"
            ) from exc


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
