"""Vetted organizations: site administrators verify state advocates; partner codes for sharing.

Anyone could create an organization named exactly like a real state advocate and at once get
its state dashboard and be offered as a share target, and anyone could browse every
organization of any state from the sharing page. Now a new state advocate organization is
pending until a site administrator (``users.is_site_admin``) verifies it, and partners are found
by a secret partner code that their owners hand out.

New columns: ``users.is_site_admin``; ``organizations.created_by_id`` (who asked),
``verified_at`` / ``verified_by_id``, ``rejected_at``, ``partner_code`` (unique) and ``name_key``
(the name as compared: case, spacing and Unicode look-alikes folded). A partial unique index on
(kind, state, name_key) keeps two *verified* organizations of one kind and state from sharing a
name.

Existing data: every organization gets a fresh random partner code. Existing state advocate
organizations are marked verified as of now, so deployments keep working (their dashboards and
the shares they receive stay as they are). Where several existing advocates of one state share
a name (by name_key), only the oldest (lowest id) is marked verified; the others stay
pending, for a site administrator to look at, since one of them may be an impostor.
Downgrading drops the columns and the index (and with them who was verified).

Revision ID: 6c0e7ffc0d1f
Revises: b7e41c9a2d05
Create Date: 2026-11-28 04:00:00
"""

from __future__ import annotations

import secrets
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "6c0e7ffc0d1f"
down_revision = "b7e41c9a2d05"
branch_labels = None
depends_on = None

# The columns this migration reads and writes, as they are at this revision (not the ORM model).
organizations = sa.table(
    "organizations",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("name_key", sa.String),
    sa.column("verified_at", sa.DateTime(timezone=True)),
    sa.column("partner_code", sa.String),
)
# Frozen copy of rubric_app.accounts.partner_codes (a migration must not import app code that
# may change later).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _name_key(name: str) -> str:
    """Frozen copy of rubric_app.accounts.org_names.name_key."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_site_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("partner_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            organizations.c.id,
            organizations.c.name,
            organizations.c.kind,
            organizations.c.state,
        ).order_by(organizations.c.id)
    ).all()
    used: set[str] = set()
    seen_advocates: set[tuple[str, str]] = set()
    now = sa.func.now()
    for org_id, name, kind, state in rows:
        code = _code()
        while code in used:
            code = _code()
        used.add(code)
        key = _name_key(name)
        values: dict[str, object] = {"partner_code": code, "name_key": key}
        if kind == "state_advocate" and (state, key) not in seen_advocates:
            seen_advocates.add((state, key))
            values["verified_at"] = now
        connection.execute(
            sa.update(organizations).where(organizations.c.id == org_id).values(**values)
        )

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.alter_column(
            "partner_code", existing_type=sa.String(length=20), nullable=False
        )
        batch_op.alter_column("name_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_organizations_partner_code"), ["partner_code"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_organizations_created_by_id_users"),
            "users",
            ["created_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_organizations_verified_by_id_users"),
            "users",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    verified = sa.column("verified_at").is_not(None)
    op.create_index(
        "uq_organizations_verified_name",
        "organizations",
        ["kind", "state", "name_key"],
        unique=True,
        sqlite_where=verified,
        postgresql_where=verified,
    )


def downgrade() -> None:
    op.drop_index("uq_organizations_verified_name", table_name="organizations")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_organizations_verified_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_organizations_created_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_organizations_partner_code"), type_="unique")
        batch_op.drop_column("name_key")
        batch_op.drop_column("partner_code")
        batch_op.drop_column("rejected_at")
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("created_by_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_site_admin")
