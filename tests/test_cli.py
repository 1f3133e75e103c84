"""The `kinerja` command line: exit codes, output channels and formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

DATA = Path(__file__).parent / "data" / "cli"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_clean_policy_exits_0() -> None:
    code, out, err = run("check", str(DATA / "clean.kin"))
    assert code == 0 and out == ""
    assert "0 error(s), 0 warning(s)" in err


def test_check_errors_exit_1_with_position_caret_and_hint() -> None:
    code, _, err = run("check", str(DATA / "broken.kin"))
    assert code == 1
    assert "broken.kin:13:5: error[check.unknown-name]" in err
    assert "weights of" in err and "90%" in err  # check.weights-sum says the actual sum
    assert "^" in err and "Traceback" not in err


def test_warnings_pass_unless_strict() -> None:
    assert run("check", str(DATA / "warn.kin"))[0] == 0
    code, _, err = run("check", "--strict", str(DATA / "warn.kin"))
    assert code == 1 and "warning[check.smart-unit]" in err


def test_check_json_carries_the_same_fields() -> None:
    code, out, _ = run("check", "--format", "json", str(DATA / "broken.kin"))
    assert code == 1
    diags = json.loads(out)["diagnostics"]
    first = next(d for d in diags if d["code"] == "check.unknown-name")
    assert (first["line"], first["column"], first["severity"]) == (13, 5, "error")
    assert first["help"] and first["file"].endswith("broken.kin")


def test_usage_errors_exit_2() -> None:
    assert run("check")[0] == 2
    assert run("check", "no/such/file.kin")[0] == 2
    assert run("graph", str(DATA / "clean.kin"), "--format", "png")[0] == 2


def test_internal_error_exits_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.compiler

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.compiler, "check_paths", boom)
    code, _, err = run("check", str(DATA / "clean.kin"))
    assert code == 3 and "internal error: RuntimeError: boom" in err and "Traceback" not in err
    code, _, err = run("check", "--debug", str(DATA / "clean.kin"))
    assert code == 3 and "Traceback" in err


def test_fmt_check_diff_and_write(tmp_path: Path) -> None:
    messy = tmp_path / "messy.kin"
    shutil.copy(DATA / "clean.kin", messy)
    messy.write_text(messy.read_text().replace("    a weight 60%", "  a   weight 60%"))
    code, _, err = run("fmt", "--check", str(messy))
    assert code == 1 and "would reformat" in err
    code, out, _ = run("fmt", "--diff", str(messy))
    assert code == 1 and "-  a   weight 60%" in out and "+    a weight 60%" in out
    assert run("fmt", str(messy))[0] == 0
    assert messy.read_text() == (DATA / "clean.kin").read_text()
    assert run("fmt", "--check", str(messy))[0] == 0


def test_fmt_refuses_a_file_that_does_not_parse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.kin"
    bad.write_text("policy p\nindicator a { taget 1 }\n")
    code, _, err = run("fmt", str(bad))
    assert code == 1 and "did you mean `target`?" in err
    assert bad.read_text() == "policy p\nindicator a { taget 1 }\n"


@pytest.mark.parametrize("fmt, marker", [("text", "nilai"), ("dot", "digraph"), ("mermaid", "flowchart TD")])
def test_graph_formats(fmt: str, marker: str) -> None:
    code, out, _ = run("graph", "--format", fmt, str(DATA / "clean.kin"))
    assert code == 0 and marker in out and "predikat" in out


def test_graph_of_a_broken_policy_exits_1() -> None:
    code, out, err = run("graph", str(DATA / "broken.kin"))
    assert code == 1 and out == "" and "check.unknown-name" in err


# ------------------------------------------------------------------ eval / explain

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "instansi-2026.csv"


def test_eval_example_end_to_end_reconciles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "hasil.csv"
    code, _, err = run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(out))
    assert code == 0
    assert "read 61 row(s): 56 scored, 5 rejected" in err
    manifest = json.loads((tmp_path / "hasil.manifest.json").read_text())
    assert manifest["rows"] == {"read": 61, "scored": 56, "rejected": 5} and manifest["reconciles"]
    assert manifest["policy"]["id"] == "bsc_instansi" and manifest["policy"]["version"] == "2026.1"
    assert all(len(f["sha256"]) == 64 for f in manifest["policy"]["files"] + manifest["data_files"])
    used = [Path(f["path"]) for f in manifest["policy"]["files"]]
    assert {"kemenkeu.kin", "kemenpanrb.kin", "pemprov-jabar.kin", "bsc-instansi.kin"} <= {p.name for p in used}
    # only the national policy evaluated and the agency files extending it, not every file under policies/
    assert all(p.parent.name == "instansi" or p.name == "bsc-instansi.kin" for p in used)
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 56
    rejects = (tmp_path / "hasil.rejects.csv").read_text().splitlines()
    assert len(rejects) == 1 + 5 and any("line 12" in r and "outside the range 25 .. 100" in r for r in rejects)


def test_eval_strict_fails_on_rejects_and_rerun_is_byte_identical(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(a), "--strict")[0] == 1
    assert run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(b))[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_explain_one_subject_and_a_rejected_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run("explain", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "--id", "kemenkeu")
    assert code == 0
    # kemenkeu's own policy sets the IKU target to 105: 87.57 / 105 x 100 = 83.40 (by hand)
    assert "min(max(87.57 / 105 × 100, 0), 120) = 83.4" in out and "instansi-2026.csv" in out
    code, _, err = run("explain", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "--id", "instansi_08")
    assert code == 1 and "rejected at" in err and "line 12" in err
    code, out, _ = run("explain", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "--id", "kemenkeu",
                       "--format", "json")
    assert json.loads(out)["subject_id"] == "kemenkeu"


def test_eval_with_a_broken_policy_exits_1_with_diagnostics(tmp_path: Path) -> None:
    code, _, err = run("eval", str(DATA / "broken.kin"), str(EXAMPLE), "-o", str(tmp_path / "x.csv"))
    assert code == 1 and "check.unknown-name" in err and not (tmp_path / "x.csv").exists()


def test_eval_unreadable_data_file_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    data = tmp_path / "data.docx"
    data.write_text("id,agency\n")
    code, _, err = run("eval", "policies/", str(data), "--policy", "bsc_instansi", "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "unknown file type `.docx`" in err and "Traceback" not in err


def test_eval_fail_on_quota_exits_1_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    policy, data = "policies/nasional/skp/kinerja-pegawai-2022.kin", "examples/pegawai-2026.csv"
    code, _, err = run("eval", policy, data, "-o", str(tmp_path / "a.csv"))
    assert code == 0 and "quota kurva rule 2" in err  # reported, not failed: the example breaks the SE 3/2023 curve
    assert run("eval", policy, data, "-o", str(tmp_path / "b.csv"), "--fail-on-quota")[0] == 1
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()  # the files are still written
    assert run("eval", "policies/", str(EXAMPLE), "--policy", "bsc_instansi", "-o", str(tmp_path / "c.csv"),
               "--fail-on-quota")[0] == 0  # no quota, nothing violated
