"""The system page shows the event-log section, and the dashboard flags a high-risk system
without an event-log record."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.store.engine import Actor, unit_of_work
from aims.systems.models import AISystem
from tests.conftest import Org
from tests.web.test_pages import sign_in


def test_event_logs_on_the_system_page_and_dashboard(client: TestClient, org: Org) -> None:
    made = client.post("/api/v1/systems", json={"name": "Scorer <b>X</b>"}, headers=org.headers())
    sid = made.json()["id"]
    sign_in(client, org.emails[Role.VIEWER])
    page_before = client.get(f"/systems/{sid}").text
    assert f'href="/systems/{sid}/technical-documentation"' in page_before
    assert 'href="/event-logs"' in client.get("/sections/operation").text
    # Only high-risk systems are flagged: mark this one high risk through the inventory.
    sessions = client.app.state.runtime.sessions  # type: ignore[attr-defined]
    with unit_of_work(sessions, Actor(None, None, "test")) as db:
        system = db.get(AISystem, uuid.UUID(sid))
        assert system is not None
        system.risk_class = "high_risk"
    dashboard = client.get("/").text
    assert "A.6.2.8 Event logs" in dashboard and "Scorer &lt;b&gt;X&lt;/b&gt;" in dashboard
