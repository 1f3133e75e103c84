"""Rejected rows in the reader's language: each reject keeps, beside its texts as written (in the
uploader's language), how they were made (``engine.i18n.records``: message id and values, JSON), so
they are shown again in the language of whoever reads them.  Rows stored before keep their texts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rejects") as batch:
        batch.add_column(sa.Column("messages", sa.Text, nullable=True))
