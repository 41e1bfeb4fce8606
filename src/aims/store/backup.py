"""Logical backup and restore: a consistent snapshot of every table, on SQLite or PostgreSQL.

The file is gzip-compressed JSON, so a backup taken on SQLite restores into PostgreSQL and
back. Restore refuses a file whose audit chain does not verify, and writes all or nothing.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from pydantic import BaseModel, model_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Date, Integer, Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import Uuid

import aims
from aims.audit.rules import EventData, StoredEvent, verify_chain
from aims.audit.service import expected_chains
from aims.errors import AimsError, ValidationFailed
from aims.store import migrate
from aims.store.base import Base
from aims.store.registry import import_all_models
from aims.store.types import UTCDateTime, utcnow

FORMAT = "aims-backup"
FORMAT_VERSION = 1
SKIPPED = {"web_sessions", "login_failures"}  # transient: sessions and throttle counters


class RestoreRefused(AimsError):
    status = 409
    title = "Restore refused"
    type_slug = "restore-refused"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    schema_revision: str


def _tables() -> list[Table]:
    import_all_models()
    return [
        t
        for t in Base.metadata.sorted_tables
        if t.name not in SKIPPED and not t.name.startswith("test_")
    ]


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    col_type = table.c[column].type
    if isinstance(col_type, Uuid):
        return uuid.UUID(value)
    if isinstance(col_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(col_type, Date):
        return date.fromisoformat(value)
    return value


def _snapshot(conn: Connection) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in _tables():
        columns = [c.name for c in table.columns]
        pk = list(table.primary_key.columns)
        rows = conn.execute(select(table).order_by(*pk)).all()
        tables[table.name] = {
            "columns": columns,
            "rows": [[_encode(v) for v in row] for row in rows],
        }
    return tables


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write a consistent copy of the database to ``path`` while the app keeps running."""
    revision = migrate.current_revision(engine)
    if revision is None:
        raise ValidationFailed("the database has no aims schema; run `aims init` first")
    conn_engine = engine
    if engine.dialect.name == "postgresql":
        conn_engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with conn_engine.connect() as conn, conn.begin():
        # One transaction = one snapshot (WAL on SQLite, REPEATABLE READ on PostgreSQL).
        tables = _snapshot(conn)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "aims_version": aims.__version__,
        "schema_revision": revision,
        "created_at": utcnow().isoformat(),
        "source_dialect": engine.dialect.name,
        "tables": tables,
    }
    tmp = path.with_name(path.name + ".partial")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump(document, fh, separators=(",", ":"))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationFailed(f"cannot write {path}: {exc.strerror or exc}") from exc
    return BackupSummary(path, len(tables), sum(len(t["rows"]) for t in tables.values()), revision)


class _Section(BaseModel):
    columns: list[str]
    rows: list[list[Any]]

    @model_validator(mode="after")
    def _rows_fit(self) -> _Section:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {number} has {len(row)} values for {len(self.columns)} columns"
                )
        return self


class _Document(BaseModel):
    format: Literal["aims-backup"]
    format_version: Literal[1]
    schema_revision: str
    tables: dict[str, _Section]


