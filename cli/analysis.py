"""Analysis commands: benchmark, compare, sensitivity, report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli import EXIT_OK, FORMATS, guarded, main
from cli.common import (
    as_of_date,
    check_table_output,
    compile_only,
    known_agencies,
    policy_options,
    run_policy,
    show_rows,
    write_table,
)
from engine.i18n import N_, _

REJECTS = click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
                       help="Write the rejected rows (file, row, reason) to this CSV, as eval does.")


def _counted(policy: str, data: tuple[str, ...], opts: dict[str, Any], rejects: Path | None,
             loads: list[tuple[Any, Path | None]]) -> Any:
    """The run; its load report joins ``loads``, whose read/scored/rejected counts and rejects
    are reported as ``eval`` does once the analysis is done (``_account``)."""
    run = run_policy(policy, data, opts)
    loads.append((run.report, rejects))
    return run


def _read(reading: Any, rejects: Path | None, loads: list[tuple[Any, Path | None]]) -> None:
    """A streamed pass's load reports join ``loads`` (see ``engine.analysis.passes.Reading.reports``)."""
    loads.extend((r, rejects) for r in reading.reports)


def _account(loads: list[tuple[Any, Path | None]]) -> int:
    for report, rejects in loads:
        show_rows(report, rejects)
    return EXIT_OK


def _no_effect(option: str, needs: str) -> Exception:
    from engine.diagnostics import fail

    return fail("analysis.no-effect", _("{option} has no effect without {needs}", option=option, needs=needs),
                _("give {needs}, or leave {option} out", option=option, needs=needs))


def _reading(data: tuple[str, ...], opts: dict[str, Any]) -> Any:
    from engine.analysis.passes import Reading

    return Reading(list(data), known_agencies(opts), opts["layout"], opts["sheet"])


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
@REJECTS
@policy_options
@guarded
def benchmark(policy: str, data: tuple[str, ...], node: str | None, by: str | None, within: str | None, top: int,
              output: str | None, fmt: str, rejects: Path | None, **opts: Any) -> int:
    """Rank, percentile and z-score within peer groups, and gaps to the declared references."""
    from cli.progress import Progress
    from engine import analysis
    from engine.analysis import render

    for option, given in (("--by", by), ("--within", within)):
        if given is not None and node is None:
            raise _no_effect(option, "--node")
    check_table_output(output, data, (policy,))
    policies = compile_only(policy, opts)
    plan = policies.select(opts["policy_id"], as_of_date(opts))
    decls = analysis.asked_benchmark(plan, node, by, within) if node else None
    progress = Progress()
    reading = _reading(data, opts)
    found = analysis.benchmark_data(policies, reading, opts["policy_id"], as_of_date(opts), decls, progress)
    progress.close()
    loads: list[tuple[Any, Path | None]] = []
    _read(reading, rejects, loads)
    if output:
        write_table(render.benchmark_table(found), output)
    click.echo(render.to_json(found, limit=top) if fmt == "json" else render.benchmarks_text(found, top), nl=False)
    return _account(loads)


def _periods(policy: str, data: tuple[str, ...], by_period: bool, periods: str | None,
             opts: dict[str, Any], rejects: Path | None, loads: list[tuple[Any, Path | None]]
             ) -> tuple[Any, Any, str, str]:
    """(base result, current result, labels): two files, or one file split by its period column."""
    from engine import analysis
    from engine.diagnostics import fail

    if not by_period:
        if len(data) != 2:
            raise fail("analysis.two-periods", _("compare needs two periods; {n} data file(s) given", n=len(data)),
                       _("give two data files (BASE CURRENT), or one file with a period column and --by-period"))
        base = _counted(policy, data[:1], opts, _suffixed(rejects, "base"), loads)
        current = _counted(policy, data[1:], opts, _suffixed(rejects, "current"), loads)
        return base.result, current.result, data[0], data[1]
    if len(data) != 1:
        raise fail("analysis.two-periods", _("--by-period takes one data file with a period column"),
                   _("give one file, or two files (BASE CURRENT) without --by-period"))
    run = _counted(policy, data, opts, rejects, loads)
    chosen = [p.strip() for p in periods.split(",")] if periods else None
    found = analysis.evaluate_periods(run.policies, run.plan, data[0], chosen, opts["sheet"])
    if len(found) < 2:
        raise fail("analysis.two-periods", _("{file} holds {n} period(s); two are needed", file=data[0], n=len(found)),
                   _("give two files (BASE CURRENT) instead"))
    keys = list(found)[-2:]
    return found[keys[0]], found[keys[1]], keys[0], keys[1]


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--by-period", is_flag=True, help="DATA is one file with a period column: compare its last two periods.")
@click.option("--periods", help="With --by-period: BASE,CURRENT period values to compare.")
@click.option("--id", "subject_id", help="Show every node of this subject.")
@click.option("--top", type=click.IntRange(0), default=25, show_default=True,
              help="Two whole files: list the first N subjects whose rating changed (every subject goes to -o).")
