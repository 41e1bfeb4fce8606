"""Impact assessment use cases (so far: the process settings of A.5.2)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aims.access.context import Context
from aims.access.rules import Permission
from aims.errors import StaleVersion
from aims.impact.models import ImpactSettings
from aims.impact.schemas import ImpactSettingsData, ImpactSettingsOut
from aims.store.scoping import check_version


def _row(db: Session, ctx: Context) -> ImpactSettings | None:
    row: ImpactSettings | None = db.scalar(
        select(ImpactSettings).where(ImpactSettings.organisation_id == ctx.organisation_id)
    )
    return row


def get_settings(db: Session, ctx: Context) -> ImpactSettingsOut:
    """The organisation's settings, or aims's defaults until someone saves their own."""
    ctx.require(Permission.READ)
    row = _row(db, ctx)
    if row is None:
        return ImpactSettingsOut(**ImpactSettingsData().model_dump(), version=0, saved=False)
    data = ImpactSettingsData.model_validate(row.settings)
    return ImpactSettingsOut(**data.model_dump(), version=row.version, saved=True)


def save_settings(
    db: Session, ctx: Context, data: ImpactSettingsData, *, version: int
) -> ImpactSettingsOut:
    """Owners and managers set how impact assessments run; a stale version is a 409."""
    ctx.require(Permission.APPROVE)
    row = _row(db, ctx)
    stored = data.model_dump(mode="json", exclude={"version"})
    if row is None:
        if version != 0:  # never saved: the defaults are version 0
            raise StaleVersion("The impact assessment settings", sent=version, current=0)
        row = ImpactSettings(organisation_id=ctx.organisation_id, settings=stored)
        db.add(row)
    else:
        check_version(row, version, label="The impact assessment settings")
        row.settings = stored
    db.flush()
    return get_settings(db, ctx)
