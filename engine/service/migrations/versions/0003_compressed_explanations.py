"""Explanations are stored for every subject at submission (by the background explainer), so they are
kept compressed: ``body`` is the zlib-compressed UTF-8 JSON (about 30 KB -> 3.6 KB a subject).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("explanations") as batch:
        batch.add_column(sa.Column("body", sa.LargeBinary, nullable=True))
    old = sa.table("explanations", sa.column("run_id", sa.String), sa.column("subject_id", sa.String),
                   sa.column("explanation", sa.Text), sa.column("body", sa.LargeBinary))
    conn = op.get_bind()
    for row in conn.execute(sa.select(old.c.run_id, old.c.subject_id, old.c.explanation)).all():
        conn.execute(old.update().where(old.c.run_id == row.run_id, old.c.subject_id == row.subject_id)
                     .values(body=zlib.compress(row.explanation.encode("utf-8"))))
    with op.batch_alter_table("explanations") as batch:
        batch.drop_column("explanation")
        batch.alter_column("body", existing_type=sa.LargeBinary, nullable=False)
