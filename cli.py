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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="sarif: SARIF 2.1.0 for code scanning; github: workflow-command annotations.")
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
    if fmt in ("sarif", "github"):
        _emit_ci(report.diagnostics, fmt, summary)
    else:
        _emit_diagnostics(report.diagnostics, report.sources, fmt, summary)
    return EXIT_FINDINGS if errors or (strict and warnings) else EXIT_OK


def _emit_ci(diags: list[Any], fmt: str, summary: str) -> None:
    from importlib.metadata import PackageNotFoundError, version

    from engine import report_formats

    if fmt == "sarif":
        try:
            tool_version = version("kinerja")
        except PackageNotFoundError:
            tool_version = "0+unknown"
        click.echo(report_formats.render_sarif(diags, tool_version), nl=False)
    else:
        click.echo(report_formats.render_github(diags), nl=False)
    click.echo(summary, err=True)


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


_POLICY_OPTIONS = [
    click.option("--policy", "policy_id", help="National policy id, when the folder holds several."),
    click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Use the policy version in force on this date."),
    click.option("--layout", type=click.Choice(["auto", "wide", "long"]), default="auto", show_default=True),
    click.option("--sheet", help="Excel sheet to read (default: the first)."),
    click.option("--agencies", "agencies_file", type=click.Path(exists=True, dir_okay=False),
                 help="File listing the known agency ids (one per line); other agencies are rejected."),
    click.option("--root", type=click.Path(exists=True, file_okay=False), help="Policy root."),
]


def _policy_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_POLICY_OPTIONS):
        fn = option(fn)
    return fn


