"""What each cached score rests on: section_scores.answered and .applicable (issue 16, item 1).

A step, dimension or overall score with less than the rubric's scoring.min_coverage of its
applicable items answered is cached with a null percent; the state roll-ups leave it out and
say how many they left out, which needs the counts beside the (null) percent. Rows cached
before this migration keep null counts: they were scored before the rule and count as they did
until their assessment is submitted again.

Revision ID: fcc1c249f6ca
Revises: 5e0a9c3b7d21
Create Date: 2026-11-28 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fcc1c249f6ca"
down_revision = "5e0a9c3b7d21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("section_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("applicable", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("section_scores", schema=None) as batch_op:
        batch_op.drop_column("applicable")
        batch_op.drop_column("answered")
