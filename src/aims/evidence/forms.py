"""Adding evidence from a page form (the evidence page and a control's page share it)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from aims.access.context import Context
from aims.config import get_settings
from aims.errors import FieldError, ValidationFailed
from aims.evidence import service
from aims.evidence.models import EvidenceItem
from aims.evidence.service import ItemFields

FIELDS = (
    "kind",
    "title",
    "evidence_date",
    "valid_until",
    "owner_email",
    "description",
    "url",
    "record",
    "control_id",
    "system_id",
)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(form: FormData, name: str) -> date | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(
            "not a date", errors=[FieldError(("body", name), "give a date as YYYY-MM-DD")]
        ) from exc


def values_of(form: FormData) -> dict[str, str]:
    return {name: _text(form, name) for name in FIELDS}


async def add_from_form(
    db: Session,
    ctx: Context,
    form: FormData,
    *,
    implementation_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> EvidenceItem:
    """Add the file, link or record the form describes, with the links it asks for (and to
    the implementation or document whose page it was added on)."""
    if any("\x00" in v for v in values_of(form).values()):
        raise ValidationFailed("NUL", errors=[FieldError(("body", "_form"), "no NUL characters")])
    fields = ItemFields(
        title=_text(form, "title"),
        evidence_date=_date(form, "evidence_date"),
        valid_until=_date(form, "valid_until"),
        owner_email=_text(form, "owner_email") or None,
        description=_text(form, "description"),
    )
    kind = _text(form, "kind") or "file"
    if kind == "file":
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(
                "no file", errors=[FieldError(("body", "file"), "choose a file to upload")]
            )
        data = await upload.read(get_settings().max_upload_bytes + 1)
        item = service.add_file(
            db, ctx, fields, data=data, filename=upload.filename, declared_type=upload.content_type
        )
    elif kind == "link":
        item = service.add_link(db, ctx, fields, url=_text(form, "url"))
    elif kind == "record":
        record_type, _sep, record_id = _text(form, "record").partition(":")
        if not record_id:
            raise ValidationFailed(
                "record", errors=[FieldError(("body", "record"), "choose a record")]
            )
        item = service.add_record(db, ctx, fields, record_type=record_type, record_id=record_id)
    else:
        raise ValidationFailed(
            "kind", errors=[FieldError(("body", "kind"), "a file, a link or a record")]
        )
    if implementation_id is not None:
        service.link(db, ctx, item, "implementation", str(implementation_id))
    if document_id is not None:
        service.link(db, ctx, item, "document", str(document_id))
    for target_type, name in (("control", "control_id"), ("system", "system_id")):
        if _text(form, name):
            try:
                service.link(db, ctx, item, target_type, _text(form, name))
            except ValidationFailed as exc:
                raise ValidationFailed(
                    exc.detail, errors=[FieldError(("body", name), exc.detail)]
                ) from exc
    return item


def record_choices(db: Session, ctx: Context) -> list[tuple[str, str]]:
    """(TYPE:ID, label) of approved records that can be evidence, for a select."""
    from aims.documents.models import DocumentVersion
    from aims.impact.models import ImpactAssessment
    from aims.risk.models import SoaVersion
    from aims.store.scoping import scoped

    choices: list[tuple[str, str]] = []
    for record_type, model in (
        ("impact_assessment", ImpactAssessment),
        ("soa_version", SoaVersion),
        ("document_version", DocumentVersion),
    ):
        rows = db.scalars(
            scoped(model, ctx.organisation_id).where(model.status == "approved")
        ).unique()
        choices += [(f"{record_type}:{r.id}", r.approval_caption()) for r in rows]
    return choices
