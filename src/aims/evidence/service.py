"""Evidence use cases: add a file, a link or a record reference; link items to control
implementations, controls, clauses and AI systems; list what is expiring; serve a file.

Records from other capabilities are referred to generically (``record_type`` + ``record_id``)
and checked by a resolver the capability registers with ``register_record``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aims.access import service as access
from aims.access.context import Context
from aims.access.rules import Permission
from aims.catalog.loader import get_catalog
from aims.config import Settings, get_settings
from aims.errors import AimsError, FieldError, NotFound, ValidationFailed
from aims.evidence import blobs, rules
from aims.evidence.models import EvidenceItem, EvidenceLink
from aims.evidence.rules import Kind
from aims.store.listing import ListParams, ListSpec, Page, paginate
from aims.store.scoping import check_version, get_scoped, scoped
from aims.store.types import utcnow

LABEL = "evidence item"
TARGET_TYPES = ("implementation", "control", "clause", "system", "document")


class TooLarge(AimsError):
    status = 413
    title = "Upload too large"
    type_slug = "upload-too-large"


class UnsupportedType(AimsError):
    status = 415
    title = "Unsupported file type"
    type_slug = "unsupported-type"


def _invalid(field: str, msg: str) -> ValidationFailed:
    return ValidationFailed(msg, errors=[FieldError(("body", field), msg)])


# --- Records in aims as evidence ---------------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """What a resolver says of a record: how to name it and where it is shown."""

    label: str
    url: str | None


Resolver = Callable[[Session, Context, str], RecordRef]
RESOLVERS: dict[str, Resolver] = {}
# Capabilities that register record types of their own when imported; loaded before the
# first lookup, so every face (web, API, CLI) knows every record type.
RECORD_MODULES = ("aims.measure.runs",)


def _resolvers() -> dict[str, Resolver]:
    import importlib

    for module in RECORD_MODULES:
        importlib.import_module(module)
    return RESOLVERS


def register_record(record_type: str, resolver: Resolver) -> None:
    """Let a capability's records be evidence: the resolver finds the record in the caller's
    organisation (NotFound otherwise) and refuses one that cannot be evidence yet."""
    RESOLVERS[record_type] = resolver


def resolve(db: Session, ctx: Context, record_type: str, record_id: str) -> RecordRef:
    resolver = _resolvers().get(record_type)
    if resolver is None:
        raise _invalid("record_type", f"must be one of: {', '.join(sorted(RESOLVERS))}")
    try:
        return resolver(db, ctx, record_id)
    except NotFound as exc:
        raise _invalid("record_id", f"no {record_type.replace('_', ' ')} {record_id} here") from exc


def _approved_version(model: Any, label: str) -> Resolver:
    """A resolver for an ApprovableVersion table: only approved (or since superseded) versions
    are evidence; a draft proves nothing yet."""

    def check(db: Session, ctx: Context, record_id: str) -> RecordRef:
        row = get_scoped(db, model, ctx.organisation_id, record_id, label=label)
        if row.status not in ("approved", "superseded"):
            raise _invalid("record_id", f"this {label} is {row.status}, not approved")
        return RecordRef(row.approval_caption(), row.approval_url())

    return check


def _register_builtin() -> None:
    from aims.documents.models import DocumentVersion
    from aims.impact.models import ImpactAssessment
    from aims.risk.models import SoaVersion

    register_record("impact_assessment", _approved_version(ImpactAssessment, "impact assessment"))
    register_record("soa_version", _approved_version(SoaVersion, "SoA version"))
    register_record("document_version", _approved_version(DocumentVersion, "document version"))


_register_builtin()


# --- Items -------------------------------------------------------------------------------------


@dataclass
class ItemFields:
    """What every kind of item carries."""

    title: str
    evidence_date: date | None = None
    valid_until: date | None = None
    owner_email: str | None = None
    description: str = ""


def _check_fields(fields: ItemFields) -> None:
    errors = []
    if not fields.title.strip() or len(fields.title.strip()) > 300:
        errors.append(FieldError(("body", "title"), "give a title of 1 to 300 characters"))
    if len(fields.description) > 10000:
        errors.append(FieldError(("body", "description"), "at most 10000 characters"))
    start = fields.evidence_date or utcnow().date()
    if fields.valid_until is not None and fields.valid_until < start:
        errors.append(FieldError(("body", "valid_until"), "must not be before the item's date"))
    if errors:
        raise ValidationFailed("; ".join(e.msg for e in errors), errors=errors)


def _new_item(db: Session, ctx: Context, kind: Kind, fields: ItemFields) -> EvidenceItem:
    ctx.require(Permission.EDIT)
    _check_fields(fields)
    owner_id = access.member_id(db, ctx, fields.owner_email, field="owner_email")
    return EvidenceItem(
        organisation_id=ctx.organisation_id,
        kind=kind.value,
        title=fields.title.strip(),
        description=fields.description.strip(),
        evidence_date=fields.evidence_date or utcnow().date(),
        valid_until=fields.valid_until,
        owner_id=owner_id,
    )


def check_upload(
    data: bytes, filename: str, declared: str | None, settings: Settings | None = None
) -> str:
    """The detected media type of an upload, or 413/415: nothing is stored before this."""
    settings = settings or get_settings()
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(
            f"the file is {len(data)} bytes; the limit is {settings.max_upload_bytes} bytes",
            errors=[FieldError(("body", "file"), "the file is larger than the upload limit")],
        )
    detected = rules.sniff(data, filename)
    why = rules.refusal(detected, filename, declared)
    if why or detected is None:
        msg = why or "unsupported file"
        raise UnsupportedType(msg, errors=[FieldError(("body", "file"), msg)])
    return detected


def add_file(
    db: Session,
    ctx: Context,
    fields: ItemFields,
    *,
    data: bytes,
    filename: str,
    declared_type: str | None = None,
    settings: Settings | None = None,
) -> EvidenceItem:
    """Keep an uploaded file: checked by size and content first, then stored by SHA-256 (the
    same content once), then recorded. A failure after the write leaves at most an orphan."""
    ctx.require(Permission.EDIT)
    if not filename.strip():
        raise _invalid("file", "choose a file to upload")
    media_type = check_upload(data, filename, declared_type, settings)
    item = _new_item(db, ctx, Kind.FILE, fields)
    item.sha256 = blobs.store(data, settings)
    item.filename = rules.safe_filename(filename, media_type)
    item.media_type = media_type
    item.size = len(data)
    db.add(item)
    db.flush()
    return item


def add_link(db: Session, ctx: Context, fields: ItemFields, *, url: str) -> EvidenceItem:
    problem = rules.link_problem(url)
    if problem:
        raise _invalid("url", problem)
    item = _new_item(db, ctx, Kind.LINK, fields)
    item.url = url.strip()
    db.add(item)
    db.flush()
    return item


def add_record(
    db: Session, ctx: Context, fields: ItemFields, *, record_type: str, record_id: str
) -> EvidenceItem:
    ctx.require(Permission.EDIT)
    resolve(db, ctx, record_type, record_id.strip())
    item = _new_item(db, ctx, Kind.RECORD, fields)
    item.record_type = record_type
    item.record_id = record_id.strip().lower()
    db.add(item)
    db.flush()
    return item


def get_item(db: Session, ctx: Context, item_id: uuid.UUID | str) -> EvidenceItem:
    ctx.require(Permission.READ)
    return get_scoped(db, EvidenceItem, ctx.organisation_id, item_id, label=LABEL)


def update_item(
    db: Session, ctx: Context, item: EvidenceItem, fields: ItemFields, *, version: int
) -> EvidenceItem:
    ctx.require(Permission.EDIT)
    check_version(item, version, label="The evidence item")
    fields.evidence_date = fields.evidence_date or item.evidence_date
    _check_fields(fields)
    item.owner_id = access.member_id(db, ctx, fields.owner_email, field="owner_email")
    item.title = fields.title.strip()
    item.description = fields.description.strip()
    item.evidence_date = fields.evidence_date
    item.valid_until = fields.valid_until
    db.flush()
    return item


def delete_item(db: Session, ctx: Context, item: EvidenceItem, *, version: int) -> None:
    """Soft delete (the file stays, so a restore brings it back)."""
    ctx.require(Permission.EDIT)
    check_version(item, version, label="The evidence item")
    item.mark_deleted(ctx.user_id)
    db.flush()


def restore_item(db: Session, ctx: Context, item_id: uuid.UUID | str) -> EvidenceItem:
    ctx.require(Permission.EDIT)
    item = get_scoped(db, EvidenceItem, ctx.organisation_id, item_id, label=LABEL, deleted=True)
    item.restore()
    db.flush()
    return item


def file_of(db: Session, ctx: Context, item_id: uuid.UUID | str) -> tuple[bytes, str, str]:
    """(content, media type, safe name) of a file item of the caller's organisation."""
    item = get_item(db, ctx, item_id)
    if item.kind != Kind.FILE:
        raise NotFound("this evidence item has no file")
    return blobs.read(item.sha256), item.media_type, item.filename


