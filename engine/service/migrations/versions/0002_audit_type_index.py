"""An index to find the latest audit entry of a kind (the policy set in force) without a scan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_type_seq", "audit_log", ["object_type", "seq"])
