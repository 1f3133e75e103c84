"""Builds the bad-policy corpus: policy files that once crashed Kinerja or could (issue 11).

`python tests/data/corpus/policies/build.py` rewrites the small files kept here;
`large(folder)` writes the cases too big to keep or that git cannot hold (a 4 MB string
literal, a symlink leaving the policy root), which tests/test_corpus_policies.py builds in a
temporary folder.  expected.yaml holds each case's expected exit code per command, the
diagnostic code and a fragment of its message.
"""

from __future__ import annotations

from pathlib import Path

HEAD = 'policy a "A" version "1"\nperiod 2026-01-01 .. 2026-12-31\nsubject agency\ninput x { }\n'
DATA = "id,agency,x\na,a,2\n"  # the submission `eval` scores with each policy


def small(folder: Path) -> None:
    texts = {
        "deep-sum.kin": HEAD + "value v = " + " + ".join(["x"] * 490) + "\n",
        "deep-unary.kin": HEAD + "value v = " + "-" * 485 + "x\n",
        "deep-if.kin": HEAD + "value v = " + "if x > 1 then " * 485 + "1" + " else 0" * 485 + "\n",
        "deep-max.kin": HEAD + "value v = " + "max(" * 485 + "x" + ", 1)" * 485 + "\n",
        "huge-range-round.kin": HEAD.replace("input x { }", 'indicator x "X" { range 0 .. 1e27 score raw }')
        + 'scorecard s "S" round 2 {\n    x weight 100%\n}\n' + 'rating r "R" of s round 2 {\n    "A" when >= 0\n}\n',
        "extends-nul.kin": 'agency kx "K" extends "a\x00b.kin" {\n}\n',
        "extends-long-name.kin": 'agency kx "K" extends "' + "x" * 5000 + '.kin" {\n}\n',
        "unclosed-string.kin": HEAD + 'value v "Nilai = x\n',
        "empty.kin": "",
        "unknown-function.kin": HEAD + "value v = rata2(x)\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "latin1.kin").write_bytes((HEAD + '# Penilaian kinerja pegawai (café)\n').encode("latin-1"))
    (folder / "binary.kin").write_bytes(bytes(range(256)) * 4)
    (folder / "data.csv").write_text(DATA, encoding="utf-8")


def large(folder: Path) -> None:
    (folder / "long-string.kin").write_text(HEAD + 'input y "' + "a" * (4 << 20) + '" { }\n', encoding="utf-8")
    outside = folder / "outside" / "secret.kin"
    outside.parent.mkdir(exist_ok=True)
    outside.write_text('policy secret "RAHASIA" version "1"\n', encoding="utf-8")
    root = folder / "symlink-outside"
    root.mkdir(exist_ok=True)
    (root / "link.kin").symlink_to(outside)


if __name__ == "__main__":
    small(Path(__file__).parent)
