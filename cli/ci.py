"""Commands for CI pipelines: test, diff."""

from __future__ import annotations

from typing import Any

import click

from cli import EXIT_FINDINGS, EXIT_OK, FORMATS, guarded, main
from cli.common import check_table_output, emit_diagnostics
from engine.i18n import _


@main.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--coverage", "show_coverage", is_flag=True, help="Print semantic coverage per policy.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), help="Fail when a tested policy's coverage is below N%.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Also write JUnit XML to this file.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--fail-on-skip", is_flag=True, help="Skipped tests fail the run too.")
@guarded
def test_(paths: tuple[str, ...], show_coverage: bool, min_coverage: float | None, junit: str | None, fmt: str,
          fail_on_skip: bool) -> int:
    """Run the policy tests (*_test.yaml) under PATHS (default: the current folder)."""
    from engine import testing

    run = testing.run(list(paths) or ["."])
    if junit:
        from engine.safe_output import atomic_text

        atomic_text(junit, testing.render_junit(run))
    if fmt == "json":
        click.echo(testing.render_json(run), nl=False)
    else:
        click.echo(testing.render_text(run, coverage=show_coverage or min_coverage is not None), nl=False)
    if not run.cases:
        click.echo(_("kinerja: no policy tests (*_test.yaml) found"), err=True)
    low = testing.coverage_failures(run.coverage, min_coverage) if min_coverage is not None else []
    for line in low:
        click.echo(_("kinerja: coverage below the minimum: {what}", what=line), err=True)
    skipped = fail_on_skip and run.count("skipped") > 0
    return EXIT_OK if run.ok and not low and not skipped else EXIT_FINDINGS


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Reference data to evaluate under both versions (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-if", "gates", multiple=True, metavar="EXPR",
              help="Gate such as changed-rating>5%, changed-score>10%, drop-bands>=2 (repeatable; needs --data).")
@click.option("--policy", "policy_id", help="National policy id, when a folder holds several.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write every subject whose rating changed (.csv, .parquet, .xlsx, .json; needs --data).")
@guarded
def diff(old: str, new: str, data: tuple[str, ...], fmt: str, gates: tuple[str, ...], policy_id: str | None,
         output: str | None) -> int:
    """Compare two policy versions (files, folders or git:REV:path) and their impact on DATA."""
    from engine import diff as d
    from engine.diagnostics import COMMAND_LINE, error, fail

    parsed = [d.parse_gate(g) for g in gates]
    if parsed and not data:
        raise fail("gate.needs-data", _("--fail-if needs --data: gates measure the impact on reference data"),
                   _("add --data FILE with the submissions both versions should score"))
    if output and not data:
        raise fail("gate.output-needs-data", _("-o needs --data: it lists the subjects whose rating changed"),
                   _("add --data FILE, or leave out -o"))
    check_table_output(output, data, tuple(p for p in (old, new) if not p.startswith("git:")))
    with d.materialize(old) as a, d.materialize(new) as b:
        report = d.Diff(old, new, d.diff_paths(a.path, b.path), gates=parsed)
        if data:
            report.impact = _impact(a, b, data, policy_id, output)
    if output:
        click.echo(_("wrote {n} rating change(s) to {path}", n=report.impact.changed_rating,  # type: ignore[union-attr]
                     path=output), err=True)
    render = {"text": d.render_text, "markdown": d.render_markdown, "json": d.render_json}[fmt]
    click.echo(render(report), nl=False)
    if not report.tripped:
        return EXIT_OK
    tripped = [error("diff.gate-tripped", _("gate tripped: {gate}", gate=g.describe(report.impact)), COMMAND_LINE,
                     _("the change moves more subjects than the gate allows; review the impact above"))
               for g in report.tripped]
    emit_diagnostics(tripped, {}, "text", _("{n} gate(s) tripped", n=len(tripped)))
    return EXIT_FINDINGS




def _impact(a: Any, b: Any, data: tuple[str, ...], policy_id: str | None, output: str | None) -> Any:
    """Both versions' impact on DATA, in one streamed pass."""
    from cli.progress import Progress
    from engine import api
    from engine import diff as d
    from engine.analysis.passes import Reading

    old, new = (api.compile_policies([d.scored_path(v.path)], root=v.root, dependents=True) for v in (a, b))
    progress = Progress()
    try:
        return d.impact_on(old, new, Reading(list(data)), policy_id, changes_to=output, progress=progress)
    finally:
        progress.close()
