"""The submission service behind `kinerja serve`: agencies submit, officers review, auditors trace.

``app`` builds the FastAPI application; ``routes`` and ``pages`` are the JSON API and the
officers' web pages; ``store`` keeps submissions, runs, results and rejects (append-only) in
SQLite or PostgreSQL through SQLAlchemy, migrated by Alembic (``migrations/``); ``auth`` holds
API tokens and roles; ``audit`` the hash-chained audit log; ``scoring`` is the one adapter to
the engine's entry points (no second evaluator).
"""
