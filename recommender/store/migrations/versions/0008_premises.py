"""Premises for SMEs: what park developers have available and what firms need.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_KINDS = ("ready_built_factory", "high_rise_floor", "land_plot", "warehouse")


def _common(table: str) -> list:
    return [
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("external_id", name=op.f(f"uq_{table}_external_id")),
    ]


def upgrade() -> None:
    op.create_table(
        "premises_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("developer", sa.String(length=255), nullable=False),
        sa.Column("park", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.Enum(*_KINDS, name="premises_kind", native_enum=False,
                                  create_constraint=True, length=19), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("area_m2", sa.Double(), nullable=False),
        sa.Column("floor_load_t_m2", sa.Double(), nullable=True),
        sa.Column("power_kva", sa.Double(), nullable=True),
        sa.Column("price_low", sa.Double(), nullable=True),
        sa.Column("price_high", sa.Double(), nullable=True),
        sa.Column("price_unit", sa.String(length=16), nullable=False),
        sa.Column("price_text", sa.String(length=120), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("min_lease_years", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["supplier_profile.id"],
                                name=op.f("fk_premises_listing_profile_id_supplier_profile"),
                                ondelete="CASCADE"),
        *_common("premises_listing"),
    )
    op.create_index(op.f("ix_premises_listing_park"), "premises_listing", ["park"])
    op.create_index(op.f("ix_premises_listing_profile_id"), "premises_listing", ["profile_id"])
    op.create_table(
        "premises_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("area_min", sa.Double(), nullable=True),
        sa.Column("area_max", sa.Double(), nullable=True),
        sa.Column("places", sa.String(length=500), nullable=False),
        sa.Column("floor_load_min", sa.Double(), nullable=True),
        sa.Column("power_min", sa.Double(), nullable=True),
        sa.Column("budget_max", sa.Double(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["supplier_profile.id"],
                                name=op.f("fk_premises_request_profile_id_supplier_profile"),
                                ondelete="CASCADE"),
        *_common("premises_request"),
    )
    op.create_index(op.f("ix_premises_request_profile_id"), "premises_request", ["profile_id"])


def downgrade() -> None:
    op.drop_table("premises_request")
    op.drop_table("premises_listing")
