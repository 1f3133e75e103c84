"""The service's tables (SQLAlchemy Core).  Nothing here is ever updated or deleted except a
token's ``revoked_at`` (and expired sign-in failure counters): a resubmission is a new revision,
a review a new row."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

tokens = Table(
    "tokens", metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("agency", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit", String(200), nullable=False, server_default=""),  # '' = the whole agency
    Column("label", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

submissions = Table(
    "submissions", metadata,
    Column("id", String(32), primary_key=True),
    Column("agency", String(200), nullable=False),
    Column("unit", String(200), nullable=False, server_default=""),  # '' = the whole agency
    Column("policy", String(200), nullable=False),
    Column("period", String(10), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("uploader", String(32), ForeignKey("tokens.id"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("format", String(10), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("idempotency_key", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency", "unit", "policy", "period", "revision", name="uq_submission_revision"),
    UniqueConstraint("agency", "idempotency_key", name="uq_submission_idempotency"),
)
Index("ix_submissions_agency", submissions.c.agency, submissions.c.created_at)

runs = Table(
    "runs", metadata,
    Column("id", String(32), primary_key=True),
    Column("submission_id", String(32), ForeignKey("submissions.id"), nullable=False, unique=True),
    Column("engine_version", String(40), nullable=False),
    Column("policy_id", String(200), nullable=False),
    Column("policy_version", String(200), nullable=False),
    Column("policy_set", String(64), ForeignKey("policy_sets.digest"), nullable=False),
    Column("policy_files", Text, nullable=False),  # JSON: [{path, sha256}] of the files the scores depend on
    Column("rows_read", Integer, nullable=False),
    Column("rows_scored", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("subjects", Integer, nullable=False),
    Column("summary", Text, nullable=False),  # JSON: runtime errors, quota violations, warnings
    Column("created_at", DateTime(timezone=True), nullable=False),
)

results = Table(
    "results", metadata,
    Column("run_id", String(32), ForeignKey("runs.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("subject_id", String(200), nullable=False),
    Column("row", Text, nullable=False),  # JSON: the row `kinerja eval -o x.json` writes
)
Index("ix_results_subject", results.c.run_id, results.c.subject_id)

level_results = Table(
    "level_results", metadata,  # the policy's subject levels (units, agencies) of a run: one row per group
    Column("run_id", String(32), ForeignKey("runs.id"), primary_key=True),
    Column("level", String(200), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("subject_id", String(400), nullable=False),  # the group's id: `agency / unit` for nested keys
    Column("row", Text, nullable=False),  # JSON: the row of the level file `kinerja eval -o x.json` writes
)

policy_sources = Table(
    "policy_sources", metadata,  # every policy file ever loaded, verbatim, by content hash
    Column("sha256", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)

policy_sets = Table(
    "policy_sets", metadata,  # a loaded policy folder: relative path -> sha256 of each file
    Column("digest", String(64), primary_key=True),
    Column("files", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

explanations = Table(
    "explanations", metadata,  # `kinerja explain --format json` of each subject, built after submission
    Column("run_id", String(32), ForeignKey("runs.id"), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column("body", LargeBinary, nullable=False),  # zlib-compressed UTF-8 JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
)

rejects = Table(
    "rejects", metadata,
    Column("run_id", String(32), ForeignKey("runs.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("row", String(100), nullable=False),
    Column("subject_id", String(200)),
    Column("column", String(200)),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    Column("help", Text),
    Column("messages", Text),  # JSON: how row, reason and help were made (engine.i18n.records); NULL before 0007
)

reviews = Table(
    "reviews", metadata,
    Column("id", String(32), primary_key=True),
    Column("submission_id", String(32), ForeignKey("submissions.id"), nullable=False),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reviewer", String(32), ForeignKey("tokens.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_reviews_submission", reviews.c.submission_id, reviews.c.created_at)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(32)),
    Column("actor_agency", String(200)),
    Column("actor_role", String(20)),
    Column("action", String(60), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(200), nullable=False),
    Column("agency", String(200)),
    Column("details", Text, nullable=False),  # JSON: content hashes and counts, never values or tokens
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_object", audit_log.c.object_type, audit_log.c.object_id)
Index("ix_audit_type_seq", audit_log.c.object_type, audit_log.c.seq)

sign_in_failures = Table(
    "sign_in_failures", metadata,  # counters, not records: rows older than the lockout window are pruned
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("address", String(64), nullable=False),
    Column("prefix", String(64), nullable=False),  # SHA-256 of the presented token's first 12 characters
)
Index("ix_sign_in_failures_address", sign_in_failures.c.address, sign_in_failures.c.at)
Index("ix_sign_in_failures_prefix", sign_in_failures.c.prefix, sign_in_failures.c.at)
