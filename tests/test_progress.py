"""The progress line of long `kinerja eval` runs: only on a terminal, only after a delay, never in pipes or CI."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from cli.progress import Progress
from engine import api

ROOT = Path(__file__).parent.parent
SUBMISSIONS = Path(__file__).parent / "data" / "submissions"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def not_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_silent_when_the_stream_is_not_a_terminal() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, clock=clock)
    for done in range(0, 1_000_001, 100_000):
        clock.now += 1.0
        progress.rows(done, 1_000_000)
    progress.close()
    assert out.getvalue() == ""


def test_on_a_terminal_shown_only_after_the_delay_then_cleared() -> None:
    term, clock = Terminal(), Clock()
    progress = Progress(term, delay=2.0, every=0.0, clock=clock)
    clock.now += 1.5
    progress.rows(262_144, 1_000_000)
    assert term.getvalue() == ""  # a short run prints nothing
    clock.now += 1.0
    progress.rows(524_288, 1_000_000)
    assert term.getvalue() == "\r\x1b[Kscoring 524,288 / 1,000,000 rows  52%  2.5 s"
    progress.close()
    assert term.getvalue().endswith("\r\x1b[K")  # the line is cleared for the summary


def test_redrawn_at_most_every_interval() -> None:
    term, clock = Terminal(), Clock()
    progress = Progress(term, delay=0.0, every=0.5, clock=clock)
    for _ in range(10):
        clock.now += 0.1
        progress.phase("reading")
    assert term.getvalue().count("\r") == 2  # at 0.1 s and 0.6 s


def test_silent_on_a_terminal_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    term, clock = Terminal(), Clock()
    progress = Progress(term, delay=0.0, every=0.0, clock=clock)
    progress.rows(1, 2)
    assert term.getvalue() == ""


def test_a_streamed_run_reports_its_rows(tmp_path: Path) -> None:
    shutil.copy(SUBMISSIONS / "policy.kin", tmp_path / "policy.kin")
    policies = api.compile_policies([tmp_path / "policy.kin"], root=tmp_path)
    rows = [f"E{i},kemenkeu,{50 + i % 50},{i % 7 * 20},true,Sesuai,{i * 10},U1" for i in range(1, 31)]
    data = tmp_path / "data.csv"
    data.write_text("id,agency,realisasi_anggaran,waktu,inovasi,hasil,pagu,unit\n" + "\n".join(rows) + "\n")
    term = Terminal()
    progress = Progress(term, delay=0.0, every=0.0)
    api.score(policies, [data], tmp_path / "out.parquet", chunk=7, progress=progress)
    shown = term.getvalue()
    assert "scoring 0 / 30 rows   0%" in shown and "scoring 30 / 30 rows 100%" in shown


def test_kinerja_eval_writes_no_progress_to_a_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(Progress, "__init__", _instant(Progress.__init__))  # no delay: would show at once
    out = tmp_path / "hasil.csv"
    result = CliRunner().invoke(cli.main, ["eval", "policies/", "examples/instansi-2026.csv", "--policy",
                                           "bsc_instansi", "-o", str(out)])
    assert result.exit_code == 0
    assert "\r" not in result.stderr and "\x1b[K" not in result.stderr
    assert result.stderr.startswith("read 61 row(s)")  # the summary, nothing before it


def _instant(init):  # type: ignore[no-untyped-def]
    def wrapped(self, stream=None, delay=2.0, every=0.2, clock=None):  # type: ignore[no-untyped-def]
        init(self, stream, delay=0.0, every=0.0)
    return wrapped
