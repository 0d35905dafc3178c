"""Organization frameworks: funding conditions an organization adds to its reports.

A district whose agency is funded by the COPS Hiring Program wants its reports to check those
conditions beside its state's law (issue 19). The state's law applies by the organization's
state; a federal framework applies only when an owner ticks it on the organization page, so
the choice is stored per organization: one row per (organization, framework id). New table.

Revision ID: efaec0a6d66f
Revises: 645d121f5333
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "efaec0a6d66f"
down_revision = "645d121f5333"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=100), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_organization_frameworks_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_organization_frameworks_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_frameworks")),
        sa.UniqueConstraint(
            "org_id",
            "framework_id",
            name=op.f("uq_organization_frameworks_org_id_framework_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("organization_frameworks")
