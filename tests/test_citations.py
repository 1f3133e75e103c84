"""`ref "..."` citations (issue #12, item 6): parsed on every declaration kind, kept by agency
overrides, required by the checker of a policy that cites its instrument, and shown at each step
of an explanation (text, Markdown, JSON) and in the HTML report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import checks, overrides, syntax
from engine import nodes as n
from engine.fmt import format_text

ROOT = Path(__file__).resolve().parents[1]
HEAD = 'policy p "P" version "1" ref "PermenPANRB 8/2021"\nperiod 2026-01-01 .. 2026-12-31\nsubject employee\n'
IND = 'indicator a "A" {{ kind outcome unit "%" source "S" range 0 .. 200 target 100 {score} {ref} }}\n'


def uncited(text: str) -> list[tuple[int, str]]:
    return [(d.span.line, d.message) for d in checks.run(syntax.parse(text, "p.kin")) if d.code == "check.uncited"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


# ------------------------------------------------------------------ syntax


def test_every_declaration_kind_carries_its_citation() -> None:
    m = syntax.parse(Path("tests/fmt/citations.kin").read_text(encoding="utf-8"), "c.kin")
    header, inp, ind, val, card, rating, table, quota, c1, c2 = (i for i in m.items if isinstance(
        i, (n.Header, n.Input, n.Indicator, n.Value, n.Tree, n.Rating, n.Table, n.Quota, n.Constraint)))
    assert header.ref.value == "PermenPANRB 6/2022 pasal 12 ayat (3)"  # type: ignore[union-attr]
    assert (inp.ref.value, ind.ref.value, val.ref.value) == ("SE MenPANRB 3/2023", "pasal 3", "pasal 3a")  # type: ignore
    assert [c.ref.value for c in ind.score.cases] == ["lampiran I", "lampiran II"]  # type: ignore
    group = card.children[0]  # type: ignore[index]
    assert (card.ref.value, group.ref.value, group.children[0].ref.value) == ("pasal 4", "pasal 4a", "pasal 5")  # type: ignore
    assert [rating.ref.value] + [b.ref.value for b in rating.bands] == ["pasal 6", "pasal 7", "pasal 8"]  # type: ignore
    assert [table.ref.value] + [r.ref and r.ref.value for r in table.rows] == ["pasal 9", "pasal 10", None]  # type: ignore
    assert [quota.ref.value] + [r.ref and r.ref.value for r in quota.rules] == [  # type: ignore
        "SE MenPANRB 3/2023 lampiran", "angka 1", None]
    assert (c1.ref.value, c2.ref.value) == ("pasal 11", "pasal 11 ayat (2)")  # type: ignore[union-attr]
    # A citation is part of the policy: the same rule with another citation is another policy.
    assert syntax.parse(HEAD, "x.kin") != syntax.parse(HEAD.replace("8/2021", "6/2022"), "x.kin")


def test_a_citation_must_be_a_quoted_text() -> None:
    with pytest.raises(Exception) as info:
        syntax.parse(HEAD + IND.format(score="", ref="ref pasal_3"), "p.kin")
    assert "syntax." in str(info.value.diagnostics[0].code)  # type: ignore[attr-defined]


def test_the_formatter_keeps_every_citation() -> None:
    text = Path("tests/fmt/citations.kin").read_text(encoding="utf-8")
    out = format_text(text, "c.kin")
    assert syntax.parse(out, "c.kin") == syntax.parse(text, "c.kin")
    # 18 citations and the comment's `ref "..."`, whatever the spacing of the source
    assert len(re.findall(r'\bref\s+"', out)) == len(re.findall(r'\bref\s+"', text)) == 19


# ------------------------------------------------------------------ checker


def test_a_policy_citing_its_instrument_must_cite_each_rule() -> None:
    text = HEAD + IND.format(score="score ratio", ref="") + 'scorecard s { a weight 100% }\n' \
        + 'rating r of s { "Baik" when >= 90\n "Kurang" otherwise }\n'
    assert uncited(text) == [(4, "no citation for the scoring of indicator `a`"),
                             (5, "no citation for the weights of the members of scorecard `s`"),
                             (6, "no citation for rating `r`")]
    # The same file without a citation in its header claims no regulation: nothing to check.
    assert uncited(text.replace(' ref "PermenPANRB 8/2021"', "")) == []


def test_a_citation_covers_what_its_declaration_encloses() -> None:
    ind = IND.format(score="score ratio", ref='ref "lampiran"')
    # The scorecard's citation covers every weight below it, groups included.
    tree = 'scorecard s ref "pasal 4" { group g weight 100% { a weight 100% } }\n'
    assert uncited(HEAD + ind + tree) == []
    # Without it, the node whose weighted members cite nothing is named: here the scorecard (its group
    # `g` is weighted and uncited), not `g` (whose one member cites its own weight).
    tree = 'scorecard s { group g weight 100% { a weight 100% ref "pasal 5" } }\n'
    assert uncited(HEAD + ind + tree) == [(5, "no citation for the weights of the members of scorecard `s`")]
    tree = 'scorecard s { group g weight 100% ref "pasal 4" { a weight 100% } }\n'  # g's citation covers a
    assert uncited(HEAD + ind + tree) == []


def test_every_piece_band_row_or_rule_cited_is_as_good_as_the_declaration() -> None:
    pieces = 'score piecewise {{ when value >= 90 -> 100 ref "i"\n otherwise 50 {} }}'
    assert uncited(HEAD + IND.format(score=pieces.format('ref "ii"'), ref="")) == []
    assert [line for line, _ in uncited(HEAD + IND.format(score=pieces.format(""), ref=""))] == [4]
    table = HEAD + 'input k { type one of ("x", "y") }\ntable t (k) { "x" -> 1 ref "a"\n "y" -> 2 REF }\n'
    assert uncited(table.replace("REF", 'ref "b"')) == []
    assert uncited(table.replace("REF", "")) == [(5, "no citation for table `t`")]
    quota = HEAD + 'input u { type text }\ninput k { type one of ("x", "y") }\n' \
        'quota q by u { require share(k == "x") <= 70% REF }\n'
    assert uncited(quota.replace("REF", 'ref "SE 3/2023"')) == []
    assert uncited(quota.replace("REF", "")) == [(6, "no citation for quota `q`")]


def test_strict_check_fails_on_an_uncited_rule(tmp_path: Path) -> None:
    path = tmp_path / "p.kin"
    path.write_text(HEAD + IND.format(score="", ref=""), encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", "--strict", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4:11: warning[check.uncited]: no citation for the scoring of indicator `a`" in result.stderr
    assert CliRunner().invoke(cli.main, ["check", str(path)]).exit_code == 0  # a warning, not an error


def test_the_bundled_library_is_cited_throughout() -> None:
    result = CliRunner().invoke(cli.main, ["check", "--strict", "policies/"])
    assert result.exit_code == 0 and "0 warning(s)" in result.stderr
    for path in Path("policies").rglob("*.kin"):
        module = syntax.parse(path.read_text(encoding="utf-8"), str(path))
        header = module.first(n.Header)
        assert header is None or header.ref is not None, path  # an agency file has no header


# ------------------------------------------------------------------ overrides


def _merged(agency_body: str) -> n.Module:
    national = syntax.parse(HEAD + IND.format(score="score ratio", ref='ref "pasal 3"')
                            + 'rating r of a ref "pasal 6" { "Baik" when >= 90 ref "pasal 7"\n "Kurang" otherwise }\n',
                            "nasional.kin")
    agency = syntax.parse(f'agency x extends "nasional.kin" {{ {agency_body} }}', "x.kin").first(n.Agency)
    module, diags = overrides.apply(national, agency, "x.kin")  # type: ignore[arg-type]
    assert diags == []
    return module


def test_an_override_keeps_the_national_citation_unless_it_gives_its_own() -> None:
    kept = _merged('indicator a { target 105 } rating r { "Baik" when >= 95 }')
    ind, rating = kept.items[3], kept.items[4]
    assert (ind.ref.value, ind.ref.span.file) == ("pasal 3", "nasional.kin")  # type: ignore[union-attr]
    assert rating.bands[0].ref.value == "pasal 7" and rating.ref.value == "pasal 6"  # type: ignore[union-attr]
    own = _merged('indicator a { target 105 ref "KMK 1/2025" } rating r ref "KMK 2/2025" '
                  '{ "Baik" when >= 95 ref "KMK 3/2025" }')
    ind, rating = own.items[3], own.items[4]
    assert (ind.ref.value, ind.ref.span.file) == ("KMK 1/2025", "x.kin")  # type: ignore[union-attr]
    assert (rating.ref.value, rating.bands[0].ref.value) == ("KMK 2/2025", "KMK 3/2025")  # type: ignore


# ------------------------------------------------------------------ explanations and the report


def _line(path: str, text: str) -> int:
    return next(k for k, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1) if text in line)


def _explain(fmt: str) -> str:
    result = CliRunner().invoke(cli.main, ["explain", "policies/", "examples/instansi-2026.csv", "--policy",
                                           "bsc_instansi", "--id", "kemenkeu", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_each_step_of_an_explanation_shows_its_citation() -> None:
    bsc = "policies/nasional/bsc-instansi.kin"
    scoring = _line(bsc, 'ref "PermenPANRB 8/2021 lampiran (rumus capaian: realisasi / target)"')  # capaian_iku's
    card = _line(bsc, "scorecard nilai_kinerja ")
    band = _line(bsc, "rating predikat_kinerja ")
    text = _explain("text")
    assert text.splitlines()[1].startswith('  cited: policy "Interpretasi template (tidak ada regulasi')
    assert (f'cited: scoring "PermenPANRB 8/2021 lampiran (rumus capaian: realisasi / target)" ({bsc}:{scoring})'
            in text)
    assert 'cited: weights and aggregation below "Interpretasi template (empat perspektif BSC' in text
    assert f"({bsc}:{card})" in text
    assert 'cited: band "Interpretasi template (batas 90 / 80 / 65 / 50' in text
    assert f"({bsc}:{band})" in text
    assert "- cited: scoring" in _explain("markdown")
    doc = json.loads(_explain("json"))
    assert doc["policy_citation"]["at"] == f"{bsc}:{_line(bsc, 'policy bsc_instansi ')}"
    first = doc["nodes"][0]["children"][0]["children"][0]["children"][0]  # hasil.sasaran_strategis.capaian_iku
    assert first["name"] == "capaian_iku"
    assert {"what": "scoring", "ref": "PermenPANRB 8/2021 lampiran (rumus capaian: realisasi / target)",
            "at": f"{bsc}:{scoring}"} in first["citations"]


def test_the_piece_that_applied_cites_the_scoring() -> None:
    from engine import api
    from engine.explain import explain

    policy = HEAD + IND.format(score='score piecewise { when value >= 90 -> 100 ref "lampiran I"\n'
                               ' otherwise 50 }', ref='ref "pasal 3"')
    path = Path("tests/data/citations.kin")
    runs = []
    try:
        path.write_text(policy, encoding="utf-8")
        policies = api.compile_policies([path])
        for value in ("95", "10"):
            data = path.with_suffix(".csv")
            data.write_text(f"id,a\nx,{value}\n", encoding="utf-8")
            runs.append(api.evaluate_files(policies, [data]).result)
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".csv").unlink(missing_ok=True)
    top, rest = (explain(r, "x").nodes[0].citations for r in runs)
    assert [(c.what, c.ref) for c in top] == [("scoring", "lampiran I")]  # 95 >= 90: piece 1, its own citation
    assert [(c.what, c.ref) for c in rest] == [("scoring", "pasal 3")]  # otherwise: the indicator's


def test_the_report_shows_the_citations(tmp_path: Path) -> None:
    out = tmp_path / "k.html"
    result = CliRunner().invoke(cli.main, ["report", "policies/", "examples/instansi-2026.csv", "--policy",
                                           "bsc_instansi", "--id", "kemenkeu", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<p class="ref">Citation: Interpretasi template (tidak ada regulasi yang menetapkannya)' in page
    assert "<th>Citation</th>" in page
    assert "PermenPANRB 8/2021 lampiran (rumus capaian: realisasi / target)" in page
