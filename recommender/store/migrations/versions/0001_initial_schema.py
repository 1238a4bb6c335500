"""Initial schema: supplier profiles, certifications, buyers, accounts, RFQs,
policy programmes, search logs and interactions.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:45:59.810884
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    """An enum as VARCHAR plus CHECK, as in the models (no native PostgreSQL type)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(map(len, values)))


def _fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    """A foreign key to ``table.id``, named by the models' naming convention."""
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], ondelete=ondelete)


def upgrade() -> None:
    op.create_table("buyer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("country", sa.String(length=80), nullable=True),
        sa.Column("park", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer"))
    )
    op.create_table("policy_program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title_vi", sa.String(length=500), nullable=False),
        sa.Column("title_en", sa.String(length=500), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("benefits", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("summary_vi", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_program")),
        sa.UniqueConstraint("code", name=op.f("uq_policy_program_code"))
    )
    op.create_table("supplier_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("tax_code", sa.String(length=14), nullable=True),
        sa.Column("ownership", _enum("ownership", "domestic", "fdi", "joint_venture"),
                  nullable=True),
        sa.Column("size_class", _enum("size_class", "micro", "small", "medium", "large"),
                  nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("revenue_bn_vnd", sa.Double(), nullable=True),
        sa.Column("capital_bn_vnd", sa.Double(), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("machines", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("capacity", sa.String(length=255), nullable=True),
        sa.Column("park", sa.String(length=100), nullable=True),
        sa.Column("ward", sa.String(length=120), nullable=True),
        sa.Column("export_experience", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_profile")),
        sa.UniqueConstraint("external_id", name=op.f("uq_supplier_profile_external_id")),
        sa.UniqueConstraint("tax_code", name=op.f("uq_supplier_profile_tax_code")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_supplier_profile_park"), "supplier_profile", ["park"])
    op.create_index(op.f("ix_supplier_profile_sector"), "supplier_profile", ["sector"])
    op.create_table("buyer_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("processes", sa.JSON(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("park", sa.String(length=100), nullable=True),
        sa.Column("quantity", sa.String(length=120), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", _enum("request_status", "open", "matched", "closed"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("buyer_id", "buyer", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_request"))
    )
    op.create_index(op.f("ix_buyer_request_buyer_id"), "buyer_request", ["buyer_id"])
    op.create_table("certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        _fk("profile_id", "supplier_profile", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification"))
    )
    op.create_index(op.f("ix_certification_profile_id"), "certification", ["profile_id"])
    op.create_table("enterprise_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", _enum("account_role", "buyer", "enterprise", "staff"), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("buyer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("buyer_id", "buyer", "SET NULL"),
        _fk("profile_id", "supplier_profile", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_account")),
        sa.UniqueConstraint("email", name=op.f("uq_enterprise_account_email"))
    )
    op.create_index(op.f("ix_enterprise_account_buyer_id"), "enterprise_account", ["buyer_id"])
    op.create_index(op.f("ix_enterprise_account_profile_id"), "enterprise_account", ["profile_id"])
    op.create_table("search_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("result_external_ids", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("account_id", "enterprise_account", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log"))
    )
    op.create_index(op.f("ix_search_log_account_id"), "search_log", ["account_id"])
    op.create_index(op.f("ix_search_log_created_at"), "search_log", ["created_at"])
    op.create_table("interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_log_id", sa.Integer(), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("interaction_kind", "impression", "click", "shortlist", "contact"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("profile_id", "supplier_profile", "CASCADE"),
        _fk("search_log_id", "search_log", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction"))
    )
    op.create_index(op.f("ix_interaction_profile_kind"), "interaction", ["profile_id", "kind"])
    op.create_index(op.f("ix_interaction_search_log_id"), "interaction", ["search_log_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_interaction_search_log_id"), table_name="interaction")
    op.drop_index(op.f("ix_interaction_profile_kind"), table_name="interaction")
    op.drop_table("interaction")
    op.drop_index(op.f("ix_search_log_created_at"), table_name="search_log")
    op.drop_index(op.f("ix_search_log_account_id"), table_name="search_log")
    op.drop_table("search_log")
    op.drop_index(op.f("ix_enterprise_account_profile_id"), table_name="enterprise_account")
    op.drop_index(op.f("ix_enterprise_account_buyer_id"), table_name="enterprise_account")
    op.drop_table("enterprise_account")
    op.drop_index(op.f("ix_certification_profile_id"), table_name="certification")
    op.drop_table("certification")
    op.drop_index(op.f("ix_buyer_request_buyer_id"), table_name="buyer_request")
    op.drop_table("buyer_request")
    op.drop_index(op.f("ix_supplier_profile_sector"), table_name="supplier_profile")
    op.drop_index(op.f("ix_supplier_profile_park"), table_name="supplier_profile")
    op.drop_table("supplier_profile")
    op.drop_table("policy_program")
    op.drop_table("buyer")
