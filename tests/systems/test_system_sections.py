"""A system's page shows the legal requirements that touch it and its objectives."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.context.test_api import legal
from tests.objectives.test_api import objective
from tests.risk.test_register_api import system
from tests.web.test_pages import sign_in


def test_requirements_and_objectives_on_the_system_page(
    client: TestClient, org: Org, other_org: Org
) -> None:
    sid = system(client, org)
    other = system(client, org, name="Code assistant")
    legal(client, org, title="EU AI <b>Act</b>", system_ids=[sid], controls=["A.6.2.7"])
    objective(client, org, title="Fair approvals", system_id=sid)
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/systems/{sid}").text
    section = page[page.index('id="system-requirements"') :]
    assert "EU AI &lt;b&gt;Act&lt;/b&gt;" in section and "calls for A.6.2.7" in section
    assert "OBJ-001 Fair approvals" in section and "no data" in section
    empty = client.get(f"/systems/{other}").text
    assert "No entry of the" in empty and "No <a" in empty
