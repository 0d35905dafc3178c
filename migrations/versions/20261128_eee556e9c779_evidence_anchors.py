"""Evidence anchors: a person's decision on a suggested clause for an item (accepted or dismissed).

Suggested passages from an uploaded agreement never rate anything; accepting one records the
clause as the item's evidence, with its own copy of the citation (clause number, page, quote,
file name and SHA-256) so the report keeps citing it if the file is later deleted (the links to
document and clause are set to NULL). Dismissing one keeps it from being suggested again. New
table, and a short citation label on each document ("MOU" for
those already uploaded).

Revision ID: eee556e9c779
Revises: eeff36e3e298
Create Date: 2026-11-28 09:44:26.279821
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "eee556e9c779"
down_revision = "eeff36e3e298"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreement_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("label", sa.String(length=40), server_default="MOU", nullable=False)
        )
    op.create_table(
        "evidence_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("clause_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("clause_number", sa.String(length=60), nullable=False),
        sa.Column("clause_heading", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("document_label", sa.String(length=40), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'dismissed')", name=op.f("ck_evidence_anchors_decision_known")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_evidence_anchors_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["agreement_clauses.id"],
            name=op.f("fk_evidence_anchors_clause_id_agreement_clauses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_evidence_anchors_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agreement_documents.id"],
            name=op.f("fk_evidence_anchors_document_id_agreement_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_anchors")),
        sa.UniqueConstraint(
            "assessment_id",
            "item_id",
            "clause_id",
            name=op.f("uq_evidence_anchors_assessment_id_item_id_clause_id"),
        ),
    )
    with op.batch_alter_table("evidence_anchors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_anchors_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_anchors_clause_id"), ["clause_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_anchors_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_anchors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_anchors_document_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_anchors_clause_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_anchors_assessment_id"))

    op.drop_table("evidence_anchors")
    with op.batch_alter_table("agreement_documents", schema=None) as batch_op:
        batch_op.drop_column("label")
