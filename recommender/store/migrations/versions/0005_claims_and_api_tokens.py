"""Ownership claims wait for proof; API clients authenticate with bearer tokens.

``profile_claim`` holds each request to manage an existing profile, the one-time
code sent to the e-mail on file (as a digest) and the decision; ``api_token``
holds the digests of the tokens API clients send.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_STATUSES = ("pending", "approved", "rejected", "withdrawn")


def upgrade() -> None:
    op.create_table(
        "profile_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*_STATUSES, name="claim_status", native_enum=False,
                                    create_constraint=True, length=9), nullable=False),
        sa.Column("submitted", sa.JSON(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_sent_to", sa.String(length=254), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["enterprise_account.id"],
                                name=op.f("fk_profile_claim_account_id_enterprise_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["supplier_profile.id"],
                                name=op.f("fk_profile_claim_profile_id_supplier_profile"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_claim")),
    )
    op.create_index(op.f("ix_profile_claim_account_id"), "profile_claim", ["account_id"])
    op.create_index(op.f("ix_profile_claim_profile_id"), "profile_claim", ["profile_id"])
    op.create_index(op.f("ix_profile_claim_status"), "profile_claim", ["status"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["enterprise_account.id"],
                                name=op.f("fk_api_token_account_id_enterprise_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index(op.f("ix_api_token_account_id"), "api_token", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_api_token_account_id"), table_name="api_token")
    op.drop_table("api_token")
    op.drop_index(op.f("ix_profile_claim_status"), table_name="profile_claim")
    op.drop_index(op.f("ix_profile_claim_profile_id"), table_name="profile_claim")
    op.drop_index(op.f("ix_profile_claim_account_id"), table_name="profile_claim")
    op.drop_table("profile_claim")