def record_ref(db: Session, ctx: Context, item: EvidenceItem) -> RecordRef | None:
    """How a record item's record is named now (None when it is gone or not a record)."""
    if item.kind != Kind.RECORD or item.record_type not in _resolvers():
        return None
    try:
        return RESOLVERS[item.record_type](db, ctx, item.record_id)
    except AimsError:
        return None


# --- Links to what the evidence supports -------------------------------------------------------


def _target_key(db: Session, ctx: Context, target_type: str, target_id: str) -> str:
    try:
        return _find_target(db, ctx, target_type, target_id)
    except NotFound as exc:
        raise _invalid("target_id", f"no {target_type} '{target_id}' here") from exc


def _find_target(db: Session, ctx: Context, target_type: str, target_id: str) -> str:
    catalog = get_catalog()
    raw = target_id.strip()
    if target_type == "implementation":
        from aims.controls import service as controls

        return str(controls.get_implementation(db, ctx, raw).id)
    if target_type == "system":
        from aims.systems import service as systems

        return str(systems.find_system(db, ctx, raw).id)
    if target_type == "clause":
        if raw not in catalog.clauses:
            raise _invalid("target_id", f"no clause '{raw}' in the catalogue")
        return raw
    if target_type == "control":
        from aims.controls import service as controls

        return controls.known_control(db, ctx, raw)
    if target_type == "document":
        from aims.documents import service as documents

        return str(documents.get_document(db, ctx, raw).id)
    raise _invalid("target_type", f"must be one of: {', '.join(TARGET_TYPES)}")


