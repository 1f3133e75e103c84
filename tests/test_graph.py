"""Graph stage: plan order, stable ids, parents, cycles, and the three renderings (golden files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine import graph, graph_render, i18n, syntax
from engine import nodes as n
from engine.diagnostics import KinerjaError

GOLDEN = Path(__file__).parent / "golden" / "graph"
UPDATE = os.environ.get("KINERJA_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def plan():
    text = (GOLDEN / "sample.kin").read_text(encoding="utf-8")
    return graph.build(syntax.parse(text, "sample.kin"))


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("suffix, render", [
    ("txt", graph_render.render_text), ("dot", graph_render.render_dot), ("mmd", graph_render.render_mermaid)])
def test_renderings_match_golden(plan, suffix, render, lang):
    """Both languages: around the policy's code (names, labels, `require 50%`), the kinds of node,
    weights, headings and methods in the reader's words."""
    path = GOLDEN / (f"sample.{suffix}" if lang == "en" else f"sample.{lang}.{suffix}")
    with i18n.using(lang):
        actual = render(plan)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_every_dep_comes_before_its_user(plan):
    seen: set[str] = set()
    for step in plan.steps:
        assert set(step.deps) <= seen, step.name
        seen.add(step.name)


def test_order_is_source_order_where_free(plan):
    names = [s.name for s in plan.steps]
    # inputs have no deps and come first, in the order they are declared
    assert names[:4] == ["pagu", "belanja", "inovasi", "perilaku"]
    assert names.index("nilai_kinerja") > names.index("pembelajaran")
    assert names[-3:] == ["predikat", "predikat_akhir", "serapan_band"]


def test_ids_and_parents(plan):
    ids = {s.name: s.id for s in plan.steps}
    assert ids["nilai_kinerja"] == "nilai_kinerja"
    assert ids["keuangan"] == "nilai_kinerja.keuangan"
    assert ids["realisasi_anggaran"] == "nilai_kinerja.keuangan.realisasi_anggaran"
    assert ids["waktu_layanan"] == "nilai_kinerja.pelanggan.layanan.waktu_layanan"
    assert ids["serapan"] == "serapan"
    assert ids["predikat"] == "predikat"
    assert plan.step("ikm").parent == "layanan"
    assert plan.step("layanan").parent == "pelanggan"
    assert plan.step("nilai_kinerja").parent is None
    assert plan.step("serapan").parent is None


def test_kinds_deps_and_quotas(plan):
    assert plan.step("pagu").kind == "input"
    assert plan.step("layanan").kind == "tree"
    assert plan.step("layanan").deps == ("ikm", "waktu_layanan")
    assert plan.step("predikat").deps == ("nilai_kinerja", "inovasi")
    assert plan.step("realisasi_anggaran").deps == ("belanja", "pagu")
    assert [q.name for q in plan.quotas] == ["sebaran"]
    with pytest.raises(KeyError):
        plan.step("sebaran")


def test_declaration_order_does_not_change_the_plan_contents(plan):
    module = plan.module
    shuffled = n.Module(module.path, tuple(reversed(module.items)))
    other = graph.build(shuffled)
    assert {(s.name, s.id, s.deps, s.parent) for s in other.steps} == \
        {(s.name, s.id, s.deps, s.parent) for s in plan.steps}
    seen: set[str] = set()
    for step in other.steps:
        assert set(step.deps) <= seen
        seen.add(step.name)


def test_build_is_deterministic(plan):
    assert graph.build(plan.module) == plan
    assert graph_render.render_dot(graph.build(plan.module)) == graph_render.render_dot(plan)


def test_a_cycle_is_a_diagnostic_not_a_crash():
    text = """policy p version "1"
value a = c + 1
value b = a * 2
value c = b - 1
value d = a
"""
    with pytest.raises(KinerjaError) as info:
        graph.build(syntax.parse(text, "c.kin"))
    (diag,) = info.value.diagnostics
    assert diag.code == "graph.cycle"
    assert "a -> c -> b -> a" in diag.message
    assert (diag.span.file, diag.span.line, diag.span.column) == ("c.kin", 2, 7)


def test_labels_are_quoted_in_dot_and_escaped_in_mermaid():
    text = 'policy p version "1"\ninput x "Nilai \\"awal\\""\nvalue end = x\n'
    plan = graph.build(syntax.parse(text, "q.kin"))
    assert '[label="x\\nNilai \\"awal\\"\\n(input)"' in graph_render.render_dot(plan)
    mermaid = graph_render.render_mermaid(plan)
    assert "#quot;awal#quot;" in mermaid
    assert "n_x --> n_end" in mermaid  # `end` alone is a Mermaid keyword


def test_the_plan_order_is_networkx_lexicographical_topological_sort() -> None:
    """``graph._ordered`` (a heap-based Kahn sort, so a run need not import networkx) gives exactly
    networkx's ``lexicographical_topological_sort`` keyed by declaration order, on every bundled policy."""
    import random

    import networkx as nx

    from engine import api, deps

    plans = list(api.compile_policies([Path(__file__).parent.parent / "policies"]).compilation.plans.values())
    assert len(plans) > 3
    for plan in plans:  # the edges and keys ``graph.build`` sorts (raw(x) split from x)
        decls = [d for d in deps.named(plan.module) if graph._kind(d) is not None]
        reads = deps.order_edges({d.name: d for d in reversed(decls)}, split_raw=True)
        declared = {d.name: k for k, d in reversed(list(enumerate(decls)))}  # first declaration wins
        order = {name: declared.get(name, declared.get(name[4:-1], 0)) for name in reads}
        expected = list(nx.lexicographical_topological_sort(graph._nx_graph(order, reads),
                                                            key=lambda v: (order[v], v)))
        assert graph._ordered(order, reads) == expected
    rng = random.Random(7)  # and on random DAGs, where ties between ready names are frequent
    for _ in range(50):
        names = [f"d{k}" for k in range(30)]
        order = {name: rng.randrange(10) for name in names}  # repeated keys: ties broken by name
        reads = {b: tuple(a for a in names[:i] if rng.random() < 0.1) for i, b in enumerate(names)}
        expected = list(nx.lexicographical_topological_sort(graph._nx_graph(order, reads),
                                                            key=lambda v: (order[v], v)))
        assert graph._ordered(order, reads) == expected


def test_weights_are_written_as_the_reader_writes_numbers():
    text = ('policy p version "1"\nindicator a { score raw }\nindicator b { score raw }\n'
            "scorecard s { a weight 0.5 b weight 1.5 }\n")
    plan = graph.build(syntax.parse(text, "w.kin"))
    with i18n.using("id"):
        tree, dot = graph_render.render_text(plan), graph_render.render_dot(plan)
    assert "├── indikator a  bobot 0,5  [realisasi apa adanya (`score raw`)]" in tree
    assert '"s.b" -> "s" [label="1,5"];' in dot or '"b" -> "s" [label="1,5"];' in dot
    assert "0.5" not in tree and "1.5" not in dot
