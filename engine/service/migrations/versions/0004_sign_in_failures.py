"""Failed sign-ins (wrong API or page tokens), counted per client address and per token prefix so
that guessing is locked out across worker processes and restarts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(64), nullable=False),
    )
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address", "at"])
    op.create_index("ix_sign_in_failures_prefix", "sign_in_failures", ["prefix", "at"])
