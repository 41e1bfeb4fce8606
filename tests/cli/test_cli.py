"""The `aims` command on both databases, run in-process as a user would type it."""

from __future__ import annotations

import gzip
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import Engine, make_url

from aims.audit.models import AuditEvent
from aims.config import get_settings
from aims.demo.service import DEMO_PASSWORD
from aims.store.engine import get_engine
from tests.conftest import PG_ADMIN_URL


def test_init_creates_the_first_owner_once(aims: object) -> None:
    first = aims("init", "--org", "Acme", "--email", "boss@acme.example")  # type: ignore[operator]
    assert (
        first.code == 0 and "Password (shown once" in first.out and "boss@acme.example" in first.out
    )
    again = aims("init")  # type: ignore[operator]
    assert again.code == 0 and "nothing else to do" in again.out and "Password" not in again.out


def test_demo_loads_meridian_with_its_people(aims: object) -> None:
    result = aims("demo")  # type: ignore[operator]
    assert result.code == 0 and DEMO_PASSWORD in result.out
    assert "aoife.byrne@meridian.example" in result.out and "auditor" in result.out
    listed = aims("user", "list", "--org", "meridian-lending", "--role", "auditor")  # type: ignore[operator]
    assert "Marc Dubois" in listed.out and "1 member(s)" in listed.out
    assert "Already loaded" in aims("demo").out  # type: ignore[operator]
    systems = aims("systems", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert (
        "6 system(s)" in systems.out
        and "high_risk" in systems.out
        and "limited_risk" in systems.out
    )
    assistant = aims("systems", "show", "Customer service assistant", "--org", "meridian-lending")  # type: ignore[operator]
    assert "frontier-chat-model" in assistant.out and "50(1)" in assistant.out
    orgs = aims("org", "list")  # type: ignore[operator]
    assert "meridian-lending" in orgs.out and "7" in orgs.out
    events = aims(
        "audit", "list", "--org", "meridian-lending", "--record-type", "memberships", "--limit", "3"
    )  # type: ignore[operator]
    assert events.code == 0 and "3 of 7 event(s)" in events.out
    assert (
        aims("user", "remove", "sofia.marino@meridian.example", "--org", "meridian-lending").code
        == 0
    )  # type: ignore[operator]
    assert "6 member(s)" in aims("user", "list", "--org", "meridian-lending").out  # type: ignore[operator]
    assert aims("org", "rename", "Meridian Lending DAC", "--org", "meridian-lending").code == 0  # type: ignore[operator]
    assert "Meridian Lending DAC" in aims("org", "list").out  # type: ignore[operator]


def test_catalog_show_prints_our_guidance(aims: object) -> None:
    result = aims("catalog", "show", "A.10.3")  # type: ignore[operator]
    assert result.code == 0 and "A.10.3 Suppliers" in result.out and "Guidance" in result.out
    listed = aims("catalog", "list", "--kind", "control")  # type: ignore[operator]
    assert "38 entries" in listed.out
    missing = aims("catalog", "show", "A.10.5")  # type: ignore[operator]
    assert missing.code == 2 and missing.err.startswith("error: no clause or control 'A.10.5'")


def test_users_roles_and_tokens(aims: object) -> None:
    aims("init", "--email", "boss@acme.example")  # type: ignore[operator]
    added = aims("user", "add", "dev@acme.example", "--role", "contributor", "--name", "Dev")  # type: ignore[operator]
    assert added.code == 0 and "Password (shown once)" in added.out
    assert aims("user", "role", "dev@acme.example", "auditor").code == 0  # type: ignore[operator]
    assert "auditor" in aims("user", "list").out  # type: ignore[operator]
    reset = aims("user", "password", "dev@acme.example")  # type: ignore[operator]
    assert reset.code == 0 and "New one-time password for dev@acme.example" in reset.out
    last_owner = aims("user", "role", "boss@acme.example", "viewer")  # type: ignore[operator]
    assert last_owner.code == 2 and "at least one owner" in last_owner.err
    bad_role = aims("user", "add", "x@acme.example", "--role", "admin")  # type: ignore[operator]
    assert bad_role.code == 2
    created = aims("token", "create", "--user", "dev@acme.example", "--name", "ci", "--days", "5")  # type: ignore[operator]
    assert created.code == 0
    token_id = created.out.split()[1]
    secret = created.out.strip().splitlines()[-1]
    assert secret.startswith("aims_")
    assert "active" in aims("token", "list").out and secret not in aims("token", "list").out  # type: ignore[operator]
    assert aims("token", "revoke", token_id).code == 0  # type: ignore[operator]
    assert "revoked" in aims("token", "list").out  # type: ignore[operator]
    assert aims("token", "revoke", str(uuid.uuid4())).code == 2  # type: ignore[operator]


def test_audit_verify_passes_then_names_the_edited_event(aims: object, engine: Engine) -> None:
    aims("demo")  # type: ignore[operator]
    ok = aims("audit", "verify", "--heads")  # type: ignore[operator]
    assert ok.code == 0 and "intact" in ok.out and "head global #" in ok.out
    with engine.begin() as conn:
        row = conn.execute(
            text("SELECT id, chain, seq FROM audit_events ORDER BY id LIMIT 1 OFFSET 4")
        ).one()
        conn.execute(
            update(AuditEvent.__table__)
            .where(AuditEvent.__table__.c.id == row.id)
            .values(action="create!")
        )
    broken = aims("audit", "verify")  # type: ignore[operator]
    assert broken.code == 2
    assert f"event #{row.seq} (row id {row.id}) is broken" in broken.err and "altered" in broken.err


def test_every_command_has_help(aims: object) -> None:
    commands = [
        (), ("init",), ("serve",), ("demo",), ("backup",), ("restore",),
        ("user",), ("user", "add"), ("user", "list"), ("user", "role"),
        ("token",), ("token", "create"), ("token", "list"), ("token", "revoke"),
        ("catalog",), ("catalog", "list"), ("catalog", "show"), ("audit",), ("audit", "verify"),
    ]  # fmt: skip
    for args in commands:
        result = aims(*args, "--help")  # type: ignore[operator]
        assert result.code == 0 and "Usage" in result.out, args


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot reach the database"),
        ("mysql://root@localhost/x", "must be sqlite"),
    ],
)
def test_a_wrong_database_url_is_one_line_and_exit_2(
    aims: object, monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("AIMS_DATABASE_URL", url)
    get_settings.cache_clear()
    result = aims("user", "list")  # type: ignore[operator]
    assert result.code == 2 and message in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.fixture()
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same backend (for restores)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"aims_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_and_restore_round_trip(
    aims: object, tmp_path: Path, fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    aims("demo")  # type: ignore[operator]
    file = tmp_path / "meridian.aims.gz"
    backed = aims("backup", str(file))  # type: ignore[operator]
    assert backed.code == 0 and file.exists()
    monkeypatch.setenv("AIMS_DATABASE_URL", fresh_url)
    restored = aims("restore", str(file))  # type: ignore[operator]
    assert restored.code == 0, restored.err
    assert "Marc Dubois" in aims("user", "list", "--org", "meridian-lending").out  # type: ignore[operator]
    assert aims("audit", "verify").code == 0  # type: ignore[operator]
    # The restored database keeps working: a new change extends the same chain.
    assert aims("user", "add", "new@meridian.example", "--org", "meridian-lending").code == 0  # type: ignore[operator]
    assert aims("audit", "verify").code == 0  # type: ignore[operator]
    again = aims("restore", str(file))  # type: ignore[operator]
    assert again.code == 2 and "already holds data" in again.err


def test_restore_refuses_a_tampered_backup_and_writes_nothing(
    aims: object, tmp_path: Path, fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    aims("demo")  # type: ignore[operator]
    file = tmp_path / "b.gz"
    aims("backup", str(file))  # type: ignore[operator]
    with gzip.open(file, "rt") as fh:
        doc = json.load(fh)
    events = doc["tables"]["audit_events"]
    label = events["columns"].index("actor_label")
    events["rows"][3][label] = "mallory"
    with gzip.open(file, "wt") as fh:
        json.dump(doc, fh)
    monkeypatch.setenv("AIMS_DATABASE_URL", fresh_url)
    result = aims("restore", str(file))  # type: ignore[operator]
    assert result.code == 2 and "does not verify" in result.err and "altered" in result.err
    assert aims("user", "list").code == 2  # type: ignore[operator]  # nothing was written


def test_restore_refuses_a_file_that_is_not_a_backup(aims: object, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gz"
    junk.write_text("hello")
    result = aims("restore", str(junk))  # type: ignore[operator]
    assert result.code == 2 and "not an aims backup" in result.err


def test_file_problems_are_one_line_and_exit_2(aims: object, tmp_path: Path) -> None:
    aims("demo")  # type: ignore[operator]
    nowhere = aims("backup", str(tmp_path / "missing-dir" / "b.gz"))  # type: ignore[operator]
    assert nowhere.code == 2 and nowhere.err.startswith("error: cannot write")
    assert len(nowhere.err.strip().splitlines()) == 1
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wt") as fh:
        json.dump({"format": "aims-backup", "format_version": 1, "schema_revision": "0001"}, fh)
    refused = aims("restore", str(bad))  # type: ignore[operator]
    assert refused.code == 2 and "not a valid aims backup" in refused.err
    assert "Traceback" not in refused.err
