"""What several command families share: diagnostics output, the policy options, compiling and running."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli import EXIT_FINDINGS


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
    click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Use the policy version in force on this date."),
    click.option("--layout", type=click.Choice(["auto", "wide", "long"]), default="auto", show_default=True),
    click.option("--sheet", help="Excel sheet to read (default: the first)."),
    click.option("--agencies", "agencies_file", type=click.Path(exists=True, dir_okay=False),
                 help="File listing the known agency ids (one per line); other agencies are rejected."),
    click.option("--root", type=click.Path(exists=True, file_okay=False), help="Policy root."),
]


def policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(POLICY_OPTIONS):
        fn = option(fn)
    return fn


def run_policy(policy: str, data: tuple[str, ...], opts: dict[str, Any], output: Path | None = None,
         stream: bool = True, subject: str | None = None, progress: Any = None) -> Any:
    """Compile the policies and evaluate the data (into ``output``, when given: see
    ``engine.streaming``); policy errors end the command with exit 1, an unreadable data
    file with a usage error."""
    from engine import api
    from engine.data import DataError
    from engine.diagnostics import KinerjaError

    known = None
    if opts["agencies_file"]:
        lines = Path(opts["agencies_file"]).read_text(encoding="utf-8").splitlines()
        known = [x.strip() for x in lines if x.strip() and not x.startswith("#")]
    as_of = opts["as_of"].date() if opts["as_of"] else None
    try:
        policies = api.compile_policies([Path(policy)], root=opts["root"])
        if output is not None:
            from engine.streaming import score_to_file

            return score_to_file(policies, list(data), output, policy=opts["policy_id"], as_of=as_of,
                                 layout=opts["layout"], known_agencies=known, sheet=opts["sheet"], stream=stream,
                                 progress=progress)
        if subject is not None:  # only the rows one subject's explanation needs
            from engine.streaming import explain_run

            return explain_run(policies, list(data), subject, policy=opts["policy_id"], as_of=as_of,
                               layout=opts["layout"], known_agencies=known, sheet=opts["sheet"])
        return api.evaluate_files(policies, list(data), policy=opts["policy_id"], as_of=as_of,
                                  layout=opts["layout"], known_agencies=known, sheet=opts["sheet"])
    except KinerjaError as exc:
        raise click.exceptions.Exit(policy_failure(exc)) from None
    except DataError as exc:
        raise click.UsageError(str(exc)) from None


def compile_only(policy: str, opts: dict[str, Any]) -> Any:
    """The checked policies (policy errors end the command with exit 1); the data is read later."""
    from engine import api
    from engine.diagnostics import KinerjaError

    try:
        return api.compile_policies([Path(policy)], root=opts["root"])
    except KinerjaError as exc:
        raise click.exceptions.Exit(policy_failure(exc)) from None


def policy_failure(exc: Any) -> int:
    from engine.sources import read_sources

    diags = list(exc.diagnostics)
    emit_diagnostics(diags, read_sources({d.span.file for d in diags}), "text",
                      f"stopped: {sum(d.is_error for d in diags)} error(s) in the policies or the command")
    return EXIT_FINDINGS


