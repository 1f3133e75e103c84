"""The submission service: serve, admin token create/list/revoke, audit verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli import EXIT_FINDINGS, EXIT_OK, guarded, main
from engine.i18n import _, language

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from engine.service.app import Service

DB_OPTION = click.option("--db", "db_url", envvar="KINERJA_DB", help="Database URL: sqlite:///FILE or "
                         "postgresql://USER@HOST/DB (default: SQLite in --data-dir).")
DATA_OPTION = click.option("--data-dir", default="kinerja-data", show_default=True, type=click.Path(file_okay=False),
                           help="Where the embedded SQLite database lives.")


KEY_OPTION = click.option("--session-key-file", envvar="KINERJA_SESSION_KEY_FILE", type=click.Path(dir_okay=False),
                          help="The file holding the key that signs sessions (owner-only); default: "
                               "session.key in --data-dir, created on first start.")


def _url(db_url: str | None, data_dir: str) -> str:
    from engine.service.db import default_url

    return db_url or default_url(data_dir)


@main.command()
@click.option("--policies", required=True, type=click.Path(exists=True), help="The policy folder (or file).")
@DB_OPTION
@DATA_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 2048))
@click.option("--timeout", "request_timeout", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds before a request is answered 503.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (scoring is CPU-bound: about one per core).")
@KEY_OPTION
@click.option("--explain/--no-explain", "explain", default=True, show_default=True,
              help="Store every subject's explanation after its submission, in a background process at the "
                   "lowest CPU priority (otherwise each is built when first asked for).")
@guarded
def serve(policies: str, db_url: str | None, data_dir: str, host: str, port: int, max_upload_mb: int,
          request_timeout: float, workers: int, session_key_file: str | None, explain: bool) -> int:
    """Run the submission service (HTTP API and web pages) until interrupted."""
    from engine.service.app import open_service
    from engine.service.keys import default_path, session_key
    from engine.service.limits import Limits

    limits = Limits(max_upload=max_upload_mb * 1024 * 1024, request_timeout=request_timeout)
    key = session_key(session_key_file or default_path(data_dir), create=not session_key_file)
    service = open_service(policies, _url(db_url, data_dir), limits)  # policy errors: diagnostics, exit 1
    service.secure_cookies = os.environ.get("KINERJA_SECURE_COOKIES") == "1"
    service.session_key = key
    click.echo(_("kinerja serve: http://{host}:{port}/ (API under /api/v1, OpenAPI at /openapi.json)",
                 host=host, port=port), err=True)
    os.environ.update(KINERJA_POLICIES=str(Path(policies).resolve()), KINERJA_DB=_url(db_url, data_dir),
                      KINERJA_SECRET_KEY=key.hex(), KINERJA_MAX_UPLOAD=str(limits.max_upload),
                      KINERJA_TIMEOUT=str(limits.request_timeout),
                      KINERJA_LANG=language())  # the pages' language when a request names none, in every worker
    explainer = _start_explainer() if explain else None
    try:
        _run(service, host, port, workers)
    finally:
        if explainer is not None:
            explainer.terminate()
            explainer.wait(30)
    return EXIT_OK


def _run(service: Service, host: str, port: int, workers: int) -> None:
    """uvicorn until interrupted: in this process, or ``workers`` processes built from the environment."""
    import uvicorn

    from engine.service.app import create_app

    common = {"host": host, "port": port, "log_level": "info", "timeout_graceful_shutdown": 30,
              "timeout_keep_alive": 5, "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(service), **common)
        return
    service.engine.dispose()  # checked and migrated here; each worker process opens its own
    uvicorn.run("engine.service.app:app_from_env", factory=True, workers=workers, **common)


def _start_explainer() -> subprocess.Popen[bytes]:
    """The background explainer (engine.service.explainer), with the environment set above; it also
    stops by itself when this process is gone (SIGKILL)."""
    env = {k: v for k, v in os.environ.items() if k != "KINERJA_SECRET_KEY"}  # it signs no sessions
    return subprocess.Popen([sys.executable, "-m", "engine.service.explainer"],
                            env={**env, "KINERJA_SERVER_PID": str(os.getpid())})


@main.group()
def admin() -> None:
    """Administer the submission service's database."""


@admin.group()
def token() -> None:
    """API tokens: one per agency and role, shown once, stored as a hash."""


@token.command(name="create")
@click.option("--agency", required=True, help="The agency id the token acts for.")
@click.option("--role", required=True, type=click.Choice(["submitter", "reviewer", "auditor", "admin"]))
@click.option("--unit", default="", help="A submitter for this unit of the agency only (units submitting "
                                          "separately, e.g. SKP's unit_kerja).")