def link(db: Session, ctx: Context, item: EvidenceItem, target_type: str, target_id: str) -> None:
    """Say the item supports a target (idempotent)."""
    ctx.require(Permission.EDIT)
    key = _target_key(db, ctx, target_type, target_id)
    exists = db.scalar(
        select(EvidenceLink.id).where(
            EvidenceLink.evidence_id == item.id,
            EvidenceLink.target_type == target_type,
            EvidenceLink.target_id == key,
        )
    )
    if exists is None:
        db.add(
            EvidenceLink(
                organisation_id=ctx.organisation_id,
                evidence_id=item.id,
                target_type=target_type,
                target_id=key,
            )
        )
        db.flush()


def unlink(db: Session, ctx: Context, item: EvidenceItem, target_type: str, target_id: str) -> None:
    ctx.require(Permission.EDIT)
    row = db.scalars(
        scoped(EvidenceLink, ctx.organisation_id).where(
            EvidenceLink.evidence_id == item.id,
            EvidenceLink.target_type == target_type,
            EvidenceLink.target_id == target_id,
        )
    ).first()
    if row is None:
        raise NotFound("the item is not linked to that")
    db.delete(row)
    db.flush()


def links_of(db: Session, ctx: Context, item: EvidenceItem) -> list[EvidenceLink]:
    return list(
        db.scalars(
            scoped(EvidenceLink, ctx.organisation_id)
            .where(EvidenceLink.evidence_id == item.id)
            .order_by(EvidenceLink.target_type, EvidenceLink.target_id)
        )
    )


def links_of_many(
    db: Session, ctx: Context, items: Iterable[EvidenceItem]
) -> dict[uuid.UUID, list[EvidenceLink]]:
    """The links of several items at once (for list pages)."""
    ids = [i.id for i in items]
    found: dict[uuid.UUID, list[EvidenceLink]] = {}
    if not ids:
        return found
    for lk in db.scalars(
        scoped(EvidenceLink, ctx.organisation_id)
        .where(EvidenceLink.evidence_id.in_(ids))
        .order_by(EvidenceLink.target_type, EvidenceLink.target_id)
    ):
        found.setdefault(lk.evidence_id, []).append(lk)
    return found


def items_for(
    db: Session, ctx: Context, target_type: str, target_ids: Iterable[str]
) -> list[EvidenceItem]:
    """Live items linked to any of these targets, newest first."""
    ctx.require(Permission.READ)
    ids = [str(t) for t in target_ids]
    if not ids:
        return []
    linked = (
        select(EvidenceLink.evidence_id)
        .where(
            EvidenceLink.organisation_id == ctx.organisation_id,
            EvidenceLink.target_type == target_type,
            EvidenceLink.target_id.in_(ids),
        )
        .scalar_subquery()
    )
    return list(
        db.scalars(
            scoped(EvidenceItem, ctx.organisation_id)
            .where(EvidenceItem.id.in_(linked))
            .order_by(EvidenceItem.evidence_date.desc(), EvidenceItem.title)
        ).unique()
    )


# --- Lists -------------------------------------------------------------------------------------

EVIDENCE_LIST = ListSpec(
    id_column=EvidenceItem.id,
    sortable={
        "title": EvidenceItem.title,
        "evidence_date": EvidenceItem.evidence_date,
        "valid_until": EvidenceItem.valid_until,
        "updated_at": EvidenceItem.updated_at,
    },
    default_sort="-evidence_date",
    filterable={"kind": EvidenceItem.kind, "owner_id": EvidenceItem.owner_id},
    searchable=(EvidenceItem.title, EvidenceItem.description),
)


