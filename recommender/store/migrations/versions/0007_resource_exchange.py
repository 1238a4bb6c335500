"""Resource exchange: what firms offer and need, and their requests to exchange.

``resource_listing`` holds each offer or need as its firm wrote it, with the resource
nodes and hazard read when it was saved; ``exchange_request`` one firm's request to
the other to exchange an offer for a need, and its answer.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "resource_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("offer", "need", name="listing_kind", native_enum=False,
                                  create_constraint=True, length=5), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=120), nullable=False),
        sa.Column("frequency", sa.String(length=120), nullable=False),
        sa.Column("site", sa.String(length=500), nullable=False),
        sa.Column("licence", sa.String(length=500), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("hazard", sa.String(length=16), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["supplier_profile.id"],
                                name=op.f("fk_resource_listing_profile_id_supplier_profile"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_listing")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_resource_listing_open"), "resource_listing", ["open"])
    op.create_index(op.f("ix_resource_listing_profile_id"), "resource_listing", ["profile_id"])
    op.create_index(op.f("ix_resource_listing_updated_at"), "resource_listing", ["updated_at"])
    op.create_table(
        "exchange_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("sent", "accepted", "declined", "done",
                                    name="exchange_status", native_enum=False,
                                    create_constraint=True, length=8), nullable=False),
        sa.Column("tonnes_a_month", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["need_id"], ["resource_listing.id"],
                                name=op.f("fk_exchange_request_need_id_resource_listing"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["resource_listing.id"],
                                name=op.f("fk_exchange_request_offer_id_resource_listing"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["supplier_profile.id"],
                                name=op.f("fk_exchange_request_recipient_id_supplier_profile"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sender_id"], ["supplier_profile.id"],
                                name=op.f("fk_exchange_request_sender_id_supplier_profile"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_request")),
        sa.UniqueConstraint("offer_id", "need_id", name=op.f("uq_exchange_request_offer_id")),
    )
    for column in ("created_at", "need_id", "offer_id", "recipient_id", "sender_id"):
        op.create_index(op.f(f"ix_exchange_request_{column}"), "exchange_request", [column])


def downgrade() -> None:
    op.drop_table("exchange_request")
    op.drop_table("resource_listing")
