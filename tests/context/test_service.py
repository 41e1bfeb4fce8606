"""Context services on both databases: what the dashboard lists, stale writes, isolation, and
the legal requirements a system's page shows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Role
from aims.context import service
from aims.context.schemas import (
    IssueIn,
    LegalIn,
    LegalPatch,
    PartyIn,
    PartyPatch,
    RequirementIn,
    ScopeFields,
    ScopeItem,
    ScopePatch,
)
from aims.errors import NotFound, PermissionDenied, StaleVersion
from aims.store.listing import ListParams
from aims.systems import service as systems
from tests.conftest import Org


def act(db: Session, org: Org, role: Role = Role.MANAGER) -> Context:
    ctx = org.contexts[role]
    db.info["actor"] = ctx.actor
    return ctx


def test_attention_lists_what_the_dashboard_should_show(db: Session, org: Org) -> None:
    ctx = act(db, org)
    start = service.attention(db, ctx)
    assert start.climate_undecided and start.scope_unapproved
    assert start.overdue_issues == [] and start.unaddressed == []
    service.create_issue(db, ctx, IssueIn(title="Old issue", direction="internal",
                                          category="organisational",
                                          review_date=date(2020, 1, 1)))  # fmt: skip
    service.create_issue(db, ctx, IssueIn(title="Fresh issue", direction="internal",
                                          category="organisational",
                                          review_date=date(2099, 1, 1)))  # fmt: skip
    party = service.create_party(db, ctx, PartyIn(name="Customers", kind="customers"))
    service.add_requirement(db, ctx, party, RequirementIn(text="Explain declines",
                                                          addressed="no"))  # fmt: skip
    service.save_climate(db, ctx, relevant=False, reasoning="Small models only", version=0)
    found = service.attention(db, ctx, today=date(2026, 1, 1))
    assert [i.title for i in found.overdue_issues] == ["Old issue"]
    assert [r.text for r in found.unaddressed] == ["Explain declines"]
    assert not found.climate_undecided
    # Deleting the party takes its requirements off the list; restoring brings them back.
    service.delete_party(db, ctx, party, version=party.version)
    assert service.attention(db, ctx).unaddressed == []
    service.restore_party(db, ctx, party.id)
    assert len(service.attention(db, ctx).unaddressed) == 1


def test_stale_writes_are_refused(db: Session, org: Org) -> None:
    ctx = act(db, org)
    party = service.create_party(db, ctx, PartyIn(name="Staff", kind="employees"))
    with pytest.raises(StaleVersion):
        service.update_party(db, ctx, party, PartyPatch(version=9, name="x"), version=9)
    row = service.create_legal(db, ctx, LegalIn(title="GDPR", kind="legal"))
    with pytest.raises(StaleVersion):
        service.update_legal(db, ctx, row, LegalPatch(version=9, title="x"), version=9)
    scope = service.create_scope(db, ctx, ScopeFields(boundaries="All lending"))
    with pytest.raises(StaleVersion):
        service.update_scope(db, ctx, scope, ScopePatch(version=9, units="Dublin"), version=9)
    service.save_climate(db, ctx, relevant=True, reasoning="Training energy", version=0)
    with pytest.raises(StaleVersion):
        service.save_climate(db, ctx, relevant=False, reasoning="No", version=7)


def test_requirements_for_a_system_and_isolation(db: Session, org: Org, other_org: Org) -> None:
    ctx = act(db, org)
    credit = systems.create_system(db, ctx, {"name": "CreditLens"})
    service.create_legal(db, ctx, LegalIn(title="EU AI Act", kind="legal", system_ids=[credit.id]))
    service.create_legal(db, ctx, LegalIn(title="Other", kind="legal"))
    assert [r.title for r in service.requirements_for_system(db, ctx, credit.id)] == ["EU AI Act"]
    theirs = act(db, other_org)
    with pytest.raises(NotFound):
        service.requirements_for_system(db, theirs, credit.id)
    assert service.list_issues(db, theirs, ListParams()).total == 0
    viewer = act(db, org, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        service.create_party(db, viewer, PartyIn(name="x", kind="other"))


def test_an_approved_scope_keeps_its_systems_and_a_retired_system_leaves_the_draft(
    db: Session, org: Org
) -> None:
    manager = act(db, org)
    credit = systems.create_system(db, manager, {"name": "CreditLens"})
    scope = service.create_scope(db, manager, ScopeFields(
        boundaries="Lending", exclusions=[ScopeItem(item="Mortgages", reason="none sold")]))  # fmt: skip
    service.submit_scope(db, manager, scope, version=scope.version)
    service.approve_scope(db, act(db, org, Role.OWNER), scope, version=scope.version)
    manager = act(db, org)
    systems.update_system(db, manager, credit.id, version=credit.version,
                          fields={"lifecycle_stage": "retirement"})  # fmt: skip
    assert [s["name"] for s in service.scope_systems(db, manager, scope)] == ["CreditLens"]
    draft = service.new_scope_version(db, manager, scope)
    assert service.scope_systems(db, manager, draft) == []
    changes = service.compare_scope(db, manager, scope.id, draft.id).changes
    assert [(c.part, c.change.change, c.change.name) for c in changes] == [
        ("AI systems", "removed", "CreditLens")
    ]
