"""Subject levels (engine/levels): each level's results of a submission's run, one row per group,
as the level file `kinerja eval FILE -o results.json` writes beside the results (results.unit.json).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "level_results",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("level", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.String(400), nullable=False),
        sa.Column("row", sa.Text, nullable=False),
    )
