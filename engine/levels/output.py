"""Where a level's results go: one results file per level beside the rows' results
(``hasil.csv`` -> ``hasil.unit.csv``), in the same format, listed in the manifest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from engine.levels.run import LevelResult
from engine.plan import Plan


def level_path(output: str | Path, level: str) -> Path:
    out = Path(output)
    return out.with_name(f"{out.stem}.{level}{out.suffix}")


def check_level_outputs(plans: Iterable[Plan], output: str | Path, data: Sequence[str | Path]) -> None:
    """The levels' results files are checked like every output, before anything is scored."""
    from engine.safe_output import RESULT_SUFFIXES, Output, check_outputs

    names = dict.fromkeys(lp.name for p in plans for lp in p.levels)
    if names:
        check_outputs([Output("-o", Path(output), RESULT_SUFFIXES)]
                      + [Output(f"level {k} results", level_path(output, k), RESULT_SUFFIXES) for k in names], data)


def write_levels(levels: dict[str, LevelResult], output: str | Path) -> list[dict[str, Any]]:
    """Write each level's results and return what the manifest says of them."""
    from engine.output import presentable, write_results
    from engine.safe_output import file_sha256

    entries = []
    for name, lr in levels.items():
        path = level_path(output, name)
        write_results(presentable(lr.table()), path)
        about = level_summary(name, lr)
        entries.append({"level": name, "of": about["of"], "keys": about["keys"],
                        "results": {"path": str(path), "sha256": file_sha256(path)}, **about})
    return entries


def level_summary(name: str, lr: LevelResult) -> dict[str, Any]:
    """What the manifest (and the service's stored run) says of one level besides its file."""
    lp = lr.plan
    return {"level": name, "of": lp.subject, "keys": list(lp.keys), "subjects": lr.result.n,
            "members": int(lr.members.sum()), "unassigned": lr.unassigned,
            "runtime_errors": int(lr.result.events.count(lr.result.n, "error").sum())}