def _run(policy: str, data: tuple[str, ...], opts: dict[str, Any], output: Path | None = None,
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
        raise click.exceptions.Exit(_policy_failure(exc)) from None
    except DataError as exc:
        raise click.UsageError(str(exc)) from None


def _policy_failure(exc: Any) -> int:
    from engine.sources import read_sources

    diags = list(exc.diagnostics)
    _emit_diagnostics(diags, read_sources({d.span.file for d in diags}), "text",
                      f"stopped: {sum(d.is_error for d in diags)} error(s) in the policies or the command")
    return EXIT_FINDINGS


@main.command(name="eval")
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Results file: .csv, .xlsx, .json or .parquet.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Rejects file (default: beside the output).")
@click.option("--manifest", type=click.Path(dir_okay=False), help="Manifest file (default: beside the output).")
@click.option("--explain-all", type=click.Path(dir_okay=False), help="Write every subject's explanation (JSONL).")
@click.option("--strict", is_flag=True, help="Any rejected row fails the run (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Summary format.")
@_policy_options
@_guarded
def eval_(policy: str, data: tuple[str, ...], output: str, rejects: str | None, manifest: str | None,
          explain_all: str | None, strict: bool, fmt: str, **opts: Any) -> int:
    """Score submitted DATA files under the policies in POLICY (a file or folder)."""
    from engine.data import write_rejects
    from engine.output import write_manifest

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    rejects_path = Path(rejects) if rejects else out.with_name(out.stem + ".rejects.csv")
    manifest_path = Path(manifest) if manifest else out.with_name(out.stem + ".manifest.json")
    # A large single CSV/Parquet file is scored chunk by chunk (bounded memory); --explain-all needs it whole.
    from engine.streaming import Progress

    progress = Progress(sys.stderr)  # shown only on a terminal, for runs over 2 s
    try:
        run = _run(policy, data, opts, output=out, stream=not explain_all, progress=progress)
    finally:
        progress.close()
    report = run.report
    write_rejects(report, rejects_path)
    if explain_all:
        _write_explanations(run.run, Path(explain_all))
    header = run.plan.header
    summary = write_manifest(
        manifest_path, policy_files=_files_used(run), data_files=list(data),
        rows_read=report.rows_read, rows_scored=report.rows_accepted, rows_rejected=report.rows_rejected,
        policy_id=header.name if header else None,
        policy_version=", ".join(p.header.version or "" for p in run.plans if p.header) or None,
        results_file=out, rejects_file=rejects_path,
        extra={"subjects": run.subjects, "runtime_errors": run.runtime_errors,
               "quota_violations": [v.to_dict() for v in run.violations],
               "warnings": [w.__dict__ for w in report.warnings]})
    _eval_summary(summary, report, run, fmt, out, rejects_path)
    return EXIT_FINDINGS if strict and report.rows_rejected else EXIT_OK


def _files_used(run: Any) -> list[str]:
    """The national policy file and the agency files extending it: what the scores depend on."""
    plans = run.plans or [run.plan]
    agencies = [a for p in plans for a in run.policies.agencies_of(p).values()]
    return sorted({*(p.module.path for p in plans), *(a.module.path for a in agencies)})


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
@_policy_options
@_guarded
def explain(policy: str, data: tuple[str, ...], subject_id: str, fmt: str, **opts: Any) -> int:
    """Show how one subject's scores were derived, node by node."""
    from engine import explain as ex

    run = _run(policy, data, opts, subject=subject_id)
    try:
        explanation = run.explain(subject_id)
    except KeyError:
        rejected = [r for r in run.load.report.rejects if r.subject_id == subject_id]
        why = f": rejected at {rejected[0].file}:{rejected[0].row}: {rejected[0].reason}" if rejected else ""
        click.echo(f"kinerja: no scored subject `{subject_id}`{why}", err=True)
        return EXIT_FINDINGS
    click.echo(ex.render(explanation, fmt), nl=False)
    return EXIT_OK


@main.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--coverage", "show_coverage", is_flag=True, help="Print semantic coverage per policy.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), help="Fail when a tested policy's coverage is below N%.")
@click.option("--junit", type=click.Path(dir_okay=False), help="Also write JUnit XML to this file.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option("--fail-on-skip", is_flag=True, help="Skipped tests fail the run too.")
@_guarded
def test_(paths: tuple[str, ...], show_coverage: bool, min_coverage: float | None, junit: str | None, fmt: str,
          fail_on_skip: bool) -> int:
    """Run the policy tests (*_test.yaml) under PATHS (default: the current folder)."""
    from engine import testing

    run = testing.run(list(paths) or ["."])
    if junit:
        Path(junit).parent.mkdir(parents=True, exist_ok=True)
        Path(junit).write_text(testing.render_junit(run), encoding="utf-8")
    if fmt == "json":
        click.echo(testing.render_json(run), nl=False)
    else:
        click.echo(testing.render_text(run, coverage=show_coverage or min_coverage is not None), nl=False)
    if not run.cases:
        click.echo("kinerja: no policy tests (*_test.yaml) found", err=True)
    low = testing.coverage_failures(run.coverage, min_coverage) if min_coverage is not None else []
    for line in low:
        click.echo(f"kinerja: coverage below the minimum: {line}", err=True)
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
@_guarded
def diff(old: str, new: str, data: tuple[str, ...], fmt: str, gates: tuple[str, ...], policy_id: str | None) -> int:
    """Compare two policy versions (files, folders or git:REV:path) and their impact on DATA."""
    from engine import diff as d
    from engine.data import DataError
    from engine.diagnostics import KinerjaError

    try:
        parsed = [d.parse_gate(g) for g in gates]
    except d.GateError as exc:
        raise click.UsageError(str(exc)) from None
    if parsed and not data:
        raise click.UsageError("--fail-if needs --data: gates measure the impact on reference data")
    try:
        with d.materialize(old) as a, d.materialize(new) as b:
            report = d.DiffReport(old, new, d.diff_paths(a.path, b.path), gates=parsed)
            if data:
                report.impact = d.impact(d.evaluate_version(a.path, a.root, data, policy_id),
                                         d.evaluate_version(b.path, b.root, data, policy_id))
    except d.SourceError as exc:
        raise click.UsageError(str(exc)) from None
    except KinerjaError as exc:
        return _policy_failure(exc)
    except DataError as exc:
        raise click.UsageError(str(exc)) from None
    render = {"text": d.render_text, "markdown": d.render_markdown, "json": d.render_json}[fmt]
    click.echo(render(report), nl=False)
    for g in report.tripped:
        click.echo(f"kinerja: gate tripped: {g.describe(report.impact)}", err=True)
    return EXIT_FINDINGS if report.tripped else EXIT_OK


def _peer_groups(run: Any) -> dict[str, str]:
    from engine import analysis

    return analysis.peer_groups(run.policies.report.sources, run.result.plans)


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--node", help="Benchmark this node instead of the policy's `benchmark` declarations.")
@click.option("--by", "by", help="With --node: subject (default), agency, or a text/category input.")
@click.option("--within", help="With --node: peer_group, or a text/category input.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_policy_options
@_guarded
def benchmark(policy: str, data: tuple[str, ...], node: str | None, by: str | None, within: str | None, fmt: str,
              **opts: Any) -> int:
    """Rank, percentile and z-score within peer groups, and gaps to the declared references."""
    from engine import analysis
    from engine import nodes as n
    from engine.analysis import render

    run = _run(policy, data, opts)
    decls = None
    if node:
        if node not in run.result.steps:
            raise click.UsageError(f"no node `{node}` in the policy")
        decls = [n.Benchmark(n.Ref(node), by=n.Ref(by) if by else None, within=n.Ref(within) if within else None)]
    try:
        found = analysis.benchmarks(run.result, _peer_groups(run), decls)
    except KeyError as exc:
        raise click.UsageError(f"no field {exc} to group by") from None
    click.echo(render.to_json(found) if fmt == "json" else render.benchmarks_text(found), nl=False)
    return EXIT_OK


def _periods(policy: str, data: tuple[str, ...], by_period: bool, periods: str | None,
             opts: dict[str, Any]) -> tuple[Any, Any, str, str]:
    """(base result, current result, labels): two files, or one file split by its period column."""
    from engine import analysis

    if not by_period:
        if len(data) != 2:
            raise click.UsageError("give two data files (BASE CURRENT), or one file with --by-period")
        base, current = _run(policy, data[:1], opts), _run(policy, data[1:], opts)
        return base.result, current.result, data[0], data[1]
    if len(data) != 1:
        raise click.UsageError("--by-period takes one data file with a period column")
    run = _run(policy, data, opts)
    chosen = [p.strip() for p in periods.split(",")] if periods else None
    try:
        found = analysis.evaluate_periods(run.policies, run.plan, data[0], chosen, opts["sheet"])
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if len(found) < 2:
        raise click.UsageError(f"{data[0]} holds {len(found)} period(s); two are needed")
    keys = list(found)[-2:]
    return found[keys[0]], found[keys[1]], keys[0], keys[1]


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--by-period", is_flag=True, help="DATA is one file with a period column: compare its last two periods.")
@click.option("--periods", help="With --by-period: BASE,CURRENT period values to compare.")
@click.option("--id", "subject_id", help="Show every node of this subject.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_policy_options
@_guarded
def compare(policy: str, data: tuple[str, ...], by_period: bool, periods: str | None, subject_id: str | None,
            fmt: str, **opts: Any) -> int:
    """Value added between two periods (BASE CURRENT files): the change of every node per subject."""
    from engine import analysis
    from engine.analysis import render

    base, current, a, b = _periods(policy, data, by_period, periods, opts)
    found = analysis.compare(base, current, a, b)
    if subject_id is not None and all(s.subject != subject_id for s in found.subjects):
        click.echo(f"kinerja: subject `{subject_id}` is not scored in both periods", err=True)
        return EXIT_FINDINGS
    click.echo(render.to_json(found) if fmt == "json" else render.comparison_text(found, subject_id), nl=False)
    return EXIT_OK


_SENSITIVITY_OPTIONS = [
    click.option("--runs", type=click.IntRange(1, 100_000), default=200, show_default=True),
    click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same numbers."),
    click.option("--weight-range", type=click.FloatRange(0, 0.99), default=0.2, show_default=True,
                 help="Each weight is multiplied by a factor drawn from [1-r, 1+r]."),
]


def _sensitivity_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_SENSITIVITY_OPTIONS):
        fn = option(fn)
    return fn


def _choices(text: str | None, allowed: tuple[str, ...], what: str) -> list[str]:
    words = [w.strip() for w in (text or "").split(",") if w.strip()]
    bad = [w for w in words if w not in allowed]
    if bad:
        raise click.UsageError(f"unknown {what} `{bad[0]}`; use: {', '.join(allowed)}")
    return words


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_sensitivity_options
@click.option("--aggregations", help="Comma list, e.g. mean,geometric: each tree node draws one per run.")
@click.option("--treatments", help="Comma list, e.g. exclude,zero: each run draws one for every indicator.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Unstable when the rating changes in more than this share of runs.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_policy_options
@_guarded
def sensitivity(policy: str, data: tuple[str, ...], runs: int, seed: int, weight_range: float,
                aggregations: str | None, treatments: str | None, threshold: float, fmt: str, **opts: Any) -> int:
    """Robustness: seeded Monte Carlo over weights, aggregation methods and missing-data treatments."""
    from engine import analysis
    from engine import nodes as n
    from engine.analysis import render

    aggs = _choices(aggregations, n.AGGREGATIONS, "aggregation")
    treats = _choices(treatments, ("exclude", "zero", "baseline"), "treatment")
    run = _run(policy, data, opts)
    found = analysis.sensitivity(run.result, runs=runs, seed=seed, weight_range=weight_range, aggregations=aggs,
                                 treatments=treats, threshold=threshold)
    click.echo(render.to_json(found) if fmt == "json" else render.sensitivity_text(found), nl=False)
    return EXIT_OK


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--id", "subject_id", help="Report on this subject (an agency); default: the nation.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Data of the previous period, for the trend (repeatable).")
@_sensitivity_options
@click.option("--format", "fmt", type=click.Choice(["html"]), default="html", show_default=True)
@_policy_options
@_guarded
def report(policy: str, data: tuple[str, ...], output: str, subject_id: str | None, previous: tuple[str, ...],
           runs: int, seed: int, weight_range: float, fmt: str, **opts: Any) -> int:
    """Write one self-contained HTML report: tree, charts, benchmark, trend, improvement areas, rank intervals."""
    from engine import report as rep

    run = _run(policy, data, opts)
    before = _run(policy, previous, opts).result if previous else None
    try:
        found = rep.build(run.result, run.policies.report.sources, subject_id, before, list(data), runs, seed,
                          weight_range, (", ".join(previous), ", ".join(data)))
    except KeyError:
        click.echo(f"kinerja: no scored subject `{subject_id}`", err=True)
        return EXIT_FINDINGS
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(rep.render(found), encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
    return EXIT_OK


if __name__ == "__main__":
    main()
