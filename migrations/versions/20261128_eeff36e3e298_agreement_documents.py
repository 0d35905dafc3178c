"""Agreement documents: uploaded MOUs and procedures per assessment, and their clauses.

Districts review their written agreement item by item; the app now keeps the agreement itself
(PDF, DOCX or text), with its SHA-256, uploader and time, and the clauses extracted from it so
later features can cite "MOU §4.2, p. 3". The file bytes are stored in the database, not on a
web server's disk, so every web process and machine serves the same file. New tables only;
nothing to migrate.

Revision ID: eeff36e3e298
Revises: a3f9c1d27e64
Create Date: 2026-11-28 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "eeff36e3e298"
down_revision = "a3f9c1d27e64"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clause_count", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_agreement_documents_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_agreement_documents_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_documents")),
    )
    op.create_index(
        op.f("ix_agreement_documents_assessment_id"),
        "agreement_documents",
        ["assessment_id"],
        unique=False,
    )
    op.create_table(
        "agreement_clauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agreement_documents.id"],
            name=op.f("fk_agreement_clauses_document_id_agreement_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_clauses")),
        sa.UniqueConstraint(
            "document_id", "position", name=op.f("uq_agreement_clauses_document_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("agreement_clauses")
    op.drop_index(op.f("ix_agreement_documents_assessment_id"), table_name="agreement_documents")
    op.drop_table("agreement_documents")
