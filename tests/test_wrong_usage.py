"""Every command with a corpus of wrong usages: each is answered with a diagnostic (a stable code
and exit 1 or 2), never an internal error (exit 3), and never a traceback.

The answer of each case carrying a code outside the policy families is kept as a golden rendering in
tests/golden/usage/ (regenerate with UPDATE_GOLDEN=1 and read every change); every such code the
engine emits has a case here and a line in the docs' appendix of codes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
BSC = "policies/nasional/bsc-instansi.kin"
SKP = "policies/nasional/skp/kinerja-pegawai-2022.kin"  # no scorecard: a decision table
DATA = "examples/instansi-2026.csv"
PEGAWAI = "examples/pegawai-2026.csv"
P = ("--policy", "bsc_instansi")
SUBMISSIONS = "tests/data/submissions/"
GOLDEN = ROOT / "tests" / "golden" / "usage"
POLICY_FAMILIES = ("syntax", "resolve", "check")

# (id, arguments, exit code, the diagnostic code the answer must carry, or None for click's own usage message).
# {tmp} is a fresh folder holding the files made by `_files`.
CORPUS: list[tuple[str, tuple[str, ...], int, str | None]] = [
    ("check-missing-path", ("check", "no/such.kin"), 2, None),
    ("check-latin1", ("check", "{tmp}/latin1.kin"), 1, "syntax.encoding"),
    ("check-binary", ("check", "{tmp}/binary.kin"), 1, "syntax.encoding"),
    ("fmt-latin1", ("fmt", "--check", "{tmp}/latin1.kin"), 1, "syntax.encoding"),
    ("fmt-broken", ("fmt", "{tmp}/broken.kin"), 1, "syntax.unexpected"),
    ("graph-broken", ("graph", "{tmp}/broken.kin"), 1, "syntax.unexpected"),
    ("graph-agency", ("graph", "policies/instansi/kemenkeu.kin"), 0, None),
    ("eval-txt-output", ("eval", "policies/", DATA, *P, "-o", "{tmp}/out.txt"), 2, "output.unknown-format"),
    ("eval-output-is-folder", ("eval", "policies/", DATA, *P, "-o", "{tmp}/folder.csv"), 2, None),
    ("eval-output-in-a-file", ("eval", "policies/", DATA, *P, "-o", "{tmp}/empty.csv/o.csv"), 2, "io.file"),
    ("eval-ambiguous", ("eval", "policies/", DATA, "-o", "{tmp}/o.csv"), 2, "api.policy-ambiguous"),
    ("eval-unknown-policy", ("eval", "policies/", DATA, "--policy", "bsc", "-o", "{tmp}/o.csv"), 2,
     "api.unknown-policy"),
    ("eval-agency-only", ("eval", "policies/instansi/kemenkeu.kin", DATA, "-o", "{tmp}/o.csv"), 2,
     "api.no-national-policy"),
    ("eval-no-version", ("eval", BSC, DATA, "--as-of", "1990-01-01", "-o", "{tmp}/o.csv"), 2,
     "api.no-version-in-force"),
    ("eval-data-type", ("eval", BSC, "{tmp}/data.doc", "-o", "{tmp}/o.csv"), 2, "data.unknown-format"),
    ("eval-data-empty", ("eval", BSC, "{tmp}/empty.csv", "-o", "{tmp}/o.csv"), 2, "data.no-header"),
    ("eval-data-binary", ("eval", BSC, "{tmp}/binary.xlsx", "-o", "{tmp}/o.csv"), 2, "data.unreadable"),
    ("eval-data-duplicate-column", ("eval", BSC, "{tmp}/twice.csv", "-o", "{tmp}/o.csv"), 2,
     "data.duplicate-column"),
    ("eval-data-bad-json", ("eval", BSC, "{tmp}/bad.json", "-o", "{tmp}/o.csv"), 2, "data.unreadable"),
    ("eval-json-not-rows", ("eval", BSC, "{tmp}/scalar.json", "-o", "{tmp}/o.csv"), 2, "data.not-rows"),
    ("eval-unknown-column", ("eval", BSC, "{tmp}/extra.csv", "-o", "{tmp}/o.csv"), 0, None),
    ("eval-policy-errors", ("eval", "{tmp}/broken.kin", DATA, "-o", "{tmp}/o.csv"), 1, "syntax.unexpected"),
    ("eval-versions-need-period", ("eval", "policies/nasional/sakip/", DATA, "-o", "{tmp}/o.csv"), 2,
     "api.version-ambiguous"),
    ("eval-data-fifo", ("eval", BSC, "{tmp}/pipe.csv", "-o", "{tmp}/o.csv"), 2, "data.not-a-file"),
    ("eval-data-latin1", ("eval", BSC, "{tmp}/latin1.csv", "-o", "{tmp}/o.csv"), 2, "data.encoding"),
    ("eval-data-mixed-decimal", ("eval", BSC, "{tmp}/mixed-decimal.csv", "-o", "{tmp}/o.csv"), 2,
     "data.ambiguous-decimal"),
    ("eval-output-is-the-data", ("eval", BSC, DATA, "-o", "{tmp}/o.csv", "--rejects", DATA), 2, "output.unsafe-path"),
    ("verify-not-a-manifest", ("verify", "{tmp}/scalar.json"), 2, "output.bad-manifest"),
    ("eval-no-sheet", ("eval", BSC, "{tmp}/data.xlsx", "--sheet", "Nope", "-o", "{tmp}/o.csv"), 2, "data.no-sheet"),
    ("eval-mixed-layouts", ("eval", SUBMISSIONS + "policy.kin", SUBMISSIONS + "wide.csv", SUBMISSIONS + "long.csv",
                            "-o", "{tmp}/o.csv"), 2, "data.mixed-layout"),
    ("eval-too-many-rows-for-excel", ("eval", BSC, DATA, "-o", "{tmp}/o.xlsx"), 2, "output.too-many-rows"),
    ("eval-agencies-binary", ("eval", BSC, DATA, "--agencies", "{tmp}/binary.kin", "-o", "{tmp}/o.csv"), 2,
     "data.agencies-encoding"),
    ("explain-unknown-subject", ("explain", BSC, DATA, "--id", "nobody"), 1, "subject.not-scored"),
    ("explain-ambiguous", ("explain", "policies/", DATA, "--id", "kemenkeu"), 2, "api.policy-ambiguous"),
    ("test-bad-yaml", ("test", "{tmp}/tests"), 1, None),
    ("test-junit-folder", ("test", "tests/data/testing/kecil", "--junit", "{tmp}/folder.csv"), 2, None),
    ("test-junit-in-a-file", ("test", "tests/data/testing/kecil", "--junit", "{tmp}/empty.csv/j.xml"), 2, "io.file"),
    ("diff-bad-gate", ("diff", BSC, BSC, "--data", DATA, "--fail-if", "nonsense"), 2, "gate.syntax"),
    ("diff-unknown-metric", ("diff", BSC, BSC, "--data", DATA, "--fail-if", "changed-x>5%"), 2,
     "gate.unknown-metric"),
    ("diff-drop-bands-percent", ("diff", BSC, BSC, "--data", DATA, "--fail-if", "drop-bands>=2%"), 2,
     "gate.drop-bands-percent"),
    ("diff-gate-without-data", ("diff", BSC, BSC, "--fail-if", "changed-rating>5%"), 2, "gate.needs-data"),
    ("diff-output-without-data", ("diff", BSC, BSC, "-o", "{tmp}/changes.csv"), 2, "gate.output-needs-data"),
    ("diff-bad-source", ("diff", "git:nonsense", BSC), 2, "source.bad-spec"),
    ("diff-outside-repository", ("diff", "git:HEAD:../elsewhere.kin", BSC), 2, "source.outside-repository"),
    ("diff-missing-at-revision", ("diff", "git:HEAD:policies/no-such.kin", BSC), 2, "source.not-found"),
    ("diff-missing-source", ("diff", "no/such.kin", BSC), 2, "source.not-found"),
    ("diff-no-scorecard", ("diff", SKP, SKP, "--data", PEGAWAI), 2, "analysis.no-scorecard"),
    ("diff-gate-tripped", ("diff", BSC, "{tmp}/bsc-changed.kin", "--data", DATA, "--fail-if", "changed-score>0%"),
     1, "diff.gate-tripped"),
    ("benchmark-no-scorecard", ("benchmark", SKP, PEGAWAI), 2, "analysis.no-scorecard"),
    ("benchmark-unknown-node", ("benchmark", BSC, DATA, "--node", "nope"), 2, "analysis.unknown-node"),
    ("benchmark-unknown-field", ("benchmark", BSC, DATA, "--node", "nilai_kinerja", "--by", "nope"), 2,
     "analysis.unknown-field"),
    ("compare-one-file", ("compare", BSC, DATA), 2, "analysis.two-periods"),
    ("benchmark-by-without-node", ("benchmark", BSC, DATA, "--by", "peer_group"), 2, "analysis.no-effect"),
    ("compare-no-period-column", ("compare", BSC, DATA, "--by-period"), 2, "analysis.no-period-column"),
    ("compare-unknown-period", ("compare", BSC, "{tmp}/periods.csv", "--by-period", "--periods", "2020,2026"), 2,
     "analysis.unknown-period"),
    ("compare-one-period", ("compare", BSC, DATA, "{tmp}/extra.csv", "--by-period"), 2, "analysis.two-periods"),
    ("compare-unknown-subject", ("compare", BSC, "examples/instansi-2025.csv", DATA, "--id", "nobody"), 1,
     "subject.not-scored"),
    ("sensitivity-no-scorecard", ("sensitivity", SKP, PEGAWAI), 2, "analysis.no-scorecard"),
    ("sensitivity-bad-aggregation", ("sensitivity", BSC, DATA, "--aggregations", "median"), 2,
     "analysis.unknown-choice"),
    ("report-no-scorecard", ("report", SKP, PEGAWAI, "-o", "{tmp}/r.html"), 2, "analysis.no-scorecard"),
    ("report-unknown-subject", ("report", BSC, DATA, "--id", "nobody", "-o", "{tmp}/r.html"), 1,
     "subject.not-scored"),
    ("serve-policy-errors", ("serve", "--policies", "{tmp}/broken.kin", "--data-dir", "{tmp}/svc"), 1,
     "syntax.unexpected"),
    ("serve-bad-database-url", ("serve", "--policies", BSC, "--db", "bogus://nothing"), 2, "service.database-url"),
    ("serve-database-unreachable", ("serve", "--policies", BSC, "--db", "postgresql://nobody@127.0.0.1:1/x"), 2,
     "service.database-unreachable"),
    ("admin-token-create-bad-database", ("admin", "token", "create", "--agency", "x", "--role", "admin", "--db",
                                         "bogus://x"), 2, "service.database-url"),
    ("admin-token-list-bad-database", ("admin", "token", "list", "--db", "bogus://x"), 2, "service.database-url"),
    ("admin-token-revoke-unknown", ("admin", "token", "revoke", "nope", "--data-dir", "{tmp}/svc"), 2,
     "service.unknown-token"),
    ("audit-verify-no-database", ("audit", "verify", "--db", "sqlite:///{tmp}/none.db"), 2, "service.no-database"),
    ("serve-session-key-missing", ("serve", "--policies", BSC, "--data-dir", "{tmp}/svc", "--session-key-file",
                                   "{tmp}/no.key"), 2, "service.session-key-missing"),
    ("serve-session-key-exposed", ("serve", "--policies", BSC, "--data-dir", "{tmp}/svc", "--session-key-file",
                                   "{tmp}/open.key"), 2, "service.session-key-exposed"),
    ("serve-session-key-invalid", ("serve", "--policies", BSC, "--data-dir", "{tmp}/svc", "--session-key-file",
                                   "{tmp}/short.key"), 2, "service.session-key-invalid"),
    ("admin-session-key-rotate-bad-database", ("admin", "session-key", "rotate", "--db", "bogus://x", "--data-dir",
                                               "{tmp}/svc"), 2, "service.database-url"),
    ("doc-policy-errors", ("doc", "{tmp}/broken.kin"), 1, "syntax.unexpected"),
    ("report-output-folder", ("report", BSC, DATA, "-o", "{tmp}/folder.csv"), 2, None),
]


def _files(tmp: Path) -> None:
    (tmp / "latin1.kin").write_bytes("policy a \"Caf\xe9\"\n".encode("latin-1"))
    (tmp / "binary.kin").write_bytes(bytes(range(256)))
    (tmp / "binary.xlsx").write_bytes(bytes(range(256)) * 4)
    (tmp / "broken.kin").write_text("policy a \"A\" version \"1\"\nindicator {\n", encoding="utf-8")
    (tmp / "data.doc").write_text("id\nx\n", encoding="utf-8")
    (tmp / "empty.csv").write_text("", encoding="utf-8")
    (tmp / "twice.csv").write_text("id,agency,id\nx,y,x\n", encoding="utf-8")
    (tmp / "bad.json").write_text("[{\"id\": ", encoding="utf-8")
    (tmp / "scalar.json").write_text("42", encoding="utf-8")
    os.mkfifo(tmp / "pipe.csv")
    (tmp / "latin1.csv").write_bytes("id,agency\nkantor_caf\xe9,x\n".encode("latin-1"))
    (tmp / "mixed-decimal.csv").write_text("id;capaian_iku;ikm\na;87,5;90.25\nb;88,25;91.5\n", encoding="utf-8")
    lines = (ROOT / DATA).read_text(encoding="utf-8").splitlines()
    (tmp / "extra.csv").write_text("\n".join(f"{x},{'z' if k else 'unknown_column'}" for k, x in enumerate(lines))
                                   + "\n", encoding="utf-8")
    (tmp / "folder.csv").mkdir()
    (tmp / "open.key").write_text("ab" * 32 + "\n", encoding="ascii")
    (tmp / "open.key").chmod(0o644)  # readable by others: a session key must not be
    (tmp / "short.key").write_text("xyz\n", encoding="ascii")
    (tmp / "short.key").chmod(0o600)
    (tmp / "tests").mkdir()
    (tmp / "tests" / "x_test.yaml").write_text("policy: [unclosed\n", encoding="utf-8")
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "agency"])
    book.save(tmp / "data.xlsx")
    header, *rows = lines
    (tmp / "periods.csv").write_text("\n".join([header + ",period", *(r + ",2025-12-31" for r in rows),
                                                *(r + ",2026-12-31" for r in rows)]) + "\n", encoding="utf-8")
    bsc = (ROOT / BSC).read_text(encoding="utf-8")
    (tmp / "bsc-changed.kin").write_text(bsc.replace("    target 88.31", "    target 70"), encoding="utf-8")


def _invoke(args: tuple[str, ...], tmp: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, [a.replace("{tmp}", str(tmp)) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case_id, args, exit_code, code", CORPUS, ids=[c[0] for c in CORPUS])
def test_wrong_usage_is_a_diagnostic(case_id: str, args: tuple[str, ...], exit_code: int, code: str | None,
                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("engine.output.XLSX_MAX_ROWS", 10)  # the Excel limit, met without a million rows
    _files(tmp_path)
    got, out, err = _invoke(args, tmp_path)
    assert "internal error" not in err and "Traceback" not in err, err
    assert got == exit_code, err
    if code is None:
        return
    assert f"[{code}]" in err + out, err
    if not code.startswith(POLICY_FAMILIES):
        _compare(err.replace(str(tmp_path), "<tmp>"), GOLDEN / f"{case_id}.txt")


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import click

    out = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        out += _commands(cmd, (*path, name)) if isinstance(cmd, click.Group) else [(*path, name)]
    return out


def test_the_corpus_runs_every_command() -> None:
    run = {tuple(a for a in args[:3] if not a.startswith(("-", "{")) and "/" not in a and "." not in a)
           for _, args, _, _ in CORPUS}
    missing = [c for c in _commands(cli.main) if not any(r[: len(c)] == c for r in run)]
    assert missing == []


def _compare(rendered: str, expected: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(rendered, encoding="utf-8")
    assert rendered == expected.read_text(encoding="utf-8")


def _emitted_codes() -> set[str]:
    """Every diagnostic code outside the policy families written in the engine or the CLI."""
    source = "".join(p.read_text(encoding="utf-8") for d in ("engine", "cli") for p in (ROOT / d).rglob("*.py"))
    families = "|".join(("api", "data", "output", "gate", "source", "analysis", "subject", "diff", "io", "service"))
    return set(re.findall(rf'"((?:{families})\.[a-z]+(?:-[a-z]+)*)"', source))


def test_every_code_has_a_wrong_usage_case_with_a_golden() -> None:
    covered = {c[3] for c in CORPUS}
    # data.not-found: the command line checks that data files exist before the engine sees them;
    # source.git: git missing or failing unexpectedly.
    assert _emitted_codes() - covered == {"data.not-found", "source.git"}
    assert {c[0] for c in CORPUS if c[3] and not c[3].startswith(POLICY_FAMILIES)} == {
        p.stem for p in GOLDEN.glob("*.txt")}


def test_every_code_is_in_the_docs_appendix() -> None:
    appendix = (ROOT / "docs" / "language.md").read_text(encoding="utf-8").split("## Appendix: diagnostic codes")[1]
    missing = [c for c in sorted(_emitted_codes()) if f"`{c.split('.', 1)[1]}`" not in
               appendix.split(f"`{c.split('.')[0]}.*`", 1)[-1].split("\n- ")[0]]
    assert missing == []


def test_data_not_found_from_the_api(tmp_path: Path) -> None:
    from engine import api
    from engine.diagnostics import KinerjaError

    policies = api.compile_policies([ROOT / BSC])
    with pytest.raises(KinerjaError) as info:
        api.evaluate_files(policies, [tmp_path / "gone.csv"])
    assert [d.code for d in info.value.diagnostics] == ["data.not-found"]


def test_an_unknown_column_is_a_warning_in_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(ROOT)
    _files(tmp_path)
    code, _, err = _invoke(("eval", BSC, "{tmp}/extra.csv", "-o", "{tmp}/o.csv"), tmp_path)
    assert code == 0 and "unknown_column" in err
    warnings = json.loads((tmp_path / "o.manifest.json").read_text(encoding="utf-8"))["warnings"]
    # Besides the unknown column, the subjects' agencies have no agency file (engine.provenance).
    assert [(w["file"], w["column"]) for w in warnings if w["column"] != "agency"] == [
        (str(tmp_path / "extra.csv"), "unknown_column")]
