"""What several command families share: diagnostics output, the policy options, compiling and running."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from engine.i18n import _


def emit_diagnostics(diags: list[Any], sources: dict[str, str], fmt: str, summary: str) -> None:
    from engine.diagnostics import render_text

    if fmt == "json":
        click.echo(json.dumps({"diagnostics": [d.to_dict() for d in diags], "summary": summary},
                              indent=2, ensure_ascii=False))
        return
    if diags:
        click.echo(render_text(diags, sources), err=True, nl=False)
    click.echo(summary, err=True)



POLICY_OPTIONS = [
    click.option("--policy", "policy_id", help="National policy id, when the folder holds several."),
    click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                 help="Use the policy version in force on this date."),
    click.option("--layout", type=click.Choice(["auto", "wide", "long"]), default="auto", show_default=True),
    click.option("--sheet", help="Excel sheet to read (default: the first visible one)."),
    click.option("--header-row", type=click.IntRange(min=1),
                 help="Row of the column names (default: found below any title rows)."),
    click.option("--decimal", type=click.Choice([",", "."]),
                 help="Decimal mark of the data's numbers (default: detected per file)."),
    click.option("--agencies", "agencies_file", type=click.Path(exists=True, dir_okay=False),
                 help="File listing the known agency ids (one per line); other agencies are rejected."),
    click.option("--root", type=click.Path(exists=True, file_okay=False), help="Policy root."),
]


def policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(POLICY_OPTIONS):
        fn = option(fn)
    return fn


def run_policy(policy: str, data: tuple[str, ...], opts: dict[str, Any], output: Path | None = None,
               whole: bool = False, subject: str | None = None, progress: Any = None) -> Any:
    """Compile the policies and run them over the data (``engine.api.score``: into ``output`` when
    given; only ``subject``'s rows when given); a ``KinerjaError`` (policy errors, unreadable data)
    ends the command."""
    from engine import api

    policies = api.compile_policies([Path(policy)], root=opts["root"])
    return api.score(policies, list(data), output, policy=opts["policy_id"], as_of=as_of_date(opts),
                     layout=opts["layout"], known_agencies=known_agencies(opts), sheet=opts["sheet"],
                     decimal=opts["decimal"], header_row=opts["header_row"], whole=whole, subject=subject,
                     progress=progress)


def known_agencies(opts: dict[str, Any]) -> list[str] | None:
    """The --agencies registry, when given."""
    return read_agencies(Path(opts["agencies_file"])) if opts["agencies_file"] else None


def as_of_date(opts: dict[str, Any]) -> Any:
    """The --as-of date (a ``datetime.date``), when given."""
    return opts["as_of"].date() if opts["as_of"] else None


def check_table_output(output: str | Path | None, data: tuple[str, ...], policies: tuple[str, ...]) -> None:
    """Before anything is scored: ``-o`` must have a table suffix and be neither an input, a policy
    file nor below a file (``engine.safe_output.check_outputs``; exit 2)."""
    if output is None:
        return
    from engine.safe_output import RESULT_SUFFIXES, Output, check_outputs

    check_outputs([Output("-o", Path(output), RESULT_SUFFIXES)], data, policies)


def write_table(table: Mapping[str, Any] | Iterable[Mapping[str, Any]], output: str | Path) -> None:
    """A full per-subject table, whole or in pieces of rows: CSV and Parquet are written piece by piece
    (only one piece is ever decoded), other formats at once; a complete file is renamed into place."""
    import numpy as np

    from engine.output import ResultStream, write_results

    out = Path(output)
    pieces = [table] if isinstance(table, Mapping) else table
    if out.suffix.lower() in (".csv", ".parquet"):
        with ResultStream(out) as stream:
            for piece in pieces:
                stream.write(piece)
        rows = stream.rows
    else:
        parts = list(pieces)
        whole = {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]} if parts else {}
        write_results(whole, out)
        rows = len(next(iter(whole.values()), []))
    click.echo(_("wrote {n:,} rows to {path}", n=rows, path=out), err=True)


def read_agencies(path: Path) -> list[str]:
    """The known agency ids of an --agencies file: one a line, `#` starts a comment line."""
    from engine.diagnostics import fail, file_span

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise fail("data.agencies-encoding", _("the agencies file is not UTF-8 text ({reason})", reason=exc.reason),
                   _("save it as UTF-8 text, one agency id a line"), file_span(path)) from None
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def compile_only(policy: str, opts: dict[str, Any]) -> Any:
    """The checked policies (a ``KinerjaError`` ends the command); the data is read later."""
    from engine import api

    return api.compile_policies([Path(policy)], root=opts["root"])


def stopped(diags: Any) -> int:
    """Show the diagnostics that stopped a command; the exit code they call for (1 or 2)."""
    from engine.diagnostics import exit_code
    from engine.sources import read_sources

    diags = list(diags)
    policy_files = {d.span.file for d in diags if d.span.line >= 1 and d.span.file.endswith(".kin")}
    emit_diagnostics(diags, read_sources(policy_files), "text",
                     _("stopped: {n} error(s) in the policies, the data or the command",
                       n=sum(d.is_error for d in diags)))
    return exit_code(diags)


def show_rows(report: Any, rejects: Path | None, shown: int = 20) -> None:
    """On stderr: the load's read/scored/rejected counts, its first rejects and its warnings;
    the rejects file is written when ``rejects`` is given (the analyses' ``--rejects``)."""
    if rejects is not None:
        from engine.data import write_rejects

        rejects.parent.mkdir(parents=True, exist_ok=True)
        write_rejects(report, rejects)
    counts = dict(read=report.rows_read, scored=report.rows_accepted, rejected=report.rows_rejected)
    click.echo(_("read {read} row(s): {scored} scored, {rejected} rejected (rejects: {rejects})", **counts,
                 rejects=rejects) if rejects is not None else
               _("read {read} row(s): {scored} scored, {rejected} rejected", **counts), err=True)
    show_findings(report, rejects, shown)


def show_findings(report: Any, rejects: Path | None, shown: int = 20) -> None:
    """The first ``shown`` rejects (each with its reason) and every warning of a load, on stderr."""
    for r in report.rejects[:shown]:
        click.echo(_("  rejected {file} {row}: {reason}", file=r.file, row=r.row, reason=r.reason)
                   + (f" ({r.help})" if r.help else ""), err=True)
    more = len(report.rejects) - shown
    if more > 0:
        click.echo(_("  ... and {n} more in {path}", n=more, path=rejects) if rejects is not None else
                   _("  ... and {n} more (--rejects FILE writes them all)", n=more), err=True)
    for w in report.warnings:
        click.echo(_("  warning {file}: {message}", file=w.file, message=w.message)
                   + (f" ({w.help})" if w.help else ""), err=True)
