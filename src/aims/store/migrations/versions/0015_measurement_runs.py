"""Stored measurement runs (9.1; evidence for A.6.2.4, A.6.2.6, A.7.4).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 18:32:26.311203
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aims.store.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measurement_runs",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("control_id", sa.String(length=40), nullable=False),
        sa.Column("input_sha256", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("tool", sa.String(length=80), nullable=False),
        sa.Column("tool_version", sa.String(length=40), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("breaches", sa.JSON(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("feed_notes", sa.JSON(), nullable=False),
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
            name=op.f("fk_measurement_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["users.id"],
            name=op.f("fk_measurement_runs_deleted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_measurement_runs_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ai_systems.id"], name=op.f("fk_measurement_runs_system_id_ai_systems")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_measurement_runs_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement_runs")),
        sa.UniqueConstraint(
            "organisation_id", "ref", name=op.f("uq_measurement_runs_organisation_id_ref")
        ),
    )
    with op.batch_alter_table("measurement_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_runs_breached"), ["breached"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measurement_runs_deleted_at"), ["deleted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measurement_runs_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_measurement_runs_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measurement_runs_system_id"), ["system_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measurement_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurement_runs_system_id"))
        batch_op.drop_index(batch_op.f("ix_measurement_runs_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_measurement_runs_kind"))
        batch_op.drop_index(batch_op.f("ix_measurement_runs_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_measurement_runs_breached"))

    op.drop_table("measurement_runs")
