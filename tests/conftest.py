"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL tests create a database of their own and drop it afterwards, so parallel runs never
see each other's data. Without a PostgreSQL server they are skipped with a message, unless
AIMS_REQUIRE_POSTGRES=1 (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from aims.access import service as access
from aims.access.context import Context
from aims.access.models import Organisation
from aims.access.rules import Role
from aims.api.app import create_app
from aims.api.runtime import Runtime
from aims.catalog.loader import get_catalog
from aims.cli.main import run
from aims.config import Settings, get_settings
from aims.store import migrate
from aims.store.base import Base
from aims.store.engine import Actor, build_engine, unit_of_work
from aims.store.registry import import_all_models, session_factory

import_all_models()

# Evidence files that tests store go to a folder of their own, never into the checkout.
os.environ.setdefault("AIMS_EVIDENCE_DIR", tempfile.mkdtemp(prefix="aims-test-evidence-"))

# Real argon2id, with the cost lowered so hundreds of test accounts stay fast.
from argon2 import PasswordHasher  # noqa: E402

import aims.access.passwords as _passwords  # noqa: E402

_passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
from tests.approval.note_model import ApprovalNote  # noqa: E402  (test-only table)

PG_ADMIN_URL = os.environ.get(
    "AIMS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("AIMS_REQUIRE_POSTGRES") == "1"
PASSWORD = "correct horse battery"


def _pg_admin() -> Engine | None:
    engine = create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__})"
        if REQUIRE_PG:
            pytest.fail(message + "; AIMS_REQUIRE_POSTGRES=1 requires it")
        pytest.skip(message + "; PostgreSQL tests skipped")
    return engine


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database for this test session, on each backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "aims.db"
        url = f"sqlite:///{path}"
        _prepare(url)
        yield url
        return
    admin = _pg_admin()
    assert admin is not None
    name = f"aims_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _prepare(url)
        yield url
    finally:
        from aims.store.engine import get_engine

        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str) -> None:
    engine = build_engine(url)
    migrate.upgrade(engine)
    ApprovalNote.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    engine.dispose()


def wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture()
def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("AIMS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    eng = build_engine(database_url)
    try:
        yield eng
    finally:
        wipe(eng)
        eng.dispose()
        get_settings.cache_clear()


@pytest.fixture()
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture()
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service tests; the test decides when to commit."""
    session = sessions()
    session.info["actor"] = Actor(None, None, "test")
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@dataclass
class Org:
    """An organisation with one member per role, each with a context and an API token."""

    organisation: Organisation
    contexts: dict[Role, Context]
    tokens: dict[Role, str]
    emails: dict[Role, str]

    @property
    def id(self) -> uuid.UUID:
        return self.organisation.id

    def headers(self, role: Role = Role.OWNER) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_org(sessions: sessionmaker[Session], name: str) -> Org:
    slug = name.lower().replace(" ", "-")
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        org = access.create_organisation(db, name=name)
        contexts: dict[Role, Context] = {}
        emails: dict[Role, str] = {}
        for role in Role:
            email = f"{role.value}@{slug}.example"
            user = access.create_user(
                db, email=email, full_name=f"{role.value.title()} of {name}", password=PASSWORD
            )
            access.bootstrap_member(db, organisation=org, user=user, role=role)
            contexts[role] = access.context_for(db, user=user, organisation_id=org.id)
            emails[role] = email
        tokens = {}
        for role, ctx in contexts.items():
            db.info["actor"] = ctx.actor
            _t, secret = access.create_token(db, ctx, name="tests")
            tokens[role] = secret
    return Org(org, contexts, tokens, emails)


@pytest.fixture()
def org(sessions: sessionmaker[Session]) -> Org:
    return make_org(sessions, "Acme Credit")


@pytest.fixture()
def other_org(sessions: sessionmaker[Session]) -> Org:
    return make_org(sessions, "Other Bank")


@pytest.fixture()
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture()
def client(
    engine: Engine, sessions: sessionmaker[Session], app_settings: Settings
) -> Iterator[TestClient]:
    runtime = Runtime(app_settings, engine, sessions, get_catalog())
    app = create_app(app_settings, runtime=runtime)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"PostgreSQL for tests: {PG_ADMIN_URL} (required: {REQUIRE_PG})"]


DATA = Path(__file__).parent / "data"


# --- the `aims` command, run in-process ---------------------------------------------------


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture()
def aims(engine: Engine, capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """Call ``aims(*args)`` to run the CLI as a user would; returns code, out and err."""

    def call(*args: str) -> Result:
        saved = sys.argv
        sys.argv = ["aims", *args]
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 2
        finally:
            sys.argv = saved
            get_settings.cache_clear()
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    yield call
