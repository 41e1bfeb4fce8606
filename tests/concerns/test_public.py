"""The public reporting link (no account): CSRF, size limits, honeypot, the database-backed
rate limit shared by app instances, revoked and disabled links, and the receipt page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from aims.access.models import Organisation
from aims.api.app import create_app
from aims.api.runtime import Runtime
from aims.catalog.loader import get_catalog
from aims.concerns import rules
from aims.concerns.models import Concern, ConcernAttempt
from aims.config import Settings
from aims.store.engine import build_engine
from aims.store.registry import session_factory
from tests.conftest import Org
from tests.web.test_pages import csrf_of

FORM = {
    "category": "harmful_outcome",
    "summary": "Chatbot refused to talk about my payment plan",
    "description": "I told it I lost my job and it kept offering a new loan.",
    "occurred": "Monday",
}


def enable(client: TestClient, org: Org) -> str:
    saved = client.put(
        "/api/v1/concerns/settings",
        json={"version": 0, "anonymous_enabled": True, "handler_roles": ["manager"]},
        headers=org.headers(),
    )
    assert saved.status_code == 200
    return str(saved.json()["link_path"])


def submit(client: TestClient, link: str, **fields: str) -> httpx.Response:
    page = client.get(link)
    assert page.status_code == 200
    return client.post(link, data={"csrf_token": csrf_of(page.text), **FORM, **fields})


def attempts(sessions: sessionmaker[Session]) -> list[ConcernAttempt]:
    with sessions() as db:
        return list(db.scalars(select(ConcernAttempt)))


def concerns_stored(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(Concern)) or 0)


def test_public_report_gives_a_receipt_and_stores_no_identity(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    link = enable(client, org)
    page = client.get(link)
    assert page.status_code == 200 and "Acme Credit" in page.text
    assert 'name="email"' not in page.text and 'id="contact"' in page.text
    done = client.post(link, data={"csrf_token": csrf_of(page.text), **FORM})
    assert done.status_code == 201
    code = re.search(r'id="receipt-code"><strong>([0-9A-Z-]+)<', done.text)
    assert code and "C-001" not in done.text
    with sessions() as db:
        row = db.scalars(select(Concern)).one()
        assert (row.channel, row.anonymous, row.reporter_id, row.created_by_id) == (
            "public", True, None, None,
        )  # fmt: skip
        assert row.receipt_hash == rules.receipt_hash(code.group(1))
        keys = [a.key for a in db.scalars(select(ConcernAttempt))]
        assert keys and all("testclient" not in k for k in keys)  # the address is not kept
    status_page = client.get("/report/status")
    shown = client.post(
        "/report/status", data={"csrf_token": csrf_of(status_page.text), "code": code.group(1)}
    )
    assert shown.status_code == 200 and 'id="status-value">received<' in shown.text
    assert "lost my job" not in shown.text  # only status, date and the message
    no_csrf = client.post("/report/status", data={"code": code.group(1)})
    assert no_csrf.status_code == 400


def test_form_errors_sit_beside_the_field_and_long_input_is_refused(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    link = enable(client, org)
    long = submit(client, link, description="x" * (rules.DESCRIPTION_MAX + 1))
    assert long.status_code == 422
    assert 'id="description-error"' in long.text
    assert 'aria-invalid="true"' in long.text
    contact = submit(client, link, contact="c" * (rules.CONTACT_MAX + 1))
    assert 'id="contact-error"' in contact.text
    no_kind = submit(client, link, category="")
    assert 'id="category-error"' in no_kind.text
    huge = client.post(link, content=b"a=" + b"x" * (rules.PUBLIC_MAX_BODY + 1),
                       headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert huge.status_code == 413
    assert concerns_stored(sessions) == 0


def test_csrf_and_honeypot(client: TestClient, org: Org, sessions: sessionmaker[Session]) -> None:
    link = enable(client, org)
    forged = client.post(link, data={**FORM, "csrf_token": "made-up"})
    assert forged.status_code == 400 and "expired" in forged.text
    form = client.get(link)
    client.get("/report/status")  # another public page opened meanwhile
    two_tabs = client.post(link, data={"csrf_token": csrf_of(form.text), **FORM})
    assert two_tabs.status_code == 201
    bot = submit(client, link, website="http://spam.example")
    assert bot.status_code == 201
    assert concerns_stored(sessions) == 1  # the robot's was not kept


@pytest.fixture()
def second_client(database_url: str, engine: Engine) -> Iterator[TestClient]:
    """Another app instance on the same database (its own engine and pool)."""
    other_engine = build_engine(database_url)
    settings = Settings(database_url=database_url)
    runtime = Runtime(settings, other_engine, session_factory(other_engine), get_catalog())
    with TestClient(create_app(settings, runtime=runtime), base_url="http://testserver") as c:
        yield c
    other_engine.dispose()


def test_rate_limit_is_shared_by_app_instances(
    client: TestClient, second_client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    link = enable(client, org)
    for i in range(rules.PUBLIC_LIMIT):
        which = client if i % 2 == 0 else second_client
        assert submit(which, link, summary=f"Report {i}").status_code == 201
    refused = submit(second_client, link)
    assert refused.status_code == 429
    assert "Too many reports" in refused.text
    also = submit(client, link)
    assert also.status_code == 429
    assert concerns_stored(sessions) == rules.PUBLIC_LIMIT
    assert len({a.key for a in attempts(sessions)}) == 1


def test_revoked_wrong_and_disabled_links_are_404(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    link = enable(client, org)
    assert client.get("/report/not-a-real-token").status_code == 404
    page = client.get(link)
    settings = client.get("/api/v1/concerns/settings", headers=org.headers()).json()
    new = client.post("/api/v1/concerns/settings/link", json={"version": settings["version"]},
                      headers=org.headers()).json()  # fmt: skip
    assert client.get(link).status_code == 404
    assert client.post(link, data={"csrf_token": csrf_of(page.text), **FORM}).status_code == 404
    assert client.get(new["link_path"]).status_code == 200
    off = client.put("/api/v1/concerns/settings",
                     json={"version": new["version"], "anonymous_enabled": False,
                           "handler_roles": ["manager"]}, headers=org.headers())  # fmt: skip
    assert off.status_code == 200 and off.json()["anonymous_enabled"] is False
    assert client.get(new["link_path"]).status_code == 404
    client.put("/api/v1/concerns/settings",
               json={"version": off.json()["version"], "anonymous_enabled": True,
                     "handler_roles": ["manager"]}, headers=org.headers())  # fmt: skip
    assert client.get(new["link_path"]).status_code == 200
    with sessions.begin() as db:
        stored = db.get(Organisation, org.id)
        assert stored is not None
        stored.mark_deleted(None)
    assert client.get(new["link_path"]).status_code == 404
