"""Section score distribution index: a covering index for the state roll-up's score quartiles.

The dashboard groups cached section scores by (section, dimension, percent) for the assessments
in scope. Walking (section_id, dimension, percent, assessment_id) in order needs no sort and no
table lookups; it replaces the (section_id, dimension) index, which is its prefix.

Revision ID: 6c788de367bf
Revises: 4c2feb73ab00
Create Date: 2026-11-27 22:33:59.823216
"""

from __future__ import annotations

from alembic import op

revision = "6c788de367bf"
down_revision = "4c2feb73ab00"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("section_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_section_scores_section_dimension")
        batch_op.create_index(
            "ix_section_scores_distribution",
            ["section_id", "dimension", "percent", "assessment_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("section_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_section_scores_distribution")
        batch_op.create_index(
            "ix_section_scores_section_dimension", ["section_id", "dimension"], unique=False
        )
