"""Impact assessment pages: start, the guided form, impacts, review, compare, FRIA, export."""

from __future__ import annotations

import io
import re
import uuid

import docx
from fastapi.testclient import TestClient
from pypdf import PdfReader

from aims.access.rules import Role
from aims.impact.questionnaire import get_questionnaire
from tests.conftest import Org
from tests.impact.test_assessment_api import AGE_HARM, BASE, CREDIT, complete, make_system
from tests.web.test_pages import csrf_of, sign_in


def _version(html: str) -> str:
    match = re.search(r'name="version" id="version" value="(\d+)"', html) or re.search(
        r'name="version" value="(\d+)"', html
    )
    assert match, "no version field"
    return match.group(1)


def _start(client: TestClient, org: Org) -> str:
    system_id = make_system(client, org, **CREDIT)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get(f"/systems/{system_id}")
    assert "Not assessed yet" in page.text
    started = client.post(
        "/impact/new",
        data={"csrf_token": csrf_of(page.text), "system_id": system_id},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"].endswith("/edit/scope")
    return started.headers["location"].split("/")[2]


def test_guided_form_saves_steps_and_shows_progress(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    step = client.get(f"/impact/{aid}/edit/scope")
    assert step.status_code == 200 and "0 %" in step.text
    saved = client.post(
        f"/impact/{aid}/edit/scope",
        data={"csrf_token": csrf_of(step.text), "version": _version(step.text),
              "scope": "CreditLens 4.2 for consumer loans", "go": "next"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith("/edit/data_info")
    # Save as you go: an HTMX post answers with a status line and the new version.
    section = get_questionnaire().sections[0]
    q_page = client.get(f"/impact/{aid}/edit/q-{section.id}")
    questions = [q for q in get_questionnaire().questions if q.section == section.id]
    data = {"csrf_token": csrf_of(q_page.text), "version": _version(q_page.text)}
    for q in questions:
        data[q.id] = q.answers[-1].id
    live = client.post(f"/impact/{aid}/edit/q-{section.id}", data=data,
                       headers={"HX-Request": "true"})  # fmt: skip
    assert live.status_code == 200 and "Saved" in live.text
    assert f'value="{int(data["version"]) + 1}"' in live.text
    detail = client.get(f"/impact/{aid}")
    assert "CreditLens 4.2 for consumer loans" in detail.text
    assert section.title in detail.text and "Level" in detail.text
    # A stale version says so instead of overwriting.
    stale = client.post(
        f"/impact/{aid}/edit/scope",
        data={"csrf_token": csrf_of(step.text), "version": _version(step.text), "scope": "x"},
    )
    assert stale.status_code == 409 and "someone saved this assessment" in stale.text
    assert "CreditLens 4.2 for consumer loans" in client.get(f"/impact/{aid}").text
    # A stale autosave says so and keeps the old version, so the next one cannot overwrite.
    stale_live = client.post(
        f"/impact/{aid}/edit/scope", headers={"HX-Request": "true"},
        data={"csrf_token": csrf_of(step.text), "version": _version(step.text), "scope": "y"},
    )  # fmt: skip
    assert "Not saved" in stale_live.text and 'id="version"' not in stale_live.text
    # Saving again what the autosave already stored is no conflict (the submit-after-autosave
    # race): the page moves on.
    same = client.post(
        f"/impact/{aid}/edit/scope",
        data={"csrf_token": csrf_of(step.text), "version": _version(step.text),
              "scope": "CreditLens 4.2 for consumer loans", "title": "Impact assessment: CreditLens"},
        follow_redirects=False,
    )  # fmt: skip
    assert same.status_code == 303
    assert client.post(f"/impact/{aid}/edit/nowhere", data={"csrf_token": csrf_of(step.text)}
                       ).status_code == 404  # fmt: skip


def test_bad_impact_shows_the_message_beside_the_field(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    page = client.get(f"/impact/{aid}/edit/impacts")
    assert "No impact yet" in page.text
    bad = client.post(
        f"/impact/{aid}/impacts",
        data={"csrf_token": csrf_of(page.text), "version": _version(page.text),
              **{k: str(v) for k, v in AGE_HARM.items()}, "dimension": "other_rights"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert 'id="charter_article-error"' in bad.text
    assert "Loan applicants aged over 60" in bad.text  # what was typed is kept
    good = client.post(
        f"/impact/{aid}/impacts",
        data={"csrf_token": csrf_of(page.text), "version": _version(page.text),
              **{k: str(v) for k, v in AGE_HARM.items()}},
        follow_redirects=False,
    )  # fmt: skip
    assert good.status_code == 303
    detail = client.get(f"/impact/{aid}")
    assert "Send to risk register" in detail.text
    key = re.search(r"/impacts/([0-9a-f]{12})/risk", detail.text)
    assert key
    sent = client.post(f"/impact/{aid}/impacts/{key.group(1)}/risk",
                       data={"csrf_token": csrf_of(detail.text)}, follow_redirects=True)  # fmt: skip
    assert "sent to the risk register" in sent.text
    assert "Indirect discrimination" in client.get("/impact/referrals").text


def test_review_compare_fria_and_exports(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    detail = client.get(f"/impact/{aid}")
    # An incomplete draft is refused, with the reason on the page (not in the address).
    early = client.post(f"/impact/{aid}/submit",
                        data={"csrf_token": csrf_of(detail.text), "version": _version(detail.text)})  # fmt: skip
    assert early.status_code == 422 and "not complete yet" in early.text
    assert 'id="problem"' in early.text
    a = client.get(f"{BASE}/{aid}", headers=org.headers()).json()
    complete(client, org, a, Role.CONTRIBUTOR)
    detail = client.get(f"/impact/{aid}")
    client.post(f"/impact/{aid}/submit",
                data={"csrf_token": csrf_of(detail.text), "version": _version(detail.text)})  # fmt: skip
    # The author (a contributor) sees no approve button, only who may approve.
    own = client.get(f"/impact/{aid}")
    assert "in review" in own.text and "who did not write it approves it" in own.text
    assert client.get(f"/impact/{aid}?problem=call+this+number").text.count("call this") == 0
    sign_in(client, org.emails[Role.MANAGER])
    review = client.get(f"/impact/{aid}")
    approved = client.post(
        f"/impact/{aid}/approve",
        data={"csrf_token": csrf_of(review.text), "version": _version(review.text), "note": "ok"},
        follow_redirects=True,
    )
    assert 'id="approved-by">' + org.emails[Role.MANAGER] in approved.text
    new = client.post(f"/impact/{aid}/new-version", data={"csrf_token": csrf_of(approved.text)},
                      follow_redirects=False)  # fmt: skip
    v2 = new.headers["location"].split("/")[2]
    step = client.get(f"/impact/{v2}/edit/scope")
    client.post(f"/impact/{v2}/edit/scope",
                data={"csrf_token": csrf_of(step.text), "version": _version(step.text),
                      "scope": "Now Ireland only"})  # fmt: skip
    compare = client.get(f"/impact/{v2}/compare")
    assert compare.status_code == 200 and "Revision 1 and revision 2" in compare.text
    assert "Now Ireland only" in compare.text
    fria = client.get(f"/impact/{v2}/fria")
    # Harms, who they affect and their measures fill (c)-(f); (a) and (b) are not written yet.
    assert fria.status_code == 200 and "2 of 6 elements still empty: A, B." in fria.text
    assert all(f"({letter})" in fria.text for letter in "abcdef")
    pdf = client.get(f"/impact/{aid}/export.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "CreditLens" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    word = client.get(f"/impact/{aid}/export.docx?view=fria")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "Art. 27" in text
    assert client.get(f"/impact/{aid}/export.txt").status_code == 404


def test_register_lists_and_filters(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    page = client.get("/impact")
    assert aid in page.text and "without an approved assessment" in page.text
    assert aid not in client.get("/impact?status=approved").text
    deleted = client.post(f"/impact/{aid}/delete",
                          data={"csrf_token": csrf_of(page.text), "version": "1"},
                          follow_redirects=True)  # fmt: skip
    assert "Draft discarded" in deleted.text
    crafted = client.get("/impact?deleted=../../systems/x/delete?a=")
    assert "Draft discarded" not in crafted.text and "systems/x/delete" not in crafted.text
    restored = client.post(f"/impact/{aid}/restore-deleted",
                           data={"csrf_token": csrf_of(deleted.text)}, follow_redirects=True)  # fmt: skip
    assert restored.status_code == 200 and "draft" in restored.text


def test_viewer_sees_no_edit_actions(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get(f"/impact/{aid}")
    assert page.status_code == 200 and "Send for review" not in page.text
    assert client.get(f"{BASE}/{aid}", headers=org.headers(Role.VIEWER)).status_code == 200


def test_dashboard_lists_overdue_and_missing_assessments(client: TestClient, org: Org) -> None:
    import datetime as dt

    from sqlalchemy import update

    from aims.impact.models import ImpactAssessment

    make_system(client, org, "Chat assistant")
    sign_in(client, org.emails[Role.VIEWER])
    page = client.get("/")
    assert "Chat assistant</a> is in scope and has no approved impact assessment" in page.text
    aid = _start(client, org)
    a = complete(client, org, client.get(f"{BASE}/{aid}", headers=org.headers()).json(),
                 Role.CONTRIBUTOR)  # fmt: skip
    detail = client.get(f"/impact/{aid}")
    client.post(f"/impact/{aid}/submit",
                data={"csrf_token": csrf_of(detail.text), "version": _version(detail.text)})  # fmt: skip
    approved = client.post(f"{BASE}/{aid}/approve", json={"version": a["version"] + 1},
                           headers=org.headers(Role.MANAGER))  # fmt: skip
    assert approved.status_code == 200
    assert "CreditLens</a> is in scope" not in client.get("/").text
    # A year later the reassessment date has passed.
    engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(update(ImpactAssessment).values(due_date=dt.date(2020, 1, 1)))
    assert "was due for reassessment on 2020-01-01" in client.get("/").text


def test_auditors_comment_on_an_assessment(client: TestClient, org: Org) -> None:
    aid = _start(client, org)
    sign_in(client, org.emails[Role.AUDITOR])
    page = client.get(f"/impact/{aid}")
    assert "No comments yet" in page.text
    posted = client.post(
        "/comments",
        data={"csrf_token": csrf_of(page.text), "subject_type": "impact_assessment",
              "subject_id": aid, "back": f"/impact/{aid}",
              "body": "Where is the evidence for the <b>over-60</b> parity test?"},
        follow_redirects=True,
    )  # fmt: skip
    assert "Where is the evidence for the &lt;b&gt;over-60&lt;/b&gt; parity test?" in posted.text
    elsewhere = client.post(
        "/api/v1/comments",
        json={"subject_type": "impact_assessment", "subject_id": str(uuid.uuid4()), "body": "x"},
        headers=org.headers(Role.AUDITOR),
    )
    assert elsewhere.status_code == 404
