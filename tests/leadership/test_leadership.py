"""Leadership (5.1, 7.1): resource commitments by top management, and approvals read from the
records that were approved."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from aims.access.rules import Role
from aims.leadership import rules
from aims.leadership.rules import CommitmentStatus as S
from tests.conftest import Org
from tests.web.test_pages import csrf_of, sign_in


@pytest.mark.parametrize(
    ("status", "until", "lapsed"),
    [
        (S.COMMITTED, date(2020, 1, 1), True),
        (S.PROVIDED, date(2020, 1, 1), False),
        (S.COMMITTED, None, False),
        (S.COMMITTED, date(2999, 1, 1), False),
    ],
)
def test_lapsed(status: S, until: date | None, lapsed: bool) -> None:
    assert rules.lapsed(status, until, date(2026, 6, 1)) is lapsed


def test_commitments_by_top_management(client: TestClient, org: Org, other_org: Org) -> None:
    body = {"kind": "people", "description": "AI governance team", "amount": "2 FTE",
            "committed_by_email": org.emails[Role.OWNER], "committed_on": "2026-01-10",
            "until": "2020-12-31", "starts": "2020-01-01"}  # fmt: skip
    made = client.post("/api/v1/leadership/commitments", json=body,
                       headers=org.headers(Role.CONTRIBUTOR))  # fmt: skip
    assert made.status_code == 201, made.text
    row = made.json()
    assert row["lapsed"] is True and row["committed_by_email"] == org.emails[Role.OWNER]
    not_top = client.post("/api/v1/leadership/commitments",
                          json={**body, "committed_by_email": org.emails[Role.CONTRIBUTOR]},
                          headers=org.headers())  # fmt: skip
    assert not_top.status_code == 422
    assert not_top.json()["errors"][0]["loc"][-1] == "committed_by_email"
    backwards = client.post("/api/v1/leadership/commitments",
                            json={**body, "starts": "2021-01-01"}, headers=org.headers())  # fmt: skip
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["loc"][-1] == "until"
    url = f"/api/v1/leadership/commitments/{row['id']}"
    provided = client.patch(url, json={"status": "provided", "version": row["version"]},
                            headers=org.headers()).json()  # fmt: skip
    assert provided["lapsed"] is False
    assert client.get(url, headers=other_org.headers()).status_code == 404
    listed = client.get("/api/v1/leadership/commitments", params={"kind": "budget"},
                        headers=org.headers()).json()  # fmt: skip
    assert listed["total"] == 0


def test_approvals_come_from_approved_records(client: TestClient, org: Org) -> None:
    # The SoA approved by the owner shows as top management's approval.
    snap = client.post("/api/v1/soa/versions", json={"note": "first"},
                       headers=org.headers(Role.MANAGER))  # fmt: skip
    assert snap.status_code == 201, snap.text
    version = snap.json()
    approved = client.post(f"/api/v1/soa/versions/{version['id']}/approve",
                           json={"version": version["version"]}, headers=org.headers())  # fmt: skip
    assert approved.status_code == 200, approved.text
    top = client.get("/api/v1/leadership/approvals", params={"role": "owner"},
                     headers=org.headers(Role.VIEWER)).json()  # fmt: skip
    assert [a["label"] for a in top] == ["Statement of Applicability, revision 1"]
    assert top[0]["approved_by_email"] == org.emails[Role.OWNER] and top[0]["link"] == "/soa"
    managers = client.get("/api/v1/leadership/approvals", params={"role": "manager"},
                          headers=org.headers()).json()  # fmt: skip
    assert managers == []


def test_leadership_page(client: TestClient, org: Org) -> None:
    sign_in(client, org.emails[Role.MANAGER])
    page = client.get("/leadership")
    assert "No record has been approved by an owner yet" in page.text
    bad = client.post("/leadership/commitments",
                      data={"csrf_token": csrf_of(page.text), "kind": "budget",
                            "description": "Fairness tooling", "committed_on": "2026-01-01",
                            "committed_by_email": org.emails[Role.VIEWER]})  # fmt: skip
    assert bad.status_code == 422 and 'id="committed_by_email-error"' in bad.text
    good = client.post("/leadership/commitments",
                       data={"csrf_token": csrf_of(page.text), "kind": "budget",
                             "description": "Fairness tooling", "amount": "EUR 40,000",
                             "committed_on": "2026-01-01",
                             "committed_by_email": org.emails[Role.OWNER]},
                       follow_redirects=True)  # fmt: skip
    assert "Commitment recorded" in good.text and "EUR 40,000" in good.text


def test_cli_approvals(aims: object) -> None:
    assert aims("init", "--email", "boss@acme.example").code == 0  # type: ignore[operator]
    shown = aims("leadership", "approvals", "--top")  # type: ignore[operator]
    assert shown.code == 0 and "Approved" in shown.out


def test_commitments_page_through_by_date_both_ways(client: TestClient, org: Org) -> None:
    """Sorting by the commitment date (the default) gave a 500 as soon as there was a second
    page: the cursor could not carry a date."""
    dates = ["2026-01-01", "2026-01-01", "2025-06-01", "2024-01-01"]
    for i, day in enumerate(dates):
        made = client.post("/api/v1/leadership/commitments", headers=org.headers(),
                           json={"kind": "people", "description": f"Commitment {i}",
                                 "committed_by_email": org.emails[Role.OWNER],
                                 "committed_on": day})  # fmt: skip
        assert made.status_code == 201, made.text
    for sort, expected in (("-committed_on", sorted(dates, reverse=True)),
                           ("committed_on", sorted(dates))):  # fmt: skip
        seen: list[str] = []
        url = f"/api/v1/leadership/commitments?limit=1&sort={sort}"
        cursor = None
        for _ in range(len(dates) + 1):
            page = client.get(url + (f"&cursor={cursor}" if cursor else ""),
                              headers=org.headers(Role.VIEWER))  # fmt: skip
            assert page.status_code == 200, page.text
            seen += [c["committed_on"] for c in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if not cursor:
                break
        assert seen == expected
