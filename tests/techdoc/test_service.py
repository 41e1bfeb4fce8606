"""What the system page and the dashboard get from techdoc, on both databases."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aims.access.rules import Role
from aims.systems.models import AISystem
from aims.techdoc import service
from aims.web.templating import env
from tests.conftest import Org
from tests.techdoc.test_api import ART12, high_risk, put, system


def test_page_context_and_attention(client: TestClient, org: Org, db: Session) -> None:
    sid = system(client, org, "Talent <i>Sift</i>")
    high_risk(client, org, sid)
    ctx = org.contexts[Role.VIEWER]
    found = db.get(AISystem, uuid.UUID(sid))
    assert found is not None
    extra = service.page_context(db, ctx, found)
    html = env.get_template(extra["event_log_template"]).render(extra=extra)
    assert 'id="event-logs"' in html and "Record the event logs" in html
    assert "no record of where its event logs are kept" in html
    assert f'href="/systems/{sid}/technical-documentation"' in html
    assert [s.system.name for s in service.attention(db, ctx)] == ["Talent <i>Sift</i>"]

    db.rollback()  # end the read, so the API can write
    saved = put(client, org, sid, captures=ART12, retention_months=24, log_system="S3 <b>")
    assert saved.status_code == 200, saved.text
    found = db.get(AISystem, uuid.UUID(sid))
    assert found is not None
    extra = service.page_context(db, ctx, found)
    html = env.get_template(extra["event_log_template"]).render(extra=extra)
    assert "S3 &lt;b&gt;" in html and "for 24 months" in html, html
    assert "field-error" not in html
    assert service.attention(db, ctx) == []
