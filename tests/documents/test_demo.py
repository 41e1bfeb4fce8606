"""Meridian's documents in the demo: the AI policy approved by Aoife Byrne, acknowledged by
most staff but not Sofia Marino and Tomás Ó Briain, aligned with two other policies."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from aims.demo.service import context_of, find_demo
from aims.documents import present, service


def test_demo_documents(aims: object, sessions: sessionmaker[Session]) -> None:
    assert aims("demo").code == 0  # type: ignore[operator]
    listed = aims("doc", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert listed.code == 0 and "5 document(s)" in listed.out
    assert "in review" in listed.out and "overdue" in listed.out  # the security policy
    shown = aims("doc", "show", "AI-POL-001", "--org", "meridian-lending")  # type: ignore[operator]
    assert "approved by aoife.byrne@meridian.example" in shown.out
    assert "acknowledged by 5 of 7" in shown.out and "gaps: communication" in shown.out
    with sessions() as db:
        org = find_demo(db)
        assert org is not None
        sofia = context_of(db, org, "sofia.marino@meridian.example")
        policy = present.ai_policy_out(db, sofia)
        assert policy.leadership[0].approver_name == "Aoife Byrne"
        assert policy.leadership[0].role == "owner"
        assert {link.target_code for link in policy.links} == {"POL-001", "POL-002"}
        assert [a.document_id for a in service.owed_by_me(db, sofia)] == [policy.document.id]  # type: ignore[union-attr]
        owing = {u.email for u, _owed in service.owed_by_person(db, sofia)}
        assert owing == {"sofia.marino@meridian.example", "tomas.obriain@meridian.example"}
        db.rollback()
    assert "Already loaded" in aims("demo").out  # type: ignore[operator]
    again = aims("doc", "list", "--org", "meridian-lending")  # type: ignore[operator]
    assert "5 document(s)" in again.out
