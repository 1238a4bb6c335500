"""Search-log rows get their ids before they are written: ``id_block`` reserves them.

Each process reserves a block of ids in one short transaction and numbers the rows
it queues from it (``recommender/store/searchlog.py``); the rows are then written in
batches off the request path. The first reservation starts after the largest
existing id, so no row is needed here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "id_block",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("next_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_block")),
    )


def downgrade() -> None:
    op.drop_table("id_block")
