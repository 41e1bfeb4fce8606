"""Concern pages: a member raises one (named or anonymous), handlers triage it in the queue,
others get 403, settings show and regenerate the link."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aims.access.rules import Role
from aims.audit.models import AuditEvent
from aims.concerns.models import Concern
from tests.concerns.test_api import BODY, only, raise_concern
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


def test_member_raises_a_concern_and_sees_it_under_my_concerns(
    client: TestClient, org: Org, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, org.emails[Role.VIEWER])
    form = client.get("/concerns/new")
    assert form.status_code == 200 and 'for="summary"' in form.text
    bad = client.post("/concerns/new", data={"csrf_token": csrf_of(form.text), **BODY,
                                             "summary": ""})  # fmt: skip
    assert bad.status_code == 422 and 'id="summary-error"' in bad.text
    assert "Customers in arrears" in bad.text  # what was typed stays
    no_csrf = client.post("/concerns/new", data=BODY)
    assert no_csrf.status_code == 403
    done = client.post("/concerns/new", data={"csrf_token": csrf_of(form.text), **BODY,
                                              "anonymous": "no"})  # fmt: skip
    assert done.status_code == 201 and 'id="receipt-code"' in done.text and "C-001" in done.text
    anon = client.post("/concerns/new", data={"csrf_token": csrf_of(form.text), **BODY,
                                              "summary": "Second one", "anonymous": "yes"})  # fmt: skip
    assert anon.status_code == 201 and "does not show who sent it" in anon.text
    with sessions() as db:
        row = db.scalars(select(Concern).where(Concern.summary == "Second one")).one()
        assert (row.reporter_id, row.created_by_id, row.updated_by_id) == (None, None, None)
        events = db.scalars(select(AuditEvent).where(AuditEvent.record_id == str(row.id))).all()
        assert events and {e.actor_id for e in events} == {None}
    code = re.search(r'id="receipt-code"><strong>([0-9A-Z-]+)<', anon.text)
    assert code
    status_page = client.get("/report/status")
    shown = client.post("/report/status", data={"csrf_token": csrf_of(status_page.text),
                                                "code": code.group(1)})  # fmt: skip
    assert 'id="status-value">received<' in shown.text and "Customers in arrears" not in shown.text
    mine = client.get("/concerns/mine")
    assert "C-001" in mine.text and "Second one" not in mine.text
    cid = re.search(r'href="/concerns/([0-9a-f-]{36})"', mine.text)
    assert cid
    own = client.get(f"/concerns/{cid.group(1)}")
    assert own.status_code == 200 and 'id="concern-status">received' in own.text
    assert "Triage" not in own.text
    assert client.get("/concerns").status_code == 403
    assert client.get("/concerns/settings").status_code == 403


def test_handler_triages_in_the_queue_and_stale_forms_are_409(client: TestClient, org: Org) -> None:
    raise_concern(client, org, Role.CONTRIBUTOR, anonymous=True)
    concern = only(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    assert client.get(f"/concerns/{concern['id']}").status_code == 403
    sign_in(client, org.emails[Role.MANAGER])
    queue = client.get("/concerns")
    assert queue.status_code == 200 and "C-001" in queue.text and 'id="status-counts"' in queue.text
    assert "No concern matches" in client.get("/concerns", params={"status": "resolved"}).text
    page = client.get(f"/concerns/{concern['id']}")
    assert "chose to stay anonymous" in page.text
    url = f"/concerns/{concern['id']}"
    closing = client.post(f"{url}/triage", data={"csrf_token": csrf_of(page.text),
                                                 "version": str(concern["version"]),
                                                 "status": "resolved", "outcome": ""})  # fmt: skip
    assert closing.status_code == 422 and 'id="outcome-error"' in closing.text
    saved = client.post(
        f"{url}/triage",
        data={"csrf_token": csrf_of(page.text), "version": str(concern["version"]),
              "status": "investigating", "owner_email": org.emails[Role.MANAGER],
              "severity": "high", "reporter_message": "Thanks, we are on it."},
        follow_redirects=True,
    )  # fmt: skip
    assert saved.status_code == 200 and 'id="concern-status">investigating' in saved.text
    assert "Status received → investigating" in saved.text
    stale = client.post(f"{url}/triage", data={"csrf_token": csrf_of(page.text),
                                               "version": str(concern["version"]),
                                               "status": "triage"})  # fmt: skip
    assert stale.status_code == 409 and "changed since you loaded it" in stale.text
    noted = client.post(f"{url}/notes", data={"csrf_token": csrf_of(page.text),
                                              "body": "Called the team lead"},
                        follow_redirects=True)  # fmt: skip
    assert "Called the team lead" in noted.text
    risk = client.post(f"{url}/risk", data={"csrf_token": csrf_of(page.text),
                                            "version": re.search(r'name="version" value="(\d+)"',
                                                                 noted.text).group(1),  # type: ignore[union-attr]
                                            "title": "Wrong hardship answers",
                                            "inherent_likelihood": "3",
                                            "inherent_consequence": "3"},
                       follow_redirects=True)  # fmt: skip
    assert risk.status_code == 200 and "R-001 Wrong hardship answers" in risk.text


def test_settings_page_toggles_the_link_and_regenerates_it(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.OWNER])
    page = client.get("/concerns/settings")
    assert page.status_code == 200 and 'id="public-link-off"' in page.text
    saved = client.post(
        "/concerns/settings",
        data={"csrf_token": csrf_of(page.text), "version": "0", "anonymous_enabled": "yes",
              "handler_roles": ["manager", "auditor"], "intro": "Tell us anything."},
        follow_redirects=True,
    )  # fmt: skip
    link = re.search(r'id="public-link"><a href="([^"]+)"', saved.text)
    assert link and "/report/" in link.group(1)
    path = "/report/" + link.group(1).split("/report/")[1]
    public = client.get(path)
    assert public.status_code == 200 and "Tell us anything." in public.text
    version = re.search(r'action="/concerns/settings/link">.*?name="version" value="(\d+)"',
                        saved.text, re.S)  # fmt: skip
    assert version
    again = client.post("/concerns/settings/link", data={"csrf_token": csrf_of(saved.text),
                                                         "version": version.group(1)},
                        follow_redirects=True)  # fmt: skip
    assert "old one no longer works" in again.text
    assert client.get(path).status_code == 404
    sign_in(client, org.emails[Role.AUDITOR])
    assert client.get("/concerns").status_code == 200  # auditors were added
    readonly = client.get("/concerns/settings")
    assert "Only an owner changes these settings" in readonly.text


def test_refused_forms_on_a_concern_keep_what_the_handler_typed(
    client: TestClient, org: Org
) -> None:
    raise_concern(client, org)
    concern = only(client, org)
    url = f"/concerns/{concern['id']}"
    sign_in(client, org.emails[Role.OWNER])
    token = csrf_of(client.get(url).text)
    # Closing without an outcome: the message typed for the reporter is still there.
    closed = client.post(f"{url}/triage", data={
        "csrf_token": token, "version": str(concern["version"]), "status": "resolved",
        "severity": "high", "outcome": "", "reporter_message": "Thank you, we are on it.",
    })  # fmt: skip
    assert closed.status_code == 422 and 'id="outcome-error"' in closed.text
    assert "Thank you, we are on it.</textarea>" in closed.text
    assert '<option value="high" selected>' in closed.text
    # An over-long note comes back in the note box.
    note = client.post(f"{url}/notes", data={"csrf_token": token, "body": "Called them. " * 500})
    assert note.status_code == 422 and 'id="body-error"' in note.text
    assert ">Called them. Called them." in note.text
    # The risk form's owner error shows beside the risk form, with its title kept.
    risk = client.post(f"{url}/risk", data={
        "csrf_token": token, "version": str(concern["version"]), "title": "Wrong advice",
        "description": "Advice on payment breaks", "inherent_likelihood": "3",
        "inherent_consequence": "3", "risk_owner": "stranger@nowhere.example",
    })  # fmt: skip
    assert risk.status_code == 422, risk.text
    assert 'id="risk_owner-error"' in risk.text and 'id="owner_email-error"' not in risk.text
    assert (
        'value="Wrong advice"' in risk.text and "Advice on payment breaks</textarea>" in risk.text
    )
