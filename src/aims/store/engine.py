"""Engines and units of work: one transaction per request, page action or CLI command."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aims.errors import ConfigurationError


@dataclass(frozen=True)
class Actor:
    """Who is acting in a unit of work: stamped on records and written to the audit log."""

    user_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    label: str  # e-mail, or "system" / "cli" when no user acts


SYSTEM = Actor(user_id=None, organisation_id=None, label="system")


def parse_url(url: str) -> URL:
    """Parse a database URL, refusing anything but SQLite and PostgreSQL with a clear message."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # The text may hold a password: never echo it.
        raise ConfigurationError("AIMS_DATABASE_URL is not a database URL") from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        shown = parsed.render_as_string(hide_password=True)
        raise ConfigurationError(
            f"AIMS_DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://..., got {shown}"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside one writer.
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # pysqlite delays BEGIN until the first write, so reads before it see no snapshot. A
    # deferred BEGIN would fail at once ("database is locked") when a unit of work that has
    # read tries to write after another one committed; IMMEDIATE takes the write lock up
    # front, so units of work queue (busy_timeout) instead of failing. SQLite has one writer
    # anyway; PostgreSQL is the path for many concurrent users.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings aims relies on."""
    parsed = parse_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                parsed, connect_args={"check_same_thread": False}, hide_parameters=True
            )
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(
                parsed,
                pool_pre_ping=True,
                hide_parameters=True,  # bound values (hashes, personal data) stay out of logs
                connect_args={"connect_timeout": 5},
            )
    except NoSuchModuleError as exc:  # pragma: no cover - driver missing
        raise ConfigurationError(f"no database driver for {parsed.drivername}") from exc
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    return build_engine(url)


def check_connection(engine: Engine) -> None:
    """Fail with one clear line when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigurationError(
            f"cannot reach the database {engine.url.render_as_string(hide_password=True)}: {reason}"
        ) from exc


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], actor: Actor = SYSTEM) -> Iterator[Session]:
    """Open a session whose changes commit together at the end, or not at all."""
    session = factory()
    session.info["actor"] = actor
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def current_actor(session: Session) -> Actor:
    actor = session.info.get("actor", SYSTEM)
    assert isinstance(actor, Actor)
    return actor
