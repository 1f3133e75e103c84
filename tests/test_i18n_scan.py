"""No user-facing sentence bypasses the catalogue: a scan of every module of engine/ and cli/ (but a
short, reviewed EXCLUDED list) for literal sentences outside ``_()``/``N_()``/``ngettext()``, with a
small reviewed allowlist; and no module that translates with ``_`` also uses ``_`` as a throwaway
name (which would shadow it)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from engine.doc.render import CSS as DOC_CSS
from engine.report.page import CSS

ROOT = Path(__file__).resolve().parents[1]

# Every module of engine/ and cli/ is scanned, except these, each with the reason.
EXCLUDED = {
    "engine/service/migrations/**/*.py": "database migrations: SQL, table and column names; nothing a person reads",
    "engine/i18n/catalog.py": "the translators' tool (python -m engine.i18n.catalog): its messages are for "
                              "Kinerja's developers, in English like pybabel's, and must work with no catalogue",
}


# Literal strings that look like sentences but are not shown to a person as text of ours, each
# with the reason.  Keyed by (module, literal); keep it short and reviewed.
ALLOWED = {
    ("engine/checks/attributes.py", "better lower within"): "policy-language code quoted in a message",
    ("engine/checks/attributes.py", "better within"): "policy-language code quoted in a message",
    ("engine/data/validate.py", "decimal comma: normalise first"): "internal control flow, never shown",
    ("engine/data/stream.py", "long layout"): "why a file is not streamed: internal, never shown",
    ("engine/data/stream.py", "title rows above the header"): "why a file is not streamed: internal",
    ("engine/data/stream.py", "CSV records span several lines or blank lines"): "why a file is not streamed",
    ("engine/data/stream.py", "a non-finite number"): "TypedFailed: caught, the chunk is read as text",
    ("engine/testing/report.py", "kinerja test"): "the JUnit test-suites name: an identifier",
    ("engine/testing/spec.py", "Value error, "): "pydantic's prefix, removed from messages",
    ("engine/safe_output.py", "policy file"): "a manifest role (JSON); shown through role_text",
    ("engine/safe_output.py", "data file"): "a manifest role (JSON); shown through role_text",
    ("engine/output.py", "result columns differ in length: {}"): "a bug's message (exit 3), not the user's",
    ("engine/output.py", "{}: the result columns changed between chunks"): "a bug of the evaluator (exit 3)",
    ("engine/output.py", "{}: a result column's type changed between chunks ({})"): "a bug of the evaluator (exit 3)",
    ("engine/compiler.py", "the syntax stage runs first"): "an assertion",
    ("engine/compiler.py", "unknown stage {}; stages: {}"): "a programming error (ValueError)",
    ("engine/evaluate/expr.py", "cannot evaluate {}"): "ExprError the checker rules out: a bug if raised (exit 3)",
    ("engine/evaluate/expr.py", "unknown operator {}"): "ExprError the grammar rules out: a bug if raised",
    ("engine/evaluate/expr.py", "unknown function {}"): "ExprError the parser rules out: a bug if raised",
    ("engine/evaluate/expr.py", "line {}: a label is used as a number"): "ExprError the checker rules out",
    ("engine/evaluate/expr.py", "{}() is only meaningful in a quota"): "ExprError the checker rules out",
    ("engine/evaluate/expr.py", "{}() cannot be called here"): "ExprError the checker rules out",
    ("engine/syntax/__init__.py", "module {} has no attribute {}"): "Python's AttributeError for a module",
    ("engine/data/compute.py", "pyarrow has no compute function {}"): "a programming error (AttributeError)",
    ("cli/analysis.py", "Monte Carlo runs for the rank intervals; 0 leaves them out (on a national file each run "
                        "costs about one evaluation)."): "an option's help, given to sensitivity_options: cli.lang",
    ("engine/api.py", "reading and scoring"): "a progress step: cli.progress translates it (PHASES)",
    ("engine/api.py", "checking subject ids"): "a progress step: cli.progress translates it (PHASES)",
    ("engine/explain/arith.py", "cannot read {}"): "the arithmetic reader's error: caught, never shown",
    ("engine/explain/arith.py", "unknown word {}"): "the arithmetic reader's error: caught, never shown",
    ("engine/explain/arith.py", "{} is not a number"): "the arithmetic reader's error: caught, never shown",
    ("engine/i18n/terms.py", "score raw"): "policy-language code: the scoring method as written",
    ("engine/report/page.py", CSS): "the report's style sheet",
    ("engine/doc/render.py", DOC_CSS): "the policy document's style sheet",
    ("engine/fmt/layout.py", "score piecewise"): "policy-language code: the formatter's output",
    ("engine/fmt/values.py", "one of ({})"): "policy-language code: an input's type as written (fmt, diff, graph)",
    ("engine/fmt/levels.py", " missing value {}"): "policy-language code: the formatter's output",
    ("engine/fmt/layout.py", "cannot format {}"): "a TypeError for a node the parser never builds: a bug (exit 3)",
    ("engine/fmt/expr.py", "not an expression: {}"): "a TypeError for a node the parser never builds: a bug",
    ("engine/i18n/__init__.py", "unknown language {}: use one of {}"): "a programming error (ValueError): the CLI "
                                                                         "offers only id and en",
    ("engine/explain/build.py", "weights and aggregation below"): "a Citation.what key: shown through CITED",
    ("engine/explain/render.py", "weights and aggregation below"): "a Citation.what key (CITED maps it to N_)",
    ("engine/service/app.py", "Kinerja submission service"): "the OpenAPI title (docs/openapi.json, for integrators)",
    ("engine/service/db.py", "PRAGMA foreign_keys=OFF"): "SQL",
    ("engine/service/db.py", "PRAGMA foreign_keys=ON"): "SQL",
    ("engine/service/db.py", "PRAGMA foreign_key_check"): "SQL",
    ("engine/service/db.py", "SELECT pg_advisory_xact_lock(:k)"): "SQL",
    ("engine/service/db.py", "SELECT version_num FROM alembic_version"): "SQL",
    ("engine/service/db.py", "a migration left a row whose foreign key has no target"): "a bug's message (exit 3)",
    ("engine/service/explainer.py", "kinerja explainer: %(message)s"): "the operator's log format (logging)",
    ("engine/service/explainer.py", "submission %s: explaining failed; trying again in %s s"):
        "the operator's log, with the traceback: kept English like the server's other logs (uvicorn's)",
    ("engine/service/routes.py", "A repeat of a stored submission (same Idempotency-Key or same bytes as the current "
                                 "revision): nothing new stored"): "an OpenAPI response description",
    ("engine/service/pages.py", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                                "frame-ancestors 'none'"): "an HTTP header (Content-Security-Policy)",
}

SENTENCE = re.compile(r"[A-Za-z]{2,} [a-z]{2,}")
MARKERS = {"_", "N_", "ngettext"}
MARKUP = re.compile(r"<[^>]*>")  # HTML and SVG tags (the report's) are not sentences; their text is scanned


def _excluded() -> set[Path]:
    return {p for pattern in EXCLUDED for p in ROOT.glob(pattern)}


def _files() -> list[Path]:
    """Every .py under engine/ and cli/ but the excluded ones."""
    return sorted(p for folder in ("engine", "cli") for p in (ROOT / folder).rglob("*.py") if p not in _excluded())


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _marked(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS:
            return True
    return False


def _text(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def unmarked_sentences(path: Path) -> list[tuple[int, str]]:
    """Sentence-like literals of ``path`` outside the markers (docstrings, help= and description= texts
    aside: docstrings are for developers, click help is translated where it is shown (``cli.lang``), and
    a description= documents the web API for integrators in docs/openapi.json, a published English file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Constant, ast.JoinedStr)) or isinstance(parents.get(node), ast.JoinedStr):
            continue
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Expr) or (isinstance(parent, ast.keyword) and parent.arg in ("help", "description")):
            continue
        if SENTENCE.search(MARKUP.sub(" ", _text(node))) and not _marked(node, parents):
            found.append((node.lineno, _text(node)))
    return found


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sentence_bypasses_the_catalogue(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    bypass = [f"{rel}:{line}: {text!r}" for line, text in unmarked_sentences(path) if (rel, text) not in ALLOWED]
    assert bypass == []


def test_the_allowlist_has_no_stale_entries() -> None:
    found = {(str(p.relative_to(ROOT)), t) for p in _files() for _line, t in unmarked_sentences(p)}
    assert set(ALLOWED) <= found


@pytest.mark.parametrize("pattern", sorted(EXCLUDED))
def test_each_exclusion_names_modules(pattern: str) -> None:
    assert list(ROOT.glob(pattern)), f"{pattern} matches no module: remove it from EXCLUDED"


def test_the_scan_covers_every_module_but_the_excluded() -> None:
    scanned = {str(p.relative_to(ROOT)) for p in _files()}
    assert {"engine/analysis/benchmark.py", "engine/diagnostic_formats.py", "engine/doc/build.py", "cli/policy.py",
            "engine/diff/structure.py", "engine/batch.py"} <= scanned
    assert "engine/service/routes.py" in scanned
    assert not any(name.startswith("engine/service/migrations/") for name in scanned)


def test_the_scan_catches_a_bypass(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('from engine.i18n import _\nx = f"cannot read {p}"\ny = _("cannot read {p}", p=1)\n'
                      '"""A docstring is fine."""\n', encoding="utf-8")
    assert unmarked_sentences(sample) == [(2, "cannot read {}")]


def _binds_underscore(tree: ast.AST) -> list[int]:
    """Lines where ``_`` is bound inside a function (a loop variable, an unpacking, with/except as)."""
    lines = []
    for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                lines.append(node.lineno)
            if isinstance(node, ast.ExceptHandler) and node.name == "_":
                lines.append(node.lineno)
    return lines


def _translating_modules() -> list[Path]:
    return sorted(p for folder in ("engine", "cli") for p in (ROOT / folder).rglob("*.py")
                  if re.search(r"^from engine\.i18n import .*\b_\b", p.read_text(encoding="utf-8"), re.M))


@pytest.mark.parametrize("path", _translating_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_throwaway_underscore_shadows_the_translator(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # a comprehension's `for _, x in ...` has its own scope in Python 3 and is harmless
    in_comprehension = {n.lineno for c in ast.walk(tree) if isinstance(c, ast.comprehension)
                        for n in ast.walk(c.target) if isinstance(n, ast.Name) and n.id == "_"}
    assert [line for line in _binds_underscore(tree) if line not in in_comprehension] == []


TEMPLATES = ROOT / "engine" / "service" / "templates"
# Template text that is not a sentence of ours: the product's name, a hash's name, a separator.
TEMPLATE_WORDS = {"Kinerja", "SHA-"}  # SHA-256 (its digits are not words)


def template_texts(source: str) -> list[str]:
    """The words a reader sees in a Jinja template outside ``{{ _() }}``: its literal text (tags,
    the style sheet and entities removed) and string constants printed by ``{{ }}`` outside a call."""
    from jinja2 import Environment, nodes

    env = Environment(autoescape=True)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "0", source, flags=re.S)  # Jinja's own syntax
    text = re.sub(r"<style>.*?</style>|<[^>]*>|&\w+;", " ", text, flags=re.S)
    found = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", text) if w not in TEMPLATE_WORDS]
    for output in env.parse(source).find_all(nodes.Output):
        for const in output.find_all(nodes.Const):
            inside_call = any(const in call.find_all(nodes.Const) for call in output.find_all(nodes.Call))
            if isinstance(const.value, str) and re.search(r"[A-Za-z]{2,}", const.value) and not inside_call:
                found.append(const.value)
    return found


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_template_text_bypasses_the_catalogue(path: Path) -> None:
    assert template_texts(path.read_text(encoding="utf-8")) == []


def test_the_template_scan_catches_a_bypass() -> None:
    sample = '<style>p { color: red }</style><h1>Audit log</h1><p>{{ _("Sign in") }} {{ x or "operator" }}</p>&nbsp;'
    assert template_texts(sample) == ["Audit", "log", "operator"]
