"""Index runs remember the staff account that started them ("retrain now").

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("index_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("index_run", schema=None) as batch_op:
        batch_op.drop_column("account_id")
