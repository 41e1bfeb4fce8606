"""The concern CLI, the dashboard's attention counts, and Meridian's demo concerns."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from aims.access.rules import Role
from aims.concerns import service
from aims.concerns.schemas import ConcernIn
from tests.conftest import Org


def test_attention_counts_open_concerns_for_handlers_only(db: Session, org: Org) -> None:
    viewer = org.contexts[Role.VIEWER]
    db.info["actor"] = viewer.actor
    service.raise_concern(db, viewer, ConcernIn(category="privacy", summary="s", description="d"))
    service.raise_concern(db, viewer, ConcernIn(category="other", summary="t", description="e",
                                                anonymous=True))  # fmt: skip
    assert service.attention(db, org.contexts[Role.MANAGER]) == {
        "received": 2, "triage": 0, "investigating": 0,
    }  # fmt: skip
    assert service.attention(db, viewer) == {}
    assert service.attention(db, org.contexts[Role.AUDITOR]) == {}
    assert db.info["actor"] == viewer.actor  # the anonymous write did not keep its actor


def test_cli_lists_and_shows_concerns(aims: object) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("concern", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert listed.code == 0 and "2 concern(s)" in listed.out
    assert "investigating: 1" in listed.out and "resolved: 1" in listed.out
    only = aims("concern", "list", "--org", "meridian-lending", "--status", "resolved")  # type: ignore[operator]
    assert "1 concern(s)" in only.out and "C-001" in only.out and "C-002" not in only.out
    shown = aims("concern", "show", "c-002", "--org", "meridian-lending")  # type: ignore[operator]
    assert shown.code == 0 and "Sofia Marino" in shown.out and "investigating" in shown.out
    assert "daniel.kowalski@meridian.example" in shown.out and "Pulled 40 transcripts" in shown.out
    missing = aims("concern", "show", "C-099", "--org", "meridian-lending")  # type: ignore[operator]
    assert missing.code == 2 and "no concern" in missing.err
    bad = aims("concern", "list", "--status", "nonsense")  # type: ignore[operator]
    assert bad.code == 2
    assert "Already loaded" in aims("demo").out  # type: ignore[operator]
    again = aims("concern", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert "2 concern(s)" in again.out  # idempotent


def test_demo_link_is_on_and_sofia_sees_her_concern(client: TestClient, aims: object) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    from tests.web.test_pages import sign_in

    sign_in(client, "sofia.marino@meridian.example", password="meridian-demo-42001")
    mine = client.get("/concerns/mine")
    assert "C-002" in mine.text and "investigating" in mine.text
    assert client.get("/concerns").status_code == 403
    sign_in(client, "daniel.kowalski@meridian.example", password="meridian-demo-42001")
    settings = client.get("/concerns/settings")
    assert 'id="public-link"' in settings.text
    queue = client.get("/concerns")
    assert "Assistant tells customers in financial difficulty" in queue.text
