"""Profiles as written: capability phrases, address and former district, staff term mappings.

A profile keeps each process or product phrase as the firm wrote it with its
taxonomy mapping (``capabilities``), the address as written and what it was
resolved to (``address``, ``area``, ``region``), and file values no field
holds (``source_values``). ``sector`` may be empty (the wording named none).
``term_mapping`` remembers the phrases staff mapped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # SQLite rebuilds the table for alter_column: keep AUTOINCREMENT (ids are never reused)
    with op.batch_alter_table("supplier_profile", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("capabilities", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("area", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("source_values", sa.JSON(), nullable=True))
        batch_op.alter_column("sector", existing_type=sa.String(length=32), nullable=True)
    op.create_table(
        "term_mapping",
        sa.Column("phrase", sa.String(length=255), nullable=False),
        sa.Column("text", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("confirmed_by", sa.String(length=254), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phrase", name=op.f("pk_term_mapping")),
    )


def downgrade() -> None:
    op.drop_table("term_mapping")
    # SQLite rebuilds the table for alter_column: keep AUTOINCREMENT (ids are never reused)
    with op.batch_alter_table("supplier_profile", schema=None,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.alter_column("sector", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("source_values")
        batch_op.drop_column("region")
        batch_op.drop_column("area")
        batch_op.drop_column("address")
        batch_op.drop_column("capabilities")
