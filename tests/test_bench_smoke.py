"""The national benchmark in smoke mode: a few thousand rows through every implementation, all agreeing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_smoke_all_implementations_agree() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "implementations agree" in done.stdout
    for impl in ("kinerja ", "kinerja-cli", "numpy"):
        assert impl in done.stdout
    assert "kinerja / numpy" in done.stdout


def test_bench_policy_is_the_generated_one_and_checks_clean() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    from engine.compiler import check_paths

    assert generate.POLICY.read_text(encoding="utf-8") == generate.policy_text()
    report = check_paths([generate.POLICY])
    assert report.diagnostics == []


def test_bench_generator_is_deterministic() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import generate
    import spec

    a, b = generate.table(500, seed=5), generate.table(500, seed=5)
    assert a.equals(b) and a.num_rows == 500
    assert a.column_names == ["id", "agency", *[i.name for i in spec.INDICATORS]]
    missing = sum(a.column(i.name).null_count for i in spec.INDICATORS) / (500 * len(spec.INDICATORS))
    assert 0.01 < missing < 0.03  # about 2% missing
    assert a.column("id")[0].as_py() == "E0000001"


def test_check_scale_and_startup_scripts_run() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "check_scale.py"), "-n", "5", "--repeat", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "national policy + 5 agencies" in done.stdout
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "startup.py"), "--repeat", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "kinerja eval (300 rows)" in done.stdout and "slowest imports" in done.stdout
    assert "target: under 0.3 s including start-up" in done.stdout and "load average" in done.stdout


def test_analyses_bench_smoke() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "analyses.py"), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("eval", "diff", "benchmark", "compare", "sensitivity", "report"):
        assert name in done.stdout
    assert "diff / eval" in done.stdout


def test_raised_policy_changes_ten_targets() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import analyses
    import generate

    text = generate.policy_text()
    raised = analyses.raised_policy(text)
    before = [line for line in text.splitlines() if "target" in line]
    after = [line for line in raised.splitlines() if "target" in line]
    assert sum(a != b for a, b in zip(before, after)) == 10
    assert "target 110" in raised  # the first target, 100, raised by 10%


def test_openfisca_baseline_without_its_venv_says_how_to_get_it() -> None:
    # OpenFisca lives in a separate virtual environment (bench/README.md); CI has none: the script
    # must say so and stop, before generating or running anything.
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "openfisca_sakip.py"), "-n", "10",
                           "--openfisca-python", "/nonexistent/python"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "bench/README.md" in done.stdout and "OpenFisca baseline" in done.stdout
    assert not (ROOT / "bench" / "data" / "sakip-10.parquet").exists()


def test_explain_all_bench_smoke() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "explain_all.py"), "--smoke"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "national-300.parquet: 300 subjects" in done.stdout and "ms per subject" in done.stdout
    assert "problem" not in done.stdout
