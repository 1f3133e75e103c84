"""Shared pytest setup: hypothesis profiles (ci when $CI is set, dev by default, heavy on request);
English messages unless a test asks for a language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Kinerja speaks Bahasa Indonesia by default (engine.i18n); the suite's existing expectations are the
# English texts, so the whole session (and every subprocess it starts: the env is inherited) runs with
# KINERJA_LANG=en.  Tests of the Indonesian texts choose it explicitly (--lang id, i18n.using("id")).
os.environ["KINERJA_LANG"] = "en"

settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("heavy", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

# The parsed-policy cache (engine/syntax/cache.py) of this session's parses goes to a folder of
# its own, inherited by the CLI subprocesses, so the suite neither fills nor reads the user's.
if "KINERJA_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["KINERJA_CACHE_DIR"] = tempfile.mkdtemp(prefix="kinerja-test-cache-")


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server for the whole session (started on first use)."""
    from tests.service_kit import start_postgres

    yield from start_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each engine."""
    from tests.service_kit import fresh_url

    pg = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    return fresh_url(request.param, pg, tmp_path)


@pytest.fixture(autouse=True)
def _language_of_the_environment():  # type: ignore[no-untyped-def]
    """A test that runs the CLI in-process with --lang leaves that choice in force (it lasts until the
    next invocation, so click's usage errors still print in it); the next test starts from KINERJA_LANG."""
    yield
    from engine import i18n

    i18n.set_language(None)
