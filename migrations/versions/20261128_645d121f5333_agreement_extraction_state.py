"""Agreement documents get an extraction state: reading the file now runs as a background job.

An upload is checked (type, size, archive limits) and stored in the request; the clauses are
read by a job afterwards (issue 18: "Extraction runs as a background job when the job queue
exists"). The document page needs to know whether that has happened yet, and why it failed
when it did (a scan found only when the pages are read), so each document records its state
(pending, running, done, failed) and the reason. Every document stored before this migration
was read during its upload, so existing rows are "done".

Revision ID: 645d121f5333
Revises: eee556e9c779
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "645d121f5333"
down_revision = "eee556e9c779"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreement_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "extraction_state", sa.String(length=10), server_default="done", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("extraction_message", sa.Text(), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_agreement_documents_extraction_state"),
            "extraction_state IN ('pending', 'running', 'done', 'failed')",
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_documents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agreement_documents_extraction_state"), type_="check")
        batch_op.drop_column("extraction_message")
        batch_op.drop_column("extraction_state")
