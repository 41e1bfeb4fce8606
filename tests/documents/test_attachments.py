"""Documents keep attachments in the evidence store (7.5: attachments reuse it)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aims.access.rules import Role
from tests.conftest import Org
from tests.documents.test_api import create
from tests.web.test_pages import csrf_of, sign_in


def test_attach_a_file_and_a_link_to_a_document(
    client: TestClient, org: Org, other_org: Org
) -> None:
    doc = create(client, org)
    sign_in(client, org.emails[Role.CONTRIBUTOR])
    page = client.get(f"/documents/{doc['id']}")
    assert "No attachment." in page.text
    form = client.get(f"/documents/{doc['id']}/attachments")
    assert form.status_code == 200 and 'id="add-evidence"' in form.text
    disguised = client.post(
        f"/documents/{doc['id']}/attachments",
        data={"csrf_token": csrf_of(form.text), "kind": "file", "title": "Signed copy"},
        files={"file": ("signed.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 415 and 'value="Signed copy"' in disguised.text
    stored = client.post(
        f"/documents/{doc['id']}/attachments",
        data={"csrf_token": csrf_of(form.text), "kind": "file", "title": "Signed copy"},
        files={"file": ("signed.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        follow_redirects=True,
    )
    assert stored.status_code == 200 and "Attached." in stored.text
    client.post(
        f"/documents/{doc['id']}/attachments",
        data={"csrf_token": csrf_of(form.text), "kind": "link", "title": "Board minutes",
              "url": "https://intranet.example/minutes"},
    )  # fmt: skip
    page = client.get(f"/documents/{doc['id']}").text
    listed = page[page.index('id="attachments"') :]
    assert "Signed copy" in listed and "Board minutes" in listed
    item = re.search(r'href="/evidence/([0-9a-f-]{36})">Signed copy', page)
    assert item
    download = client.get(f"/evidence/{item.group(1)}/download")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    # The API sees the link to the document; another organisation sees neither.
    found = client.get(f"/api/v1/evidence/{item.group(1)}", headers=org.headers()).json()
    assert {"target_type": "document", "target_id": doc["id"]}.items() <= found["links"][0].items()
    assert found["links"][0]["label"] == "POL-001 Information security policy"
    evidence_page = client.get(f"/evidence/{item.group(1)}").text
    assert f'href="/documents/{doc["id"]}"' in evidence_page
    assert client.get(f"/api/v1/evidence/{item.group(1)}",
                      headers=other_org.headers()).status_code == 404  # fmt: skip
    sign_in(client, other_org.emails[Role.OWNER])
    assert client.get(f"/documents/{doc['id']}/attachments").status_code == 404