@OUTPUT
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@REJECTS
@policy_options
@guarded
def compare(policy: str, data: tuple[str, ...], by_period: bool, periods: str | None, subject_id: str | None,
            top: int, output: str | None, fmt: str, rejects: Path | None, **opts: Any) -> int:
    """Value added between two periods (BASE CURRENT files): the change of every node per subject."""
    from engine import analysis
    from engine.analysis import render

    check_table_output(output, data, (policy,))
    if periods is not None and not by_period:
        raise _no_effect("--periods", "--by-period")
    loads: list[tuple[Any, Path | None]] = []
    if not by_period and subject_id is None and len(data) == 2:  # whole files: one streamed pass each
        from cli.progress import Progress

        progress = Progress()
        base, current = _reading(data[:1], opts), _reading(data[1:], opts)
        change = analysis.compare_files(compile_only(policy, opts), base, current,
                                        data[0], data[1], opts["policy_id"], as_of_date(opts), progress)
        progress.close()
        _read(base, _suffixed(rejects, "base"), loads)
        _read(current, _suffixed(rejects, "current"), loads)
        if output:
            write_table(change.pieces(), output)
        click.echo(render.to_json(change, limit=top) if fmt == "json" else render.period_change_text(change, top),
                   nl=False)
        return _account(loads)
    base, current, a, b = _periods(policy, data, by_period, periods, opts, rejects, loads)
    found = analysis.compare(base, current, a, b)
    if subject_id is not None and all(s.subject != subject_id for s in found.subjects):
        from engine.evaluate.result import NotScored

        raise NotScored(subject_id, _("it is not scored in both periods"))
    click.echo(render.to_json(found) if fmt == "json" else render.comparison_text(found, subject_id), nl=False)
    return _account(loads)


def _suffixed(path: Path | None, which: str) -> Path | None:
    """``r.csv`` -> ``r.base.csv``: each period's rejects in its own file."""
    return None if path is None else path.with_name(f"{path.stem}.{which}{path.suffix}")


def sensitivity_options(fewest: int = 1, runs_help: str | None = None) -> Callable[..., Any]:
    """--runs (at least ``fewest``), --seed and --weight-range."""
    options = [
        click.option("--runs", type=click.IntRange(fewest, 100_000), default=200, show_default=True, help=runs_help),
        click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same numbers."),
        click.option("--weight-range", type=click.FloatRange(0, 0.99), default=0.2, show_default=True,
                     help="Each weight is multiplied by a factor drawn from [1-r, 1+r]."),
    ]

    def add(fn: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return add


def _choices(text: str | None, allowed: tuple[str, ...], what: str) -> list[str]:
    words = [w.strip() for w in (text or "").split(",") if w.strip()]
    bad = [w for w in words if w not in allowed]
    if bad:
        from engine.diagnostics import did_you_mean, fail

        raise fail("analysis.unknown-choice", _("unknown {what} `{name}`", what=_(what), name=bad[0]),
                   did_you_mean(bad[0], allowed) or _("use: {choices}", choices=", ".join(allowed)))
    return words


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@sensitivity_options()
@click.option("--aggregations", help="Comma list, e.g. mean,geometric: each tree node draws one per run.")
@click.option("--treatments", help="Comma list, e.g. exclude,zero: each run draws one for every indicator.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Unstable when the rating changes in more than this share of runs.")
@click.option("--top", type=click.IntRange(0), default=25, show_default=True,
              help="Show the N least stable subjects (all of them when there are at most N; every one with -o).")
@OUTPUT
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@REJECTS
@policy_options
@guarded
def sensitivity(policy: str, data: tuple[str, ...], runs: int, seed: int, weight_range: float,
                aggregations: str | None, treatments: str | None, threshold: float, top: int, output: str | None,
                fmt: str, rejects: Path | None, **opts: Any) -> int:
    """Robustness: seeded Monte Carlo over weights, aggregation methods and missing-data treatments."""
    from cli.progress import Progress
    from engine import analysis
    from engine import nodes as n
    from engine.analysis import render

    aggs = _choices(aggregations, n.AGGREGATIONS, N_("aggregation"))
    treats = _choices(treatments, ("exclude", "zero", "baseline"), N_("treatment"))
    check_table_output(output, data, (policy,))
    progress = Progress()
    reading = _reading(data, opts)
    found = analysis.sensitivity_data(compile_only(policy, opts), reading, opts["policy_id"],
                                      as_of_date(opts), progress, runs=runs, seed=seed, weight_range=weight_range,
                                      aggregations=aggs, treatments=treats, threshold=threshold)
    progress.close()
    loads: list[tuple[Any, Path | None]] = []
    _read(reading, rejects, loads)
    if output:
        write_table(found.table, output)
    limit = None if found.size <= top else top
    click.echo(render.to_json(found, limit=limit) if fmt == "json" else render.sensitivity_text(found, top), nl=False)
    return _account(loads)


@main.command()
@click.argument("policy", type=click.Path(exists=True))
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--id", "subject_id", help="Report on this subject (an agency); default: the nation.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="Data of the previous period, for the trend (repeatable).")
@sensitivity_options(0, "Monte Carlo runs for the rank intervals; 0 leaves them out "
                        "(on a national file each run costs about one evaluation).")
