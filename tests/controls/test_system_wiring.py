"""Controls and evidence reach the system page, the dashboard and the technical documentation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.risk.test_register_api import system
from tests.web.test_pages import sign_in


def test_a_system_s_controls_show_on_its_page_dashboard_and_outline(
    client: TestClient, org: Org
) -> None:
    sid = system(client, org)
    made = client.post("/api/v1/controls", headers=org.headers(),
                       json={"control_id": "A.6.2.4", "system_id": sid, "status": "implemented",
                             "description": "Parity test before each release",
                             "check_months": 1})  # fmt: skip
    assert made.status_code == 201, made.text
    impl = made.json()
    checked = client.post(f"/api/v1/controls/{impl['id']}/checks", headers=org.headers(),
                          json={"checked_on": "2020-01-10", "result": "effective",
                                "version": impl["version"]})  # fmt: skip
    assert checked.status_code in (200, 201), checked.text
    link = client.post("/api/v1/evidence/links", headers=org.headers(),
                       json={"title": "Parity report <Q1>", "url": "https://example.org/r",
                             "links": [{"target_type": "implementation",
                                        "target_id": impl["id"]}]})  # fmt: skip
    assert link.status_code == 201, link.text
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/systems/{sid}").text
    assert 'id="system-controls"' in page and f'href="/controls/{impl["id"]}">A.6.2.4' in page
    assert "The check of" in client.get("/").text  # checked in 2020, monthly: overdue
    outline = client.get(f"/api/v1/systems/{sid}/technical-documentation",
                         headers=org.headers()).json()  # fmt: skip
    text = str(outline)
    assert "A.6.2.4 implemented (this system)" in text and "Parity report <Q1>" in text
