"""Declarative base and the mixins every record shares (id, organisation, stamps, version)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from aims.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of all aims tables. ``__audit__`` marks records whose changes go to the audit log."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
    }
    __audit__: bool = True
    # Fields whose values never appear in the audit log (only the fact that they changed).
    __audit_redact__: frozenset[str] = frozenset()

    def __init__(self, **kwargs: Any) -> None:
        # Column defaults normally apply only at INSERT; filling them in here means a new
        # object reads the same before and after it is saved (services check its fields).
        for column in self.__table__.columns:
            default = column.default
            if column.key in kwargs or default is None:
                continue
            if default.is_scalar:
                kwargs[column.key] = default.arg
            elif default.is_callable:
                kwargs[column.key] = default.arg(None)
        cls = type(self)
        for key, value in kwargs.items():
            if not hasattr(cls, key):
                raise TypeError(f"{key!r} is not a field of {cls.__name__}")
            setattr(self, key, value)

    __audit_ignore__: frozenset[str] = frozenset(
        {
            "id",
            "organisation_id",
            "created_at",
            "created_by_id",
            "updated_at",
            "updated_by_id",
            "version",
        }
    )


class IdMixin:
    """A random UUID primary key: ids never reveal counts and never collide across instances."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class OrgScoped:
    """A record that belongs to exactly one organisation (the tenant)."""

    @declared_attr
    def organisation_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False
        )


class Stamped:
    """Who created and last changed a record, and when (filled in by the store on flush)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps ``version``.

    Services compare the version a client sent with the stored one first (a clear 409);
    the mapper's version check then catches two writers racing between read and write.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class SoftDeleted:
    """Deleting marks the record; it stays for history and can be restored."""

    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, by: uuid.UUID | None) -> None:
        """Soft delete: the audit hook records it as a delete, and restore() undoes it."""
        self.deleted_at = utcnow()
        self.deleted_by_id = by

    def restore(self) -> None:
        self.deleted_at = None
        self.deleted_by_id = None


class Record(IdMixin, OrgScoped, Stamped, Versioned, SoftDeleted):
    """The usual organisation record: all the mixins above together."""
