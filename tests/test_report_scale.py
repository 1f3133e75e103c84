"""`kinerja report --id` of a national file: the subject's rows alone plus streamed passes, the same page.

The subject's report no longer evaluates the whole file in memory: its rows are loaded alone
(Parquet) and the benchmark and rank intervals come from streamed passes.  The page must be
byte-identical to the in-memory ``report.build`` of the whole result, and a large peer group is
listed and plotted in part (best and worst 10, 10 either side of the subject, 400 dots).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine import api, report
from engine.report import page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    return generate.write(3000, tmp_path_factory.mktemp("national"), csv=False)[0]  # 3,000 employees, Parquet


POLICY = ROOT / "bench" / "policy" / "bsc-bench.kin"


@pytest.mark.parametrize("subject", ["E0000007", "E0002999"])
def test_subject_report_of_a_parquet_file_equals_the_in_memory_one(national: Path, tmp_path: Path,
                                                                   subject: str) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(POLICY), str(national), "--id", subject, "--runs", "5",
                                    "--seed", "3", "--previous", str(national), "-o", str(out)])
    assert res.exit_code == 0, res.output
    whole = api.evaluate_files(api.compile_policies([POLICY]), [national]).result
    want = report.render(report.build(whole, subject, whole, [str(national)], runs=5, seed=3,
                                      labels=(str(national), str(national)), date=dt.date.today()))
    assert out.read_text(encoding="utf-8") == want


def test_a_large_peer_group_is_listed_and_plotted_in_part(national: Path) -> None:
    whole = api.evaluate_files(api.compile_policies([POLICY]), [national]).result
    html = report.render(report.build(whole, "E0000007", None, runs=0))
    table = html[html.index('id="benchmark-table"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr(?: class=\"me\")?><td>([^<]*)</td><td>[^<]*</td><td[^>]*>[^<]*</td>"
                      r"<td[^>]*>([^<]*)</td>", table)
    ranks = [r for _, r in rows]
    # No benchmark is declared: the top score ranked among all 3,000 subjects, one group.  The list:
    # ranks 1-10, an ellipsis, the 21 positions around E0000007, an ellipsis, the last 10 positions.
    me = [r for e, r in rows if e == "E0000007"]
    assert len(me) == 1 and table.count('class="me"') == 1
    mine = [k for k, (e, _) in enumerate(rows) if e == "E0000007"][0]
    assert [e for e, _ in rows].count("…") == 2 and len(rows) == 10 + 1 + 21 + 1 + 10
    assert ranks[:10][0].startswith("1 / 3,000") and all(r.endswith("/ 3,000") for r in ranks if r)
    assert rows[mine - 10][0] != "…" and rows[mine + 10][0] != "…" and rows[mine - 11][0] == "…"
    strip = html[html.index('class="chart strip"'):]
    strip = strip[:strip.index("</svg>")]
    assert strip.count("<circle") == page.DOTS  # 399 evenly spaced by rank (first and last kept) + the subject
    assert "400 of 3,000 points" in html  # the suite reads English (tests/conftest.py)


def test_runs_zero_leaves_the_rank_intervals_out_of_the_report_only(national: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(POLICY), str(national), "--id", "E0000007", "--runs", "0",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert 'id="benchmark-table"' in html and 'id="robustness"' not in html
    res = CliRunner().invoke(main, ["sensitivity", str(POLICY), str(national), "--runs", "0"])
    assert res.exit_code == 2  # sensitivity without runs is a usage error


@pytest.fixture(scope="module")
def national_csv(national: Path) -> Path:
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    path = national.with_suffix(".csv")
    pcsv.write_csv(pq.read_table(national), path)  # the same 3,000 employees as CSV
    return path


def test_subject_report_of_a_csv_file_equals_the_in_memory_one(national_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(POLICY), str(national_csv), "--id", "E0001500", "--runs", "4",
                                    "--seed", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    whole = api.evaluate_files(api.compile_policies([POLICY]), [national_csv]).result
    want = report.render(report.build(whole, "E0001500", None, [str(national_csv)], runs=4, seed=2,
                                      labels=("", str(national_csv)), date=dt.date.today()))
    assert out.read_text(encoding="utf-8") == want


def test_a_csv_subject_is_read_alone_chunk_by_chunk(national_csv: Path) -> None:
    """Only the subject's row is kept from a CSV file (its report counts that row), so a national CSV
    file is never held whole; its columns are those of a full load."""
    policies = api.compile_policies([POLICY])
    run = api.score(policies, [national_csv], subject="E0002001")
    whole = api.evaluate_files(policies, [national_csv]).result
    assert run.result is not None and list(run.result.subject_ids) == ["E0002001"]
    assert (run.report.rows_read, run.report.rows_accepted, run.report.rows_rejected) == (1, 1, 0)
    row = whole.row("E0002001")
    for name, sr in run.result.steps.items():
        assert str(sr.value[0]) == str(whole.steps[name].value[row]), name


def test_a_csv_subject_rejected_in_a_later_chunk_says_why(tmp_path: Path) -> None:
    """Read in chunks of 7 rows: the first subject's row repeated at the end is rejected as a duplicate
    (the reader checks ids over the whole file) and its first row is the one scored; a subject whose
    only row is rejected is not scored, and the reason says why."""
    from engine.evaluate.result import NotScored

    lines = (ROOT / "examples" / "instansi-2026.csv").read_text(encoding="utf-8").splitlines()
    head, rows = lines[0], lines[1:]
    bad = rows[2].split(",")
    bad[0], bad[1], bad[2] = "baru", "baru", "XYZ"  # opini_lk must be one of the listed opinions
    data = tmp_path / "d.csv"
    data.write_text("\n".join([head, *rows, rows[0], ",".join(bad)]) + "\n", encoding="utf-8")
    policies = api.compile_policies([ROOT / "policies"])
    first = rows[0].split(",")[0]
    run = api.score(policies, [data], policy="bsc_instansi", subject=first, chunk=7)
    assert run.result is not None and list(run.result.subject_ids) == [first]
    assert (run.report.rows_read, run.report.rows_rejected) == (2, 1)
    assert "duplicate" in run.report.rejects[0].reason and run.report.rejects[0].row == f"line {len(rows) + 2}"
    run = api.score(policies, [data], policy="bsc_instansi", subject="baru", chunk=7)
    with pytest.raises(NotScored, match="XYZ|opini"):
        run.require("baru")
