"""Outputs are safe: paths checked before scoring, atomic writes, manifests that can be verified."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine.output import ResultStream
from engine.safe_output import atomic, atomic_text

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


def eval_(*args: str) -> tuple[int, str, str]:
    return run("eval", "policies/", *args, "--policy", "bsc_instansi")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_unknown_column_is_a_warning_in_summary_and_manifest(tmp_path: Path) -> None:
    rows = list(csv.reader(EXAMPLE.open()))
    rows[0] = [("capaian_ikuu" if c == "capaian_iku" else c) for c in rows[0]]
    with (tmp_path / "d.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([r + ["catatan"] if i == 0 else r + ["lihat lampiran"] for i, r in enumerate(rows)])
    code, _, err = eval_(str(tmp_path / "d.csv"), "-o", str(tmp_path / "r.csv"))
    assert code == 0, err
    assert "unknown column `capaian_ikuu` is ignored (did you mean `capaian_iku`?)" in err
    assert "unknown column `catatan` is ignored" in err
    manifest = json.loads((tmp_path / "r.manifest.json").read_text())
    warned = {w["column"]: w for w in manifest["warnings"]}
    assert warned["capaian_ikuu"]["help"] == "did you mean `capaian_iku`?" and "catatan" in warned
    assert manifest["reconciles"]


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/r.txt"], "cannot write a `.txt` file"),
    (["-o", "{data}"], "is the data file"),
    (["-o", "{tmp}/r.csv", "--rejects", "{data}"], "is the data file"),
    (["-o", "{tmp}/r.csv", "--manifest", "{tmp}/r.csv"], "cannot write a `.csv` file\n  help: use .json"),
    (["-o", "{tmp}/r.csv", "--rejects", "{tmp}/r.csv"], "are the same file"),
    (["-o", "{tmp}/r.csv", "--manifest", "policies/nasional/bsc-instansi.kin"], "cannot write a `.kin` file"),
    (["-o", "{tmp}/r.csv", "--rejects", "{tmp}/sub/../r.csv"], "are the same file"),
    (["-o", "{tmp}/data.csv/r.csv"], "is a file, not a folder"),
    (["-o", "{tmp}"], "is a directory"),
])
def test_unsafe_output_paths_are_usage_errors_before_scoring(tmp_path: Path, args: list[str], message: str) -> None:
    data = tmp_path / "data.csv"
    shutil.copy(EXAMPLE, data)
    (tmp_path / "sub").mkdir()
    before = data.read_bytes()
    argv = [a.format(tmp=tmp_path, data=data) for a in args]
    code, _, err = eval_(str(data), *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert data.read_bytes() == before  # the submission is untouched
    assert not (tmp_path / "r.csv").exists() and not (tmp_path / "r.manifest.json").exists()


def test_a_hard_link_to_the_data_is_the_data(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    shutil.copy(EXAMPLE, data)
    (tmp_path / "link.csv").hardlink_to(data)
    code, _, err = eval_(str(data), "-o", str(tmp_path / "r.csv"), "--rejects", str(tmp_path / "link.csv"))
    assert code == 2 and "is the data file" in err


def test_verify_accepts_a_complete_set_and_names_a_changed_or_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert eval_(str(EXAMPLE), "-o", str(out))[0] == 0
    manifest = str(tmp_path / "r.manifest.json")
    code, _, err = run("verify", manifest)
    assert code == 0 and "matches its files (61 read, 56 scored, 5 rejected)" in err
    out.write_text(out.read_text() + "extra,row\n")
    (tmp_path / "r.rejects.csv").unlink()
    code, stdout, _ = run("verify", manifest, "--format", "json")
    found = {f["role"]: f["problem"] for f in json.loads(stdout)["findings"]}
    assert code == 1 and found == {"results": "changed since the run (SHA-256 differs)", "rejects": "missing"}
    (tmp_path / "bad.json").write_text("{")
    assert run("verify", str(tmp_path / "bad.json"))[0] == 2


def test_manifest_names_the_explanations_with_their_hash(tmp_path: Path) -> None:
    code, _, err = eval_(str(EXAMPLE), "-o", str(tmp_path / "r.csv"), "--explain-all", str(tmp_path / "x.jsonl"))
    assert code == 0, err
    manifest = json.loads((tmp_path / "r.manifest.json").read_text())
    assert manifest["explanations"]["path"] == str(tmp_path / "x.jsonl")
    assert run("verify", str(tmp_path / "r.manifest.json"))[0] == 0


def test_a_rerun_removes_the_old_manifest_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert eval_(str(EXAMPLE), "-o", str(out))[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")  # refused: the file is empty
    code, _, err = eval_(str(bad), "-o", str(out))
    # The run stopped before writing; the earlier manifest must not vouch for a set this run started to replace.
    assert code == 2 and "Traceback" not in err and not (tmp_path / "r.manifest.json").exists()


def test_atomic_keeps_the_old_file_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_an_aborted_result_stream_leaves_the_previous_results(tmp_path: Path) -> None:
    target = tmp_path / "r.parquet"
    target.write_bytes(b"previous")
    out = ResultStream(target)
    out.write({"a": [1.0, 2.0]})
    out.abort()
    assert target.read_bytes() == b"previous" and len(list(tmp_path.iterdir())) == 1
    with ResultStream(target) as out:
        out.write({"a": [1.0, 2.0]})
    assert target.read_bytes()[:4] == b"PAR1"


@pytest.mark.parametrize("command", [
    ["benchmark", "policies/", "{data}", "--policy", "bsc_instansi", "-o", "{data}"],
    ["sensitivity", "policies/", "{data}", "--policy", "bsc_instansi", "--runs", "2", "-o", "{data}"],
    ["compare", "policies/", "{data}", "{data}", "--policy", "bsc_instansi", "-o", "{data}"],
    ["diff", "policies/nasional/bsc-instansi.kin", "policies/nasional/bsc-instansi.kin", "--data", "{data}",
     "--policy", "bsc_instansi", "-o", "{data}"],
])
def test_analysis_tables_never_overwrite_an_input(tmp_path: Path, command: list[str]) -> None:
    # The analyses' and diff's -o goes through the same check as eval's outputs, before any scoring.
    data = tmp_path / "data.csv"
    shutil.copy(EXAMPLE, data)
    before = data.read_bytes()
    code, _, err = run(*[a.format(data=data) for a in command])
    assert code == 2 and "Traceback" not in err, err
    assert "-o " in err and "is the data file" in err
    assert data.read_bytes() == before


def test_atomic_replacement_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    # A plain open() of an existing file keeps its mode; the renamed copy must too (here owner
    # read/write, group read), while a new file gets the umask's default as open() would give it.
    old = tmp_path / "old.csv"
    old.write_text("a\n", encoding="utf-8")
    old.chmod(0o640)
    atomic_text(old, "b\n")
    assert old.read_text(encoding="utf-8") == "b\n" and old.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    atomic_text(tmp_path / "new.csv", "c\n")
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o666 & ~umask
