"""Commands on policy files: check, fmt, graph, doc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli import EXIT_FINDINGS, EXIT_OK, guarded, main
from cli.common import emit_diagnostics
from engine.i18n import _


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="sarif: SARIF 2.1.0 for code scanning; github: workflow-command annotations.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--root", type=click.Path(exists=True, file_okay=False), help="Policy root (extends may not leave it).")
@click.option("--no-dependents", is_flag=True,
              help="Do not also check the agency files under the root that extend a national file given.")
@guarded
def check(paths: tuple[str, ...], fmt: str, strict: bool, root: str | None, no_dependents: bool) -> int:
    """Check policy files or folders like a compiler (a national file with the agency files extending it)."""
    from engine.compiler import check_paths

    report = check_paths([Path(p) for p in paths], root=Path(root) if root else None, dependents=not no_dependents)
    errors = sum(d.is_error for d in report.diagnostics)
    warnings = len(report.diagnostics) - errors
    counts = dict(files=len(report.files), errors=errors, warnings=warnings, dependents=len(report.dependents))
    summary = _("checked {files} file(s), {dependents} of them agency file(s) extending a national file given: "
                "{errors} error(s), {warnings} warning(s)", **counts) if report.dependents else \
        _("checked {files} file(s): {errors} error(s), {warnings} warning(s)", **counts)
    if fmt in ("sarif", "github"):
        _emit_ci(report.diagnostics, fmt, summary)
    else:
        emit_diagnostics(report.diagnostics, report.sources, fmt, summary)
    return EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK


def _emit_ci(diags: list[Any], fmt: str, summary: str) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from engine import diagnostic_formats

    if fmt == "sarif":
        try:
            tool_version = version("kinerja")
        except PackageNotFoundError:
            tool_version = "0+unknown"
        click.echo(diagnostic_formats.render_sarif(diags, tool_version), nl=False)
    else:
        click.echo(diagnostic_formats.render_github(diags), nl=False)
    click.echo(summary, err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print a unified diff.")
@guarded
def fmt(paths: tuple[str, ...], check_only: bool, show_diff: bool) -> int:
    """Rewrite policy files in the canonical layout (comments kept)."""
    import difflib

    from engine.diagnostics import KinerjaError
    from engine.fmt import format_text
    from engine.resolve import discover
    from engine.syntax import read_text

    files, failed = discover(paths)  # a link leaving the folder is a finding, not a silent skip
    changed = 0
    for path in files:
        try:
            text = read_text(path)
            new = format_text(text, str(path))
        except KinerjaError as exc:
            failed += list(exc.diagnostics)
            continue
        if new == text:
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                    f"{path}", _("{path} (formatted)", path=path))), nl=False)
        elif check_only:
            click.echo(_("would reformat {path}", path=path), err=True)
        else:
            from engine.safe_output import atomic_text

            atomic_text(path, new)  # in one step, keeping the file's permissions
            click.echo(_("reformatted {path}", path=path), err=True)
    if failed:
        from engine.sources import read_sources

        emit_diagnostics(failed, read_sources({d.span.file for d in failed}), "text",
                          _("{n} file problem(s): not formatted", n=len(failed)))
        return EXIT_FINDINGS
    return EXIT_FINDINGS if changed and (check_only or show_diff) else EXIT_OK


@main.command()
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "dot", "mermaid"]), default="text", show_default=True)
@guarded
def graph(policy: str, fmt: str) -> int:
    """Show the compiled dependency graph / aggregation tree."""
    from engine import graph_render as g
    from engine.compiler import check_paths

    report = check_paths([Path(policy)])
    if any(d.is_error for d in report.diagnostics) or not report.plans:
        emit_diagnostics(report.diagnostics, report.sources, "text", _("graph: the policy has errors"))
        return EXIT_FINDINGS
    render = {"text": g.render_text, "dot": g.render_dot, "mermaid": g.render_mermaid}[fmt]
    for plan in report.plans.values():
        click.echo(render(plan), nl=False)
    return EXIT_OK




@main.command()
@click.argument("policy", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="html: one self-contained page (no script, font or network).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of printing.")
@guarded
def doc(policy: str, fmt: str, output: str | None) -> int:
    """Render a policy as the document an officer signs off: indicators, formulas, weights,
    bands, tables and quotas, each with its citation (an agency file: merged with its national)."""
    from engine.doc import document
    from engine.safe_output import Output, atomic_text, check_outputs

    if output is not None:
        suffixes = (".md", ".markdown") if fmt == "md" else (".html", ".htm")
        check_outputs([Output("-o", Path(output), suffixes)], [], [policy])
    text = document(policy, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_text(output, text)
        click.echo(_("wrote {path}", path=output), err=True)
    return EXIT_OK