@click.option("--label", help="A note for the token list (who holds it).")
@DB_OPTION
@DATA_OPTION
@guarded
def token_create(agency: str, role: str, unit: str, label: str | None, db_url: str | None, data_dir: str) -> int:
    """Create a token and print it once (on stdout); its id goes to stderr."""
    from engine.service import auth, db

    if unit and role != "submitter":
        raise click.UsageError(_("--unit is for a submitter token; reviewers and auditors read every agency"))
    engine = _migrated(_url(db_url, data_dir))
    with db.writing(engine) as conn:
        token_id, secret = auth.create_token(conn, agency, role, label, unit=unit)
    scope = _("{agency}, unit {unit}", agency=agency, unit=unit) if unit else agency
    click.echo(_("token {id} for {agency} ({role}); it is shown only now:", id=token_id, agency=scope, role=role),
               err=True)
    click.echo(secret)
    return EXIT_OK


@token.command(name="list")
@DB_OPTION
@DATA_OPTION
@guarded
def token_list(db_url: str | None, data_dir: str) -> int:
    """List tokens (ids, agencies, roles; never the secrets)."""
    from engine.service import auth, db

    with db.reading(_migrated(_url(db_url, data_dir))) as conn:
        for t in auth.list_tokens(conn):
            state = _("revoked {date}", date=f"{t['revoked_at']:%Y-%m-%d}") if t["revoked_at"] else _("active")
            where = f"{t['agency']}/{t['unit']}" if t["unit"] else t["agency"]
            click.echo(f"{t['id']}  {where:<20} {t['role']:<10} {state:<18} {t['label'] or ''}")
    return EXIT_OK


@token.command(name="revoke")
@click.argument("token_id")
@DB_OPTION
@DATA_OPTION
@guarded
def token_revoke(token_id: str, db_url: str | None, data_dir: str) -> int:
    """Revoke a token by its id."""
    from engine.service import auth, db

    with db.writing(_migrated(_url(db_url, data_dir))) as conn:
        if not auth.revoke_token(conn, token_id):
            from engine.diagnostics import fail

            raise fail("service.unknown-token", _("no active token `{id}`", id=token_id),
                       _("`kinerja admin token list` shows the tokens and whether they are revoked"))
    click.echo(_("revoked {id}", id=token_id), err=True)
    return EXIT_OK


@admin.group(name="session-key")
def session_key_group() -> None:
    """The key that signs the web pages' session cookies."""


@session_key_group.command(name="rotate")
@KEY_OPTION
@DB_OPTION
@DATA_OPTION
@guarded
def session_key_rotate(session_key_file: str | None, db_url: str | None, data_dir: str) -> int:
    """Write a new session key: after the next start of `kinerja serve` every session is signed out."""
    from engine.service import audit, db
    from engine.service.keys import default_path, rotate

    path = Path(session_key_file) if session_key_file else default_path(data_dir)
    rotate(path)
    with db.writing(_migrated(_url(db_url, data_dir))) as conn:
        audit.append(conn, None, "session-key.rotate", "session-key", path.name, None, {})
    click.echo(_("new session key in {path}; restart `kinerja serve` to put it in force", path=path), err=True)
    return EXIT_OK


@main.group(name="audit")
def audit_group() -> None:
    """The service's audit log."""


@audit_group.command(name="verify")
@DB_OPTION
@DATA_OPTION
@guarded
def audit_verify(db_url: str | None, data_dir: str) -> int:
    """Check the audit log's hash chain; exit 1 when an entry was modified, removed or inserted."""
    from engine.service import audit, db

    url = _url(db_url, data_dir)
    if url.startswith("sqlite") and not Path(url.split("///", 1)[1]).exists():
        from engine.diagnostics import fail

        raise fail("service.no-database", _("no database at {url}", url=url),
                   _("give the --db or --data-dir the service uses"))
    with db.reading(db.connect(url)) as conn:
        v = audit.verify(conn)
    for problem in v.problems:
        click.echo(f"  {problem}", err=True)
    verdict = (_("audit log intact: {entries} entries, head {head}") if v.ok else
               _("audit log BROKEN ({n} problem(s)): {entries} entries, head {head}"))
    click.echo(verdict.format(n=len(v.problems), entries=v.entries, head=v.head))
    return EXIT_OK if v.ok else EXIT_FINDINGS


def _migrated(url: str) -> Engine:
    from engine.service import db

    engine = db.connect(url)
    db.migrate(engine)
    return engine
