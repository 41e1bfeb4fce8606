"""The communication plan (7.4): due dates, the API on both databases, the page, the CLI."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from aims.access.rules import Role
from aims.communication import rules
from aims.communication.rules import Frequency as F
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in

D = date(2026, 1, 31)


@pytest.mark.parametrize(
    ("frequency", "last", "first", "due"),
    [
        (F.MONTHLY, D, None, date(2026, 2, 28)),  # the month's last day when it is shorter
        (F.QUARTERLY, D, None, date(2026, 4, 30)),
        (F.YEARLY, date(2024, 2, 29), None, date(2025, 2, 28)),
        (F.QUARTERLY, None, D, D),  # never done: its first date
        (F.ONCE, None, D, D),
        (F.ONCE, D, D, None),  # a one-off done is done
        (F.ON_EVENT, D, D, None),
    ],
)
def test_next_due(frequency: F, last: date | None, first: date | None, due: date | None) -> None:
    assert rules.next_due(frequency, last_done=last, first_due=first) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
       st.sampled_from([F.MONTHLY, F.QUARTERLY, F.HALF_YEARLY, F.YEARLY]))  # fmt: skip
def test_a_recurring_communication_falls_due_after_it_was_done(done: date, f: F) -> None:
    due = rules.next_due(f, last_done=done, first_due=None)
    assert due is not None and done < due <= done + timedelta(days=31 * rules.MONTHS[f])


def item(client: TestClient, org: Org, **fields: Any) -> Any:
    body = {"topic": "The AI policy and what changed", "audience": "All staff",
            "channel": "Intranet and team meetings", "frequency": "yearly",
            "first_due": "2020-01-15", **fields}  # fmt: skip
    response = client.post("/api/v1/communications", json=body, headers=org.headers())
    assert response.status_code == 201, response.text
    return response.json()


def test_plan_done_overdue_and_refusals(client: TestClient, org: Org, other_org: Org) -> None:
    i = item(client, org, communicator_email=org.emails[Role.MANAGER])
    assert i["next_due"] == "2020-01-15" and i["overdue"] is True
    url = f"/api/v1/communications/{i['id']}"
    future = client.post(f"{url}/done", json={"version": i["version"], "on": "2999-01-01"},
                         headers=org.headers())  # fmt: skip
    assert future.status_code == 422 and future.json()["errors"][0]["loc"][-1] == "on"
    done = client.post(f"{url}/done", json={"version": i["version"], "note": "sent"},
                       headers=org.headers()).json()  # fmt: skip
    assert done["last_done"] == date.today().isoformat() and done["overdue"] is False
    assert done["next_due"] > date.today().isoformat() and "sent" in done["notes"]
    stale = client.post(f"{url}/done", json={"version": i["version"]}, headers=org.headers())
    assert stale.status_code == 409

    no_date = client.post("/api/v1/communications",
                          json={"topic": "x", "audience": "y", "frequency": "quarterly"},
                          headers=org.headers())  # fmt: skip
    assert no_date.status_code == 422 and no_date.json()["errors"][0]["loc"][-1] == "first_due"
    on_event = item(
        client,
        org,
        frequency="on_event",
        first_due=None,
        direction="external",
        topic="Serious incident notice",
        audience="Market surveillance authority",
    )
    assert on_event["next_due"] is None and on_event["direction"] == "external"
    external = client.get("/api/v1/communications", params={"direction": "external"},
                          headers=org.headers()).json()  # fmt: skip
    assert [x["topic"] for x in external["items"]] == ["Serious incident notice"]
    assert client.get(url, headers=other_org.headers()).status_code == 404
    assert client.post("/api/v1/communications", json={"topic": "x", "audience": "y"},
                       headers=org.headers(Role.AUDITOR)).status_code == 403  # fmt: skip


def test_plan_page(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get("/communication")
    assert "The plan is empty" in page.text
    bad = client.post("/communication", data={"csrf_token": csrf_of(page.text), "topic": "",
                                              "audience": "Staff", "frequency": "monthly"})  # fmt: skip
    assert bad.status_code == 422 and 'id="topic-error"' in bad.text
    assert 'value="Staff"' in bad.text  # what was typed stays
    made = client.post("/communication",
                       data={"csrf_token": csrf_of(page.text), "topic": "Concern reporting",
                             "audience": "Staff", "frequency": "monthly",
                             "first_due": "2020-02-01"}, follow_redirects=True)  # fmt: skip
    assert "Concern reporting" in made.text and "overdue" in made.text
    link = re.search(r'href="(/communication/[0-9a-f-]{36})"', made.text)
    assert link
    done = client.post(link.group(1) + "/done",
                       data={"csrf_token": csrf_of(made.text), "version": "1"},
                       follow_redirects=True)  # fmt: skip
    assert "Recorded as done" in done.text and "overdue" not in done.text


def test_cli_lists_the_plan(aims: object) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    shown = aims("communication", "list")  # type: ignore[operator]
    assert shown.code == 0 and "With whom" in shown.out


def test_recording_an_earlier_time_does_not_make_the_plan_overdue(
    client: TestClient, org: Org
) -> None:
    """Done today, then a forgotten time from last spring recorded: the next date stays a
    year from today (it went back to last spring + 1 year, overdue)."""
    i = item(client, org)
    url = f"/api/v1/communications/{i['id']}"
    today = client.post(f"{url}/done", json={"version": i["version"]},
                        headers=org.headers()).json()  # fmt: skip
    earlier = (date.today() - timedelta(days=300)).isoformat()
    late = client.post(f"{url}/done", json={"version": today["version"], "on": earlier,
                                            "note": "the spring briefing"},
                       headers=org.headers())  # fmt: skip
    assert late.status_code == 200, late.text
    out = late.json()
    assert out["last_done"] == today["last_done"] == date.today().isoformat()
    assert out["next_due"] == today["next_due"] and out["overdue"] is False
    assert f"{earlier}: the spring briefing" in out["notes"]
