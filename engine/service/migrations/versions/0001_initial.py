"""The initial schema: tokens, policy sources and sets, submissions, runs, results, explanations,
rejects, reviews and the audit log,
with a trigger on each database refusing UPDATE and DELETE on the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("uploader", sa.String(32), sa.ForeignKey("tokens.id"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("agency", "policy", "period", "revision", name="uq_submission_revision"),
        sa.UniqueConstraint("agency", "idempotency_key", name="uq_submission_idempotency"),
    )
    op.create_index("ix_submissions_agency", "submissions", ["agency", "created_at"])
    op.create_table(
        "policy_sources",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "policy_sets",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False, unique=True),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("policy_id", sa.String(200), nullable=False),
        sa.Column("policy_version", sa.String(200), nullable=False),
        sa.Column("policy_set", sa.String(64), sa.ForeignKey("policy_sets.digest"), nullable=False),
        sa.Column("policy_files", sa.Text, nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_scored", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "results",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("row", sa.Text, nullable=False),
    )
    op.create_index("ix_results_subject", "results", ["run_id", "subject_id"])
    op.create_table(
        "explanations",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "rejects",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("row", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(200)),
        sa.Column("column", sa.String(200)),
        sa.Column("value", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("help", sa.Text),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(32), sa.ForeignKey("tokens.id"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_reviews_submission", "reviews", ["submission_id", "created_at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(32)),
        sa.Column("actor_agency", sa.String(200)),
        sa.Column("actor_role", sa.String(20)),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(200)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_object", "audit_log", ["object_type", "object_id"])
    _append_only("audit_log")


def _append_only(table: str) -> None:
    """The database itself refuses to change or remove a log entry."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END $$;""")
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END")