@click.option("--format", "fmt", type=click.Choice(["html"]), default="html", show_default=True)
@REJECTS
@policy_options
@guarded
def report(policy: str, data: tuple[str, ...], output: str, subject_id: str | None, previous: tuple[str, ...],
           runs: int, seed: int, weight_range: float, fmt: str, rejects: Path | None, **opts: Any) -> int:
    """Write one self-contained HTML report: tree, charts, benchmark, trend, improvement areas, rank intervals."""
    from engine import report as rep

    out = Path(output)
    loads: list[tuple[Any, Path | None]] = []
    rejects = rejects or out.with_name(out.stem + ".rejects.csv")
    date = as_of_date(opts) or dt.date.today()
    if subject_id is None:  # the nation: every subject's values, in memory
        run = _counted(policy, data, opts, rejects, loads)
        before = run_policy(policy, previous, opts).result if previous else None
        found = rep.build(run.result, None, before, list(data), runs, seed, weight_range,
                          (", ".join(previous), ", ".join(data)), date)
    else:
        found = _subject_report(policy, data, subject_id, previous, runs, seed, weight_range, opts, rejects, loads,
                                date)
    from engine.safe_output import atomic_text

    atomic_text(out, rep.render(found))  # a complete page or none: never a half-written report
    click.echo(_("wrote {path}", path=out), err=True)
    return _account(loads)


def _subject_report(policy: str, data: tuple[str, ...], subject_id: str, previous: tuple[str, ...], runs: int,
                    seed: int, weight_range: float, opts: dict[str, Any], rejects: Path,
                    loads: list[tuple[Any, Path | None]], date: dt.date) -> Any:
    """One subject's report at any size: its own rows evaluated alone (``run_policy(subject=...)``), the
    benchmark and the rank intervals from streamed passes over the data (``engine.analysis.national``)."""
    from cli.progress import Progress
    from engine import analysis
    from engine import report as rep

    run = run_policy(policy, data, opts, subject=subject_id)
    run.require(subject_id)
    before = run_policy(policy, previous, opts, subject=subject_id).result if previous else None
    policies, as_of = compile_only(policy, opts), as_of_date(opts)
    progress = Progress()
    reading = _reading(data, opts)
    benchmarks = analysis.benchmark_data(policies, reading, opts["policy_id"], as_of, progress=progress)
    found = analysis.sensitivity_data(policies, _reading(data, opts), opts["policy_id"], as_of, progress,
                                      runs=runs, seed=seed, weight_range=weight_range) if runs > 0 else None
    progress.close()
    _read(reading, rejects, loads)
    return rep.assemble(run.result, subject_id, benchmarks, found, before, list(data),
                        (", ".join(previous), ", ".join(data)), date)


if __name__ == "__main__":
    main()

