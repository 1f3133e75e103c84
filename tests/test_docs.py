"""Every ```kin example in the docs is a complete policy that parses (and checks clean)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import syntax
from engine.diagnostics import Diagnostic, KinerjaError

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "docs" / "language.md", ROOT / "README.md")
POLICIES = ROOT / "policies"
MUST_FAIL = ROOT / "tests" / "data" / "must_fail"

# A fence opened by exactly ```kin (not ```kin-fragment) up to the closing ```.
FENCE = re.compile(r"^```kin[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def kin_blocks(path: Path) -> list[tuple[int, str]]:
    """(line of the opening fence, body) of every ```kin block in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


def _examples() -> list[pytest.param]:
    out = []
    for doc in DOCUMENTS:
        if doc.is_file():
            for line, body in kin_blocks(doc):
                # The example behaves as a file next to its document, so an
                # agency example can extend "../policies/...".
                path = str(doc.parent / f"{doc.name}-L{line}.kin")
                out.append(pytest.param(path, body, id=f"{doc.name}:{line}"))
    return out


EXAMPLES = _examples()


def _errors(diags: list[Diagnostic] | tuple[Diagnostic, ...]) -> list[str]:
    return [f"{d.span.line}:{d.span.column} {d.code}: {d.message}" for d in diags if d.is_error]


def _parse(path: str, body: str):
    try:
        return syntax.parse(body, path)
    except KinerjaError as exc:
        pytest.fail("does not parse:\n" + "\n".join(_errors(exc.diagnostics)))


def test_the_reference_has_examples() -> None:
    assert len([e for e in EXAMPLES if "language.md" in e.id]) >= 20


def test_fence_extraction_skips_fragments_and_other_languages(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("```kin\npolicy a\n```\n\n```kin-fragment\nnot a policy\n```\n\n```text\nx\n```\n",
                   encoding="utf-8")
    assert kin_blocks(doc) == [(1, "policy a\n")]


@pytest.mark.parametrize("path, body", EXAMPLES)
def test_example_parses(path: str, body: str) -> None:
    _parse(path, body)


@pytest.mark.parametrize("path, body", EXAMPLES)
def test_example_checks_without_errors(path: str, body: str) -> None:
    checks = pytest.importorskip("engine.checks")
    module = _parse(path, body)
    try:
        diags = checks.run(module)
    except KinerjaError as exc:
        diags = exc.diagnostics
    assert _errors(diags) == []


POLICY_FILES = sorted(POLICIES.rglob("*.kin")) + sorted(MUST_FAIL.rglob("*.kin"))


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_policy_file_parses(path: Path) -> None:
    try:
        syntax.parse_file(path)
    except KinerjaError as exc:
        pytest.fail("does not parse:\n" + "\n".join(_errors(exc.diagnostics)))


def test_national_weights_sum_to_one_hundred_percent() -> None:
    """Hand check of the template's tree: every sibling group is written in % and sums to 100%."""
    from decimal import Decimal

    from engine import nodes as n

    module = syntax.parse_file(POLICIES / "nasional" / "bsc-instansi.kin")
    tree = next(i for i in module.items if isinstance(i, n.Tree))

    def groups(node: n.Tree):
        yield node
        for child in node.children or ():
            if isinstance(child, n.Tree):
                yield from groups(child)

    checked = 0
    for node in groups(tree):
        weights = [c.weight for c in node.children or ()]
        assert all(w is not None and w.percent for w in weights), node.name
        assert sum(w.value for w in weights) == Decimal(1), node.name
        checked += 1
    assert checked == 13  # the scorecard, 4 perspectives and 8 objectives


def test_must_fail_agency_breaks_exactly_the_national_constraints() -> None:
    """The agency file kept under tests/data/must_fail/ is rejected for its three overrides."""
    resolve = pytest.importorskip("engine.resolve")
    project = resolve.resolve([MUST_FAIL], root=ROOT)
    found = sorted((d.code, d.span.line) for d in project.diagnostics if d.is_error)
    # lines of the agency file: target(capaian_iku) 95, weight(hasil) 25%, weight(keuangan) 30%
    assert found == [("resolve.constraint-violated", 14), ("resolve.constraint-violated", 17),
                     ("resolve.constraint-violated", 18)]


def test_agency_policies_resolve_and_check_clean() -> None:
    resolve = pytest.importorskip("engine.resolve")
    checks = pytest.importorskip("engine.checks")
    project = resolve.resolve([POLICIES], root=ROOT)
    assert _errors(project.diagnostics) == []
    assert sorted(project.agencies) == ["bps", "kemenkeu", "kemenpanrb", "pemprov_jabar"]
    for agency in project.agencies.values():
        assert agency.module is not None, agency.name
        assert _errors(checks.run(agency.module)) == [], agency.name
