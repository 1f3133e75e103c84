"""Analysis commands: benchmark, compare, sensitivity, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli import EXIT_FINDINGS, EXIT_OK, FORMATS, guarded, main
from cli.common import compile_only, policy_options, run_policy


def _peer_groups(run: Any) -> dict[str, str]:
    from engine import analysis

    return analysis.peer_groups(run.policies.report.sources, run.result.plans)


def _reading(data: tuple[str, ...], opts: dict[str, Any]) -> Any:
    from engine.analysis.passes import Reading

    return Reading(list(data), _known(opts), opts["layout"], opts["sheet"])


def _known(opts: dict[str, Any]) -> list[str] | None:
    if not opts["agencies_file"]:
        return None
    lines = Path(opts["agencies_file"]).read_text(encoding="utf-8").splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def _write_table(table: dict[str, Any], output: str) -> None:
    from engine.output import write_results

    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part{out.suffix}")
    try:
        write_results(table, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    click.echo(f"wrote {len(next(iter(table.values()), [])):,} rows to {out}", err=True)


OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False),
                      help="Write the full per-subject table (.csv, .xlsx, .json, .parquet).")


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--node", help="Benchmark this node instead of the policy's `benchmark` declarations.")
@click.option("--by", "by", help="With --node: subject (default), agency, or a text/category input.")
@click.option("--within", help="With --node: peer_group, or a text/category input.")
@click.option("--top", type=click.IntRange(0), default=10, show_default=True,
              help="Show each group's best and worst N (every entity goes to -o).")
@OUTPUT
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@policy_options
@guarded
def benchmark(policy: str, data: tuple[str, ...], node: str | None, by: str | None, within: str | None, top: int,
              output: str | None, fmt: str, **opts: Any) -> int:
    """Rank, percentile and z-score within peer groups, and gaps to the declared references."""
    from engine import analysis
    from engine import nodes as n
    from engine.analysis import render
    from engine.streaming import Progress

    _check_output(output)
    policies = compile_only(policy, opts)
    decls = None
    if node:
        if not any(s.name == node for s in policies.select(opts["policy_id"], _as_of(opts)).steps):
            raise click.UsageError(f"no node `{node}` in the policy")
        decls = [n.Benchmark(n.Ref(node), by=n.Ref(by) if by else None, within=n.Ref(within) if within else None)]
    try:
        found = analysis.benchmark_data(policies, _reading(data, opts), opts["policy_id"], _as_of(opts), decls,
                                        Progress())
    except KeyError as exc:
        raise click.UsageError(f"no field {exc} to group by") from None
    if output:
        _write_table(render.benchmark_table(found), output)
    click.echo(render.to_json(found, limit=top) if fmt == "json" else render.benchmarks_text(found, top), nl=False)
    return EXIT_OK


def _as_of(opts: dict[str, Any]) -> Any:
    return opts["as_of"].date() if opts["as_of"] else None


def _check_output(output: str | None) -> None:
    if output and Path(output).suffix.lower() not in (".csv", ".xlsx", ".json", ".parquet"):
        raise click.UsageError(f"cannot write `{Path(output).suffix}`; use .csv, .xlsx, .json or .parquet")


def _periods(policy: str, data: tuple[str, ...], by_period: bool, periods: str | None,
             opts: dict[str, Any]) -> tuple[Any, Any, str, str]:
    """(base result, current result, labels): two files, or one file split by its period column."""
    from engine import analysis

    if not by_period:
        if len(data) != 2:
            raise click.UsageError("give two data files (BASE CURRENT), or one file with --by-period")
        base, current = run_policy(policy, data[:1], opts), run_policy(policy, data[1:], opts)
        return base.result, current.result, data[0], data[1]
    if len(data) != 1:
        raise click.UsageError("--by-period takes one data file with a period column")
    run = run_policy(policy, data, opts)
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
@policy_options
@guarded
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


SENSITIVITY_OPTIONS = [
    click.option("--runs", type=click.IntRange(1, 100_000), default=200, show_default=True),
    click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same numbers."),
    click.option("--weight-range", type=click.FloatRange(0, 0.99), default=0.2, show_default=True,
                 help="Each weight is multiplied by a factor drawn from [1-r, 1+r]."),
]


def sensitivity_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(SENSITIVITY_OPTIONS):
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
@sensitivity_options
@click.option("--aggregations", help="Comma list, e.g. mean,geometric: each tree node draws one per run.")
@click.option("--treatments", help="Comma list, e.g. exclude,zero: each run draws one for every indicator.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Unstable when the rating changes in more than this share of runs.")
@click.option("--top", type=click.IntRange(0), default=25, show_default=True,
              help="Show the N least stable subjects (all of them when there are at most N; every one with -o).")
@OUTPUT
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@policy_options
@guarded
def sensitivity(policy: str, data: tuple[str, ...], runs: int, seed: int, weight_range: float,
                aggregations: str | None, treatments: str | None, threshold: float, top: int, output: str | None,
                fmt: str, **opts: Any) -> int:
    """Robustness: seeded Monte Carlo over weights, aggregation methods and missing-data treatments."""
    from engine import analysis
    from engine import nodes as n
    from engine.analysis import render
    from engine.streaming import Progress

    aggs = _choices(aggregations, n.AGGREGATIONS, "aggregation")
    treats = _choices(treatments, ("exclude", "zero", "baseline"), "treatment")
    _check_output(output)
    found = analysis.sensitivity_data(compile_only(policy, opts), _reading(data, opts), opts["policy_id"],
                                      _as_of(opts), Progress(), runs=runs, seed=seed, weight_range=weight_range,
                                      aggregations=aggs, treatments=treats, threshold=threshold)
    if output:
        _write_table(found.table, output)
    limit = None if found.size <= top else top
    click.echo(render.to_json(found, limit=limit) if fmt == "json" else render.sensitivity_text(found, top), nl=False)
    return EXIT_OK


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--id", "subject_id", help="Report on this subject (an agency); default: the nation.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Data of the previous period, for the trend (repeatable).")
@sensitivity_options
@click.option("--format", "fmt", type=click.Choice(["html"]), default="html", show_default=True)
@policy_options
@guarded
def report(policy: str, data: tuple[str, ...], output: str, subject_id: str | None, previous: tuple[str, ...],
           runs: int, seed: int, weight_range: float, fmt: str, **opts: Any) -> int:
    """Write one self-contained HTML report: tree, charts, benchmark, trend, improvement areas, rank intervals."""
    from engine import report as rep

    run = run_policy(policy, data, opts)
    before = run_policy(policy, previous, opts).result if previous else None
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

