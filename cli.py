"""The `kinerja` command: one thin function per command (read, call the engine, render, exit).

Exit codes: 0 ok, 1 findings (errors, or warnings under --strict; a would-change
file under fmt --check), 2 usage error, 3 internal error.  Heavy modules are
imported inside the commands so `kinerja --help` stays instant.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = click.Choice(["text", "json"])


def _guarded(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code; a bug becomes exit 3
    with a one-line message unless --debug asks for the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the one place bugs are caught
            if debug:
                traceback.print_exc()
            click.echo(f"kinerja: internal error: {type(exc).__name__}: {exc}", err=True)
            if not debug:
                click.echo("  (run again with --debug for the details, and please report it)", err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    return click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")(wrapper)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kinerja", message="kinerja %(version)s")
def main() -> None:
    """Kinerja: public-sector performance rules as code."""


def _emit_diagnostics(diags: list[Any], sources: dict[str, str], fmt: str, summary: str) -> None:
    from engine.diagnostics import render_text

    if fmt == "json":
        click.echo(json.dumps({"diagnostics": [d.to_dict() for d in diags], "summary": summary},
                              indent=2, ensure_ascii=False))
        return
    if diags:
        click.echo(render_text(diags, sources), err=True, nl=False)
    click.echo(summary, err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--root", type=click.Path(exists=True, file_okay=False), help="Policy root (extends may not leave it).")
@_guarded
def check(paths: tuple[str, ...], fmt: str, strict: bool, root: str | None) -> int:
    """Check policy files or folders like a compiler."""
    from engine.compiler import check_paths

    report = check_paths([Path(p) for p in paths], root=Path(root) if root else None)
    errors = sum(d.is_error for d in report.diagnostics)
    warnings = len(report.diagnostics) - errors
    summary = f"checked {len(report.files)} file(s): {errors} error(s), {warnings} warning(s)"
    _emit_diagnostics(report.diagnostics, report.sources, fmt, summary)
    return EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff.")
@_guarded
def fmt(paths: tuple[str, ...], check_only: bool, show_diff: bool) -> int:
    """Rewrite policy files in the canonical layout (comments kept)."""
    import difflib

    from engine.diagnostics import KinerjaError
    from engine.fmt import format_text
    from engine.resolve import discover

    changed, failed = 0, []
    files, _ = discover(paths)
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            new = format_text(text, str(path))
        except KinerjaError as exc:
            failed += list(exc.diagnostics)
            continue
        if new == text:
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                    f"{path}", f"{path} (formatted)")), nl=False)
        elif check_only:
            click.echo(f"would reformat {path}", err=True)
        else:
            path.write_text(new, encoding="utf-8")
            click.echo(f"reformatted {path}", err=True)
    if failed:
        from engine.sources import read_sources

        _emit_diagnostics(failed, read_sources({d.span.file for d in failed}), "text",
                          f"{len(failed)} file problem(s): not formatted")
        return EXIT_FINDINGS
    return EXIT_FINDINGS if changed and (check_only or show_diff) else EXIT_OK


@main.command()
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "dot", "mermaid"]), default="text", show_default=True)
@_guarded
def graph(policy: str, fmt: str) -> int:
    """Show the compiled dependency graph / aggregation tree."""
    from engine import graph as g
    from engine.compiler import check_paths

    report = check_paths([Path(policy)])
    if any(d.is_error for d in report.diagnostics) or not report.plans:
        _emit_diagnostics(report.diagnostics, report.sources, "text", "graph: the policy has errors")
        return EXIT_FINDINGS
    render = {"text": g.render_text, "dot": g.render_dot, "mermaid": g.render_mermaid}[fmt]
    for plan in report.plans.values():
        click.echo(render(plan), nl=False)
    return EXIT_OK


if __name__ == "__main__":
    main()
