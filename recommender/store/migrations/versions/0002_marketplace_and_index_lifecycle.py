"""Marketplace and index lifecycle: shortlists, contact requests, RFQ matches,
the profile change log, index rebuild runs, a job lock, and search-log outcome columns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 07:34:42.804561
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    """An enum as VARCHAR plus CHECK, as in the models (no native PostgreSQL type)."""
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values))
    )


def upgrade() -> None:
    op.create_table(
        "index_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            _enum("run_status", "running", "promoted", "refused", "failed", "skipped"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("version_id", sa.String(length=120), nullable=True),
        sa.Column("profile_count", sa.Integer(), nullable=True),
        sa.Column("embedded_count", sa.Integer(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_run")),
    )
    with op.batch_alter_table("index_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_index_run_started_at"), ["started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_index_run_status"), ["status"], unique=False)

    op.create_table(
        "job_lock",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lock")),
    )
    op.create_table(
        "profile_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("op", _enum("change_op", "upsert", "delete"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_change")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("profile_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_change_profile_id"), ["profile_id"], unique=False
        )

    op.create_table(
        "request_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["supplier_profile.id"],
            name=op.f("fk_request_match_profile_id_supplier_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["buyer_request.id"],
            name=op.f("fk_request_match_request_id_buyer_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_match")),
        sa.UniqueConstraint("request_id", "profile_id", name=op.f("uq_request_match_request_id")),
    )
    with op.batch_alter_table("request_match", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_match_profile_id"), ["profile_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_request_match_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "shortlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["enterprise_account.id"],
            name=op.f("fk_shortlist_entry_account_id_enterprise_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["supplier_profile.id"],
            name=op.f("fk_shortlist_entry_profile_id_supplier_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_entry")),
        sa.UniqueConstraint("account_id", "profile_id", name=op.f("uq_shortlist_entry_account_id")),
    )
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shortlist_entry_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shortlist_entry_profile_id"), ["profile_id"], unique=False
        )

    op.create_table(
        "contact_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("buyer_id", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("search_log_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status", _enum("contact_status", "new", "read", "replied", "closed"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["enterprise_account.id"],
            name=op.f("fk_contact_request_account_id_enterprise_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["buyer.id"],
            name=op.f("fk_contact_request_buyer_id_buyer"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["supplier_profile.id"],
            name=op.f("fk_contact_request_profile_id_supplier_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["buyer_request.id"],
            name=op.f("fk_contact_request_request_id_buyer_request"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["search_log_id"],
            ["search_log.id"],
            name=op.f("fk_contact_request_search_log_id_search_log"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_request")),
    )
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_request_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_request_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_request_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_request_profile_id"), ["profile_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_request_request_id"), ["request_id"], unique=False
        )

    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_interaction_account_id"), ["account_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_interaction_account_id_enterprise_account"),
            "enterprise_account",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("top_score", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("good_match", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("took_ms", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_column("took_ms")
        batch_op.drop_column("good_match")
        batch_op.drop_column("top_score")
        batch_op.drop_column("result_count")

    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interaction_account_id_enterprise_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_interaction_account_id"))
        batch_op.drop_column("rank")
        batch_op.drop_column("account_id")

    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_request_request_id"))
        batch_op.drop_index(batch_op.f("ix_contact_request_profile_id"))
        batch_op.drop_index(batch_op.f("ix_contact_request_created_at"))
        batch_op.drop_index(batch_op.f("ix_contact_request_buyer_id"))
        batch_op.drop_index(batch_op.f("ix_contact_request_account_id"))

    op.drop_table("contact_request")
    with op.batch_alter_table("shortlist_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_entry_profile_id"))
        batch_op.drop_index(batch_op.f("ix_shortlist_entry_account_id"))

    op.drop_table("shortlist_entry")
    with op.batch_alter_table("request_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_match_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_match_profile_id"))

    op.drop_table("request_match")
    with op.batch_alter_table("profile_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_change_profile_id"))

    op.drop_table("profile_change")
    op.drop_table("job_lock")
    with op.batch_alter_table("index_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_run_status"))
        batch_op.drop_index(batch_op.f("ix_index_run_started_at"))

    op.drop_table("index_run")
