"""Units submit separately (SKP: an agency "and its units"): a token may be scoped to one unit of
its agency, and a submission belongs to a unit ('' = the whole agency), whose revisions are its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("unit", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("unit", sa.String(200), nullable=False, server_default=""))
        batch.drop_constraint("uq_submission_revision", type_="unique")
        batch.create_unique_constraint("uq_submission_revision", ["agency", "unit", "policy", "period", "revision"])
