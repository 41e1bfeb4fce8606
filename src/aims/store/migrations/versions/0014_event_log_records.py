"""Event-log records of AI systems (A.6.2.8; EU AI Act Art. 12, 19, 26(6)).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 18:12:54.821177
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aims.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_log_records",
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("log_system", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("captures", sa.JSON(), nullable=False),
        sa.Column("capture_notes", sa.Text(), nullable=False),
        sa.Column("retention_months", sa.Integer(), nullable=True),
        sa.Column("access", sa.Text(), nullable=False),
        sa.Column("tamper_evident", sa.Boolean(), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", aims.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", aims.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", aims.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_event_log_records_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
            name=op.f("fk_event_log_records_deleted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_event_log_records_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ai_systems.id"], name=op.f("fk_event_log_records_system_id_ai_systems")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_event_log_records_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log_records")),
    )
    with op.batch_alter_table("event_log_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_log_records_deleted_at"), ["deleted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_log_records_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_log_records_system_id"), ["system_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_log_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_log_records_system_id"))
        batch_op.drop_index(batch_op.f("ix_event_log_records_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_event_log_records_deleted_at"))

    op.drop_table("event_log_records")
