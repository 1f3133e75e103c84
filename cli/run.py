"""Commands that score data: eval, explain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli import EXIT_FINDINGS, EXIT_OK, FORMATS, guarded, main
from cli.common import policy_options, run_policy


@main.command(name="eval")
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Results file: .csv, .xlsx, .json or .parquet.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Rejects file (default: beside the output).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="Manifest file (default: beside the output).")
@click.option("--explain-all", type=click.Path(dir_okay=False), help="Write every subject's explanation (JSONL).")
@click.option("--strict", is_flag=True, help="Any rejected row fails the run (exit 1).")
@click.option("--fail-on-quota", is_flag=True, help="Any quota violation fails the run (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Summary format.")
@policy_options
@guarded
def eval_(policy: str, data: tuple[str, ...], output: str, rejects: str | None, manifest: str | None,
          explain_all: str | None, strict: bool, fail_on_quota: bool, fmt: str, **opts: Any) -> int:
    """Score submitted DATA files under the policies in POLICY (a file or folder)."""
    from engine.data import write_rejects

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    rejects_path = Path(rejects) if rejects else out.with_name(out.stem + ".rejects.csv")
    manifest_path = Path(manifest) if manifest else out.with_name(out.stem + ".manifest.json")
    # A large single CSV/Parquet file is scored chunk by chunk (bounded memory); --explain-all needs it whole.
    from cli.progress import Progress

    progress = Progress(sys.stderr)  # shown only on a terminal, for runs over 2 s
    try:
        run = run_policy(policy, data, opts, output=out, stream=not explain_all, progress=progress)
    finally:
        progress.close()
    report = run.report
    write_rejects(report, rejects_path)
    if explain_all:
        _write_explanations(run.run, Path(explain_all))
    summary = run.write_manifest(manifest_path, data, out, rejects_path)
    _eval_summary(summary, report, run, fmt, out, rejects_path)
    failed = (strict and report.rows_rejected) or (fail_on_quota and run.violations)
    return EXIT_FINDINGS if failed else EXIT_OK


def _write_explanations(run: Any, path: Path) -> None:
    from dataclasses import asdict

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for sid in run.result.subject_ids:
            fh.write(json.dumps(asdict(run.explain(sid)), ensure_ascii=False, default=str) + "\n")


def _eval_summary(manifest: dict[str, Any], report: Any, result: Any, fmt: str, out: Path, rejects: Path) -> None:
    if fmt == "json":
        click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return
    rows = manifest["rows"]
    click.echo(f"read {rows['read']} row(s): {rows['scored']} scored, {rows['rejected']} rejected "
               f"-> {out} (rejects: {rejects})", err=True)
    for r in report.rejects[:20]:
        click.echo(f"  rejected {r.file} {r.row}: {r.reason}" + (f" ({r.help})" if r.help else ""), err=True)
    if len(report.rejects) > 20:
        click.echo(f"  ... and {len(report.rejects) - 20} more in {rejects}", err=True)
    for w in report.warnings:
        click.echo(f"  warning {w.file}: {w.message}", err=True)
    if manifest["runtime_errors"]:
        click.echo(f"  {manifest['runtime_errors']} runtime error(s) recorded per subject (column `errors`)", err=True)
    for v in result.violations:
        click.echo(f"  quota: {v.message}", err=True)


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--id", "subject_id", required=True, help="The subject to explain.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@policy_options
@guarded
def explain(policy: str, data: tuple[str, ...], subject_id: str, fmt: str, **opts: Any) -> int:
    """Show how one subject's scores were derived, node by node."""
    from engine import explain as ex

    run = run_policy(policy, data, opts, subject=subject_id)
    click.echo(ex.render(run.explain(subject_id), fmt), nl=False)
    return EXIT_OK