def list_items(
    db: Session,
    ctx: Context,
    params: ListParams,
    *,
    system_id: str | None = None,
    control_id: str | None = None,
    validity: rules.Validity | None = None,
    days: int = 30,
    today: date | None = None,
) -> Page[EvidenceItem]:
    """Items of the organisation; ``system_id`` / ``control_id`` keep those linked to the
    system or the control (directly or through one of its implementations)."""
    ctx.require(Permission.READ)
    stmt = scoped(EvidenceItem, ctx.organisation_id)
    today = today or utcnow().date()
    if system_id:
        stmt = stmt.where(EvidenceItem.id.in_(_linked_to(ctx, "system", [system_id])))
    if control_id:
        from aims.controls import service as controls

        impl_ids = controls.implementation_ids(db, ctx, control_id)
        stmt = stmt.where(
            or_(
                EvidenceItem.id.in_(_linked_to(ctx, "control", [control_id])),
                EvidenceItem.id.in_(_linked_to(ctx, "implementation", impl_ids)),
            )
        )
    if validity == rules.Validity.EXPIRED:
        stmt = stmt.where(EvidenceItem.valid_until < today)
    elif validity == rules.Validity.EXPIRING:
        stmt = stmt.where(
            EvidenceItem.valid_until >= today,
            EvidenceItem.valid_until <= today + timedelta(days=days),
        )
    elif validity == rules.Validity.VALID:
        stmt = stmt.where(
            or_(
                EvidenceItem.valid_until.is_(None),
                EvidenceItem.valid_until > today + timedelta(days=days),
            )
        )
    return paginate(db, stmt, EVIDENCE_LIST, params)


def _linked_to(ctx: Context, target_type: str, ids: Sequence[str]) -> Any:
    return select(EvidenceLink.evidence_id).where(
        EvidenceLink.organisation_id == ctx.organisation_id,
        EvidenceLink.target_type == target_type,
        EvidenceLink.target_id.in_([str(i) for i in ids]),
    )


@dataclass(frozen=True)
class EvidenceAttention:
    expired: list[EvidenceItem]
    expiring: list[EvidenceItem]


def expiring(
    db: Session, ctx: Context, *, days: int = 30, today: date | None = None
) -> EvidenceAttention:
    """Items whose validity has ended, and those ending within ``days`` (soonest first)."""
    ctx.require(Permission.READ)
    if days < 0 or days > 3660:
        raise ValidationFailed(
            "days must be 0 to 3660", errors=[FieldError(("query", "days"), "0 to 3660")]
        )
    today = today or utcnow().date()
    base = scoped(EvidenceItem, ctx.organisation_id).order_by(
        EvidenceItem.valid_until, EvidenceItem.title
    )
    expired = db.scalars(base.where(EvidenceItem.valid_until < today)).unique().all()
    soon = (
        db.scalars(
            base.where(
                EvidenceItem.valid_until >= today,
                EvidenceItem.valid_until <= today + timedelta(days=days),
            )
        )
        .unique()
        .all()
    )
    return EvidenceAttention(list(expired), list(soon))


def attention(db: Session, ctx: Context) -> EvidenceAttention:
    """What the dashboard lists: expired evidence and evidence expiring within 30 days."""
    return expiring(db, ctx)


def evidence_counts(db: Session, ctx: Context, today: date | None = None) -> dict[str, int]:
    """Per control id: live, unexpired items linked to the control directly or to any of its
    implementations (each item counted once per control)."""
    ctx.require(Permission.READ)
    from aims.controls.models import ControlImplementation

    today = today or utcnow().date()
    live = (
        EvidenceItem.deleted_at.is_(None),
        or_(EvidenceItem.valid_until.is_(None), EvidenceItem.valid_until >= today),
        EvidenceItem.organisation_id == ctx.organisation_id,
    )
    direct = db.execute(
        select(EvidenceLink.target_id, EvidenceLink.evidence_id)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_id)
        .where(EvidenceLink.target_type == "control", *live)
    ).all()
    impls = {
        str(i.id): i.control_id
        for i in db.scalars(scoped(ControlImplementation, ctx.organisation_id)).unique()
    }
    through = db.execute(
        select(EvidenceLink.target_id, EvidenceLink.evidence_id)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_id)
        .where(EvidenceLink.target_type == "implementation", *live)
    ).all()
    seen: dict[str, set[uuid.UUID]] = {}
    for control_id, evidence_id in direct:
        seen.setdefault(control_id, set()).add(evidence_id)
    for impl_id, evidence_id in through:
        if impl_id in impls:
            seen.setdefault(impls[impl_id], set()).add(evidence_id)
    return {k: len(v) for k, v in seen.items()}
