"""An evidence item as every face shows it."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.catalog.loader import get_catalog
from aims.evidence import rules, service
from aims.evidence.models import EvidenceItem, EvidenceLink
from aims.evidence.schemas import EvidenceOut, LinkOut
from aims.store.types import utcnow


def link_label(db: Session, ctx: Context, link: EvidenceLink) -> str:
    """A readable name for what a link points at (the id itself when it is gone)."""
    catalog = get_catalog()
    try:
        if link.target_type == "implementation":
            from aims.controls import service as controls

            impl = controls.get_implementation(db, ctx, link.target_id)
            scope = impl.system.name if impl.system else "the organisation"
            return f"{impl.control_id} for {scope}"
        if link.target_type == "system":
            from aims.systems import service as systems

            return systems.get_system(db, ctx, uuid.UUID(link.target_id)).name
        if link.target_type == "document":
            from aims.documents import service as documents

            doc = documents.get_document(db, ctx, link.target_id)
            return f"{doc.code} {doc.title}"
    except Exception:  # a deleted target still shows its id
        return link.target_id
    entry = catalog.clauses.get(link.target_id) or catalog.controls.get(link.target_id)
    return f"{link.target_id} {entry.title}" if entry else link.target_id


def link_href(link: EvidenceLink) -> str:
    if link.target_type == "implementation":
        return f"/controls/{link.target_id}"
    if link.target_type == "system":
        return f"/systems/{link.target_id}"
    if link.target_type == "document":
        return f"/documents/{link.target_id}"
    return f"/catalog/{link.target_id}"


def evidence_page(db: Session, ctx: Context, items: list[EvidenceItem]) -> list[EvidenceOut]:
    """A page of items, their links read in one query rather than one per item."""
    links = service.links_of_many(db, ctx, items)
    return [evidence_out(db, ctx, i, links=links.get(i.id, [])) for i in items]


def evidence_out(
    db: Session, ctx: Context, item: EvidenceItem, *, links: list[EvidenceLink] | None = None
) -> EvidenceOut:
    ref = service.record_ref(db, ctx, item)
    is_file = item.kind == rules.Kind.FILE
    return EvidenceOut(
        id=item.id,
        kind=item.kind,
        title=item.title,
        description=item.description,
        evidence_date=item.evidence_date,
        valid_until=item.valid_until,
        validity=rules.validity(item.valid_until, utcnow().date()).value,
        owner=item.owner.email if item.owner else None,
        url=item.url or None,
        record_type=item.record_type or None,
        record_id=item.record_id or None,
        record_label=ref.label if ref else None,
        record_url=ref.url if ref else None,
        filename=item.filename if is_file else None,
        media_type=item.media_type if is_file else None,
        size=item.size if is_file else None,
        sha256=item.sha256 if is_file else None,
        download_url=f"/api/v1/evidence/{item.id}/download" if is_file else None,
        links=[
            LinkOut(
                target_type=lk.target_type, target_id=lk.target_id, label=link_label(db, ctx, lk)
            )
            for lk in (links if links is not None else service.links_of(db, ctx, item))
        ],
        version=item.version,
        updated_at=item.updated_at,
    )
