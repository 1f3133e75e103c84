"""The submission service: serve, admin token create/list/revoke, audit verify."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli import EXIT_FINDINGS, EXIT_OK, guarded, main
from engine.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

DB_OPTION = click.option("--db", "db_url", envvar="KINERJA_DB", help="Database URL: sqlite:///FILE or "
                         "postgresql://USER@HOST/DB (default: SQLite in --data-dir).")
DATA_OPTION = click.option("--data-dir", default="kinerja-data", show_default=True, type=click.Path(file_okay=False),
                           help="Where the embedded SQLite database lives.")


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
@guarded
def serve(policies: str, db_url: str | None, data_dir: str, host: str, port: int, max_upload_mb: int,
          request_timeout: float, workers: int) -> int:
    """Run the submission service (HTTP API and web pages) until interrupted."""
    import uvicorn

    from engine.service.app import create_app, open_service
    from engine.service.limits import Limits

    limits = Limits(max_upload=max_upload_mb * 1024 * 1024, request_timeout=request_timeout)
    service = open_service(policies, _url(db_url, data_dir), limits)  # policy errors: diagnostics, exit 1
    service.secure_cookies = os.environ.get("KINERJA_SECURE_COOKIES") == "1"
    click.echo(_("kinerja serve: http://{host}:{port}/ (API under /api/v1, OpenAPI at /openapi.json)",
                 host=host, port=port), err=True)
    common = {"host": host, "port": port, "log_level": "info", "timeout_graceful_shutdown": 30,
              "timeout_keep_alive": 5, "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(service), **common)
        return EXIT_OK
    service.engine.dispose()  # checked and migrated here; each worker process opens its own
    os.environ.update(KINERJA_POLICIES=str(Path(policies).resolve()), KINERJA_DB=_url(db_url, data_dir),
                      KINERJA_SECRET_KEY=secrets.token_hex(32), KINERJA_MAX_UPLOAD=str(limits.max_upload),
                      KINERJA_TIMEOUT=str(limits.request_timeout))
    uvicorn.run("engine.service.app:app_from_env", factory=True, workers=workers, **common)
    return EXIT_OK


@main.group()
def admin() -> None:
    """Administer the submission service's database."""


@admin.group()
def token() -> None:
    """API tokens: one per agency and role, shown once, stored as a hash."""


@token.command(name="create")
@click.option("--agency", required=True, help="The agency id the token acts for.")
@click.option("--role", required=True, type=click.Choice(["submitter", "reviewer", "auditor", "admin"]))
@click.option("--label", help="A note for the token list (who holds it).")
@DB_OPTION
@DATA_OPTION
@guarded
def token_create(agency: str, role: str, label: str | None, db_url: str | None, data_dir: str) -> int:
    """Create a token and print it once (on stdout); its id goes to stderr."""
    from engine.service import auth, db

    engine = _migrated(_url(db_url, data_dir))
    with db.writing(engine) as conn:
        token_id, secret = auth.create_token(conn, agency, role, label)
    click.echo(_("token {id} for {agency} ({role}); it is shown only now:", id=token_id, agency=agency, role=role),
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
            click.echo(f"{t['id']}  {t['agency']:<20} {t['role']:<10} {state:<18} {t['label'] or ''}")
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
