"""Commands that score data: eval, explain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from cli import EXIT_FINDINGS, EXIT_OK, FORMATS, guarded, main
from cli.common import policy_options, run_policy, show_findings
from engine.i18n import _
from engine.i18n.terms import members_word


@main.command(name="eval")
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Results file: .csv, .xlsx, .json or .parquet.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Rejects file (default: beside the output).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="Manifest file (default: beside the output).")
@click.option("--explain-all", type=click.Path(dir_okay=False),
              help="Write every subject's explanation (JSONL; .jsonl.gz: compressed).")
@click.option("--strict", is_flag=True,
              help="Any rejected row, or a subject whose agency has no agency file, fails the run (exit 1).")
@click.option("--fail-on-quota", is_flag=True, help="Any quota violation fails the run (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Summary format.")
@policy_options
@guarded
def eval_(policy: str, data: tuple[str, ...], output: str, rejects: str | None, manifest: str | None,
          explain_all: str | None, strict: bool, fail_on_quota: bool, fmt: str, **opts: Any) -> int:
    """Score submitted DATA files under the policies in POLICY (a file or folder)."""
    from engine.data import write_rejects
    from engine.provenance import agency_warnings

    out = Path(output)
    rejects_path = Path(rejects) if rejects else out.with_name(out.stem + ".rejects.csv")
    manifest_path = Path(manifest) if manifest else out.with_name(out.stem + ".manifest.json")
    _check_outputs(policy, data, out, rejects_path, manifest_path, explain_all)
    manifest_path.unlink(missing_ok=True)  # a run that stops early leaves no manifest vouching for old files
    # A large single CSV/Parquet file is scored chunk by chunk (bounded memory); --explain-all needs it whole.
    from cli.progress import Progress

    progress = Progress(sys.stderr)  # shown only on a terminal, for runs over 2 s
    try:
        run = run_policy(policy, data, opts, output=out, whole=bool(explain_all), progress=progress)
        report = run.report
        known = {a for p in (run.plans or [run.plan]) for a in run.policies.agencies_of(p) if a is not None}
        report.warnings += agency_warnings(run.unfiled, known, str(data[0]))
        write_rejects(report, rejects_path)
        if explain_all:
            _write_explanations(run, Path(explain_all))
    finally:
        progress.close()
    from engine.output import write_run_manifest

    summary = write_run_manifest(run, manifest_path, data, out, rejects_path, explain_all)
    _eval_summary(summary, report, run, fmt, out, rejects_path)
    failed = (strict and (report.rows_rejected or run.unfiled)) or (fail_on_quota and run.violations)
    return EXIT_FINDINGS if failed else EXIT_OK


def _check_outputs(policy: str, data: tuple[str, ...], out: Path, rejects: Path, manifest: Path,
                   explain_all: str | None) -> None:
    """Every output path is checked before anything is scored: a bad one stops the run (exit 2)."""
    from engine.safe_output import RESULT_SUFFIXES, Output, check_outputs

    outputs = [Output("-o", out, RESULT_SUFFIXES), Output("--rejects", rejects, (".csv",)),
               Output("--manifest", manifest, (".json",))]
    if explain_all:
        outputs.append(Output("--explain-all", Path(explain_all), (".jsonl", ".json", ".jsonl.gz")))
    check_outputs(outputs, data, [policy])


def _write_explanations(run: Any, path: Path) -> None:
    from engine.explain.every import write_all
    from engine.safe_output import remember_sha256

    digest = write_all(run.result, path)[1]
    remember_sha256(path, path.stat(), digest)  # the manifest need not read it again


def _eval_summary(manifest: dict[str, Any], report: Any, result: Any, fmt: str, out: Path, rejects: Path) -> None:
    if fmt == "json":
        click.echo(json.dumps(manifest, indent=2, ensure_ascii=False))
        return
    rows = manifest["rows"]
    click.echo(_("read {read} row(s): {scored} scored, {rejected} rejected -> {out} (rejects: {rejects})",
                 read=rows["read"], scored=rows["scored"], rejected=rows["rejected"], out=out, rejects=rejects),
               err=True)
    show_findings(report, rejects)
    if manifest["runtime_errors"]:
        click.echo(_("  {n} runtime error(s) recorded per subject (column `errors`)", n=manifest["runtime_errors"]),
                   err=True)
    for v in result.violations:
        click.echo(_("  quota: {message}", message=v.message), err=True)
    for lv in manifest.get("levels", []):
        line = _("  level {level}: {subjects} subject(s) from {members} {of} -> {path} ({unassigned} without a "
                 "{level})") if lv["unassigned"] else \
            _("  level {level}: {subjects} subject(s) from {members} {of} -> {path}")
        click.echo(line.format(level=lv["level"], subjects=lv["subjects"], members=lv["members"],
                               of=members_word(lv["of"]), path=lv["results"]["path"], unassigned=lv["unassigned"]))


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--id", "subject_id", required=True, help="The subject to explain.")
@click.option("--level", help="A subject level of the policy (`level unit ...`): --id names one of its groups.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--precision", type=click.IntRange(0, 12), default=2, show_default=True,
              help="Decimals of the results shown (operands get more where a line needs them to add up).")
@policy_options
@guarded
def explain(policy: str, data: tuple[str, ...], subject_id: str, level: str | None, fmt: str, precision: int,
            **opts: Any) -> int:
    """Show how one subject's scores were derived, node by node; every line redoes by hand."""
    from engine import explain as ex

    if level is not None:  # a group needs every member: the whole data is scored
        from engine.levels.explain import explain_level

        found = explain_level(run_policy(policy, data, opts), level, subject_id, precision)
    else:
        found = run_policy(policy, data, opts, subject=subject_id).explain(subject_id, precision)
    click.echo(ex.render(found, fmt), nl=False)
    return EXIT_OK




    return EXIT_OK




@main.command()
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@guarded
def verify(manifest: str, fmt: str) -> int:
    """Check that the files a run's MANIFEST names (policies, data, results, rejects) are unchanged."""
    from engine.safe_output import role_text, verify_manifest

    recorded, findings = verify_manifest(manifest)
    if fmt == "json":
        click.echo(json.dumps({"manifest": manifest, "ok": not findings,
                               "findings": [f.__dict__ for f in findings]}, indent=2, ensure_ascii=False))
    for f in findings if fmt == "text" else []:
        click.echo(f"  {role_text(f.role)} {f.path}: {f.problem}", err=True)
    if fmt == "text":
        rows = recorded["rows"]
        state = (_("{manifest}: does not match its files ({read} read, {scored} scored, {rejected} rejected)")
                 if findings else
                 _("{manifest}: matches its files ({read} read, {scored} scored, {rejected} rejected)"))
        click.echo(state.format(manifest=manifest, read=rows["read"], scored=rows["scored"],
                                rejected=rows["rejected"]), err=True)
    return EXIT_FINDINGS if findings else EXIT_OK