def read_backup(path: Path) -> dict[str, Any]:
    """Load a backup file, refusing anything that is not a well-formed one."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            document = json.load(fh)
    except FileNotFoundError as exc:
        raise ValidationFailed(f"no such file: {path}") from exc
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{path} is not an aims backup (not gzip-compressed JSON)") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationFailed(f"{path} is not an aims backup")
    try:
        _Document.model_validate(document)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            f"{path} is not a valid aims backup: {where}: {first['msg']}"
        ) from exc
    try:
        ScriptDirectory.from_config(migrate.alembic_config()).get_revision(
            str(document["schema_revision"])
        )
    except (CommandError, KeyError) as exc:
        raise ValidationFailed(
            f"{path} was written by a newer aims (schema {document['schema_revision']}); "
            "upgrade aims before restoring it"
        ) from exc
    return document


def _events(document: dict[str, Any]) -> dict[str, list[StoredEvent]]:
    section = document["tables"].get("audit_events", {"columns": [], "rows": []})
    cols = section["columns"]
    chains: dict[str, list[StoredEvent]] = {}
    for raw in section["rows"]:
        row = dict(zip(cols, raw, strict=True))
        event = StoredEvent(
            row_id=row["id"],
            hash=row["hash"],
            data=EventData(
                chain=row["chain"],
                seq=row["seq"],
                occurred_at=datetime.fromisoformat(row["occurred_at"]),
                organisation_id=row["organisation_id"],
                actor_id=row["actor_id"],
                actor_label=row["actor_label"],
                record_type=row["record_type"],
                record_id=row["record_id"],
                action=row["action"],
                changes=row["changes"],
                prev_hash=row["prev_hash"],
            ),
        )
        chains.setdefault(event.data.chain, []).append(event)
    for events in chains.values():
        events.sort(key=lambda e: (e.data.seq, e.row_id))
    return chains


def verify_backup(document: dict[str, Any]) -> None:
    """Refuse a backup whose audit chain is broken, naming the first broken event."""
    try:
        _verify_backup(document)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise RestoreRefused(f"the backup's audit trail is malformed ({exc!r})") from exc


def _verify_backup(document: dict[str, Any]) -> None:
    heads_section = document["tables"].get("audit_chain_heads", {"columns": [], "rows": []})
    heads = {
        r[heads_section["columns"].index("chain")]: (
            r[heads_section["columns"].index("seq")],
            r[heads_section["columns"].index("hash")],
        )
        for r in heads_section["rows"]
    }
    chains = _events(document)
    orgs = document["tables"].get("organisations", {"columns": ["id"], "rows": []})
    users = document["tables"].get("users", {"rows": []})
    required = expected_chains(
        (row[orgs["columns"].index("id")] for row in orgs["rows"]), any_users=bool(users["rows"])
    )
    for chain in sorted(set(chains) | set(heads) | required):
        problem = verify_chain(
            chain, chains.get(chain, []), heads.get(chain), required=chain in required
        )
        if problem:
            raise RestoreRefused(
                f"the backup's audit trail does not verify (chain {chain}, event "
                f"{problem.seq if problem.seq is not None else '?'}): {problem.reason}"
            )


def _is_empty(conn: Connection) -> bool:
    for table in _tables():
        if conn.execute(select(func.count()).select_from(table)).scalar():
            return False
    return True


def _insert(conn: Connection, table: Table, columns: list[str], rows: Iterable[list[Any]]) -> None:
    # Self-references (created_by_id on users) are written after all rows exist.
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    later: list[tuple[dict[str, Any], dict[str, Any]]] = []
    batch = []
    for raw in rows:
        row = {c: _decode(table, c, v) for c, v in zip(columns, raw, strict=True) if c in table.c}
        deferred = {c: row[c] for c in self_refs if row.get(c) is not None}
        for c in deferred:
            row[c] = None
        batch.append(row)
        if deferred:
            later.append(({pk.name: row[pk.name] for pk in table.primary_key.columns}, deferred))
    if batch:
        conn.execute(insert(table), batch)
    for key, values in later:
        cond = [table.c[k] == v for k, v in key.items()]
        conn.execute(update(table).where(*cond).values(**values))


def restore(engine: Engine, path: Path, *, force: bool = False) -> BackupSummary:
    """Load a backup into this database, all or nothing.

    The database must be empty (fresh) unless ``force`` is given, which replaces its content.
    """
    document = read_backup(path)
    verify_backup(document)
    revision = str(document["schema_revision"])
    head = migrate.head_revision()
    current = migrate.current_revision(engine)
    if current not in (None, revision) and not force:
        raise RestoreRefused(
            f"the database is at schema {current} but the backup is at {revision}; "
            "restore into a fresh database"
        )
    migrate.upgrade(engine, revision if current is None or current == revision else head)
    tables = {t.name: t for t in _tables()}
    total = 0
    with engine.begin() as conn:
        if not _is_empty(conn):
            if not force:
                raise RestoreRefused("the database already holds data; pass --force to replace it")
            for table in reversed(list(tables.values())):
                conn.execute(delete(table))
            for name in SKIPPED:
                conn.execute(delete(Base.metadata.tables[name]))
        for name, table in tables.items():
            section = document["tables"].get(name)
            if section is None:
                continue
            try:
                _insert(conn, table, section["columns"], section["rows"])
            except (ValueError, TypeError) as exc:
                raise ValidationFailed(
                    f"table {name} in the backup holds a bad value: {exc}"
                ) from exc
            total += len(section["rows"])
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, tables.values())
    if revision != head:
        migrate.upgrade(engine)
    return BackupSummary(path, len(document["tables"]), total, revision)


def _reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    for table in tables:
        for col in table.primary_key.columns:
            if not isinstance(col.type, Integer):
                continue
            seq = conn.execute(select(func.pg_get_serial_sequence(table.name, col.name))).scalar()
            if seq:
                top = select(func.coalesce(func.max(col), 0) + 1).scalar_subquery()
                conn.execute(select(func.setval(seq, top, False)))
