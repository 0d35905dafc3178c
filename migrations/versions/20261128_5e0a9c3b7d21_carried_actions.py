"""Actions carried into the next period's plan: actions.carried_from_id names the previous
period's action a planned one was copied from, unique per assessment so that a double submit
or two people carrying at once create one copy (issue 16, item 4).

Revision ID: 5e0a9c3b7d21
Revises: cc1453df74c9
Create Date: 2026-11-28 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5e0a9c3b7d21"
down_revision = "cc1453df74c9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_carried_from_id_actions"),
            "actions",
            ["carried_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_actions_assessment_id_carried_from_id"),
            ["assessment_id", "carried_from_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_actions_assessment_id_carried_from_id"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_actions_carried_from_id_actions"), type_="foreignkey"
        )
        batch_op.drop_column("carried_from_id")
