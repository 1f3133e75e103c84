"""Property tests of the syntax stage and the formatter (hypothesis).

* random valid ASTs covering every construct: ``parse(format_module(ast)) == ast``
  and formatting is idempotent;
* comments sprinkled over formatted text survive and stay put on a second run;
* mutated valid text and arbitrary text only ever raise ``KinerjaError`` with
  well-formed diagnostics, and whatever still parses formats without tripping
  the meaning guard.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from engine import nodes as n
from engine import syntax
from engine.diagnostics import KinerjaError
from engine.fmt import format_module, format_text

PATH = "gen.kin"
KEYWORDS = set(re.findall(r'"([a-z_]+)"', syntax.grammar_text())) | {"true", "false", "value", "target", "baseline"}

# ------------------------------------------------------------------ atoms

names = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from('"\\ \t'), max_size=6)
labels = st.none() | texts
dates = st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31))


def _plain(i: int, places: int, percent: bool) -> n.Num:
    value = Decimal(i).scaleb(-places)
    return n.Num(value / 100 if percent else value, percent)


def _spelled(text: str) -> n.Num:
    """A literal as the author wrote it, valued the way the parser values it."""
    percent = text.endswith("%")
    value = Decimal(text.rstrip("%").replace("_", ""))
    return n.Num(value / 100 if percent else value, percent, text=text)


unsigned = st.one_of(
    st.builds(_plain, st.integers(0, 10**6), st.integers(0, 4), st.booleans()),
    st.from_regex(r"\d{1,4}(_\d{1,3})?(\.\d{1,3})?([eE][+-]?\d{1,2})?", fullmatch=True).map(_spelled),
    st.from_regex(r"\d{1,3}(_\d{3})?(\.\d{1,2})?%", fullmatch=True).map(_spelled),
)


def _negate(x: n.Num) -> n.Num:
    return n.Num(x.value.copy_negate(), x.percent, text=("-" + x.text) if x.text else "")


signed = unsigned | unsigned.map(_negate)
rounds = st.integers(0, 12).map(lambda i: n.Num(Decimal(i), text=str(i)))

# ------------------------------------------------------------ expressions

ARITY = {f: (lo, hi or 3) for f, (lo, hi) in n.FUNCTIONS.items()}
OPS = ("+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or")
leaves = st.one_of(unsigned, st.builds(n.Str, texts), st.builds(n.Bool, st.booleans()),
                   st.builds(n.Ref, names | st.sampled_from(n.SELF_NAMES)), st.just(n.Absent()))


def _calls(sub: st.SearchStrategy) -> st.SearchStrategy:
    return st.sampled_from(sorted(ARITY)).flatmap(
        lambda f: st.lists(sub, min_size=ARITY[f][0], max_size=ARITY[f][1]).map(lambda a: n.Call(f, tuple(a))))


def _extend(sub: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(n.Unary, st.sampled_from(("-", "not")), sub),
        st.builds(n.Binary, st.sampled_from(OPS), sub, sub),
        _calls(sub),
        st.builds(n.IfElse, sub, sub, sub),
        st.builds(n.InList, sub, st.lists(sub, min_size=1, max_size=3).map(tuple)),
    )


exprs = st.recursive(leaves, _extend, max_leaves=12)
# Operator-only trees over short names: dense in the nestings where parentheses matter.
operator_trees = st.recursive(
    st.sampled_from("abc").map(n.Ref),
    lambda sub: st.one_of(
        st.builds(n.Binary, st.sampled_from(("+", "-", "*", "/", "and", "or")), sub, sub),
        st.builds(n.Binary, st.sampled_from(OPS), sub, sub),
        st.builds(n.Unary, st.sampled_from(("-", "not")), sub),
        st.builds(n.IfElse, sub, sub, sub)),
    max_leaves=5)

# ------------------------------------------------------------ attributes


def opt(s: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | s


def words(choices: tuple[str, ...]) -> st.SearchStrategy:
    return st.sampled_from(choices).map(n.Word)


strs = st.builds(n.Str, texts)
intervals = st.builds(n.Interval, signed, signed)
date_ranges = st.builds(n.DateRange, dates, opt(dates))
betters = st.builds(n.Better, st.sampled_from(("higher", "lower"))) | st.builds(
    n.Better, st.just("within"), signed, signed)
missings = st.builds(n.Missing, st.sampled_from(("exclude", "zero", "baseline", "fail"))) | st.builds(
    n.Missing, st.just("value"), signed)
value_types = st.builds(n.ValueType, st.sampled_from(n.VALUE_TYPES)) | st.builds(
    n.ValueType, st.just("category"), st.lists(texts, min_size=1, max_size=3).map(tuple))
cases = st.builds(n.Case, opt(exprs), exprs)
scorings = st.one_of(
    st.builds(n.Scoring, st.sampled_from(("ratio", "progress", "raw")), cap=opt(signed)),
    st.builds(n.Scoring, st.just("goalposts"), cap=opt(signed), lo=signed, hi=signed),
    st.builds(n.Scoring, st.just("piecewise"), cases=st.lists(cases, min_size=1, max_size=3).map(tuple)),
    st.builds(n.Scoring, st.just("formula"), formula=exprs),
)

indicators = st.builds(
    n.Indicator, names, label=labels, formula=opt(exprs), kind=opt(words(n.KINDS)), unit=opt(strs),
    source=opt(strs), owner=opt(strs), range=opt(intervals), better=opt(betters), baseline=opt(signed),
    target=opt(signed), period=opt(date_ranges), deadline=opt(st.builds(n.DateLit, dates)), score=opt(scorings),
    missing=opt(missings), round=opt(rounds), type=opt(value_types)).flatmap(
    # `target NAME` / `baseline NAME` (per-subject fields) instead of numbers
    lambda i: st.just(i) | st.builds(lambda t, b: replace(i, target=None, target_field=t, baseline=None,
                                                          baseline_field=b),
                                     opt(st.builds(n.Ref, names)), opt(st.builds(n.Ref, names))))
inputs = st.builds(n.Input, names, label=labels, type=opt(value_types), unit=opt(strs), source=opt(strs),
                   owner=opt(strs), range=opt(intervals), missing=opt(missings))
values = st.builds(n.Value, names, label=labels, formula=exprs, unit=opt(strs), range=opt(intervals),
                   missing=opt(missings), round=opt(rounds))

# ------------------------------------------------------------ trees, ratings, tables

node_leaves = st.builds(n.Leaf, names, weight=opt(signed), missing=opt(missings))


def _groups(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        n.Tree, names, level=st.sampled_from(("perspective", "objective", "group")), label=labels,
        weight=opt(signed), aggregate=opt(words(n.AGGREGATIONS)), missing=opt(missings), require=opt(signed),
        round=opt(rounds), children=opt(st.lists(children, max_size=3).map(tuple)))


tree_children = st.recursive(node_leaves, _groups, max_leaves=6)
scorecards = st.builds(
    n.Tree, names, level=st.just("scorecard"), label=labels, weight=st.none(),
    aggregate=opt(words(n.AGGREGATIONS)), missing=opt(missings), require=opt(signed), round=opt(rounds),
    children=st.lists(tree_children, max_size=3).map(tuple))

bounds = st.builds(n.Bound, st.sampled_from((">=", ">", "<=", "<")), signed)
bands = st.builds(n.Band, strs, st.lists(bounds, min_size=1, max_size=2).map(tuple), opt(exprs)) | st.builds(
    n.Band, strs, st.just(()), opt(exprs), st.just(True))
ratings = st.builds(n.Rating, names, label=labels, of=opt(names), round=opt(rounds),
                    bands=st.lists(bands, max_size=4).map(tuple))
cells = st.one_of(strs, signed, st.builds(n.Wildcard), st.builds(n.Bool, st.booleans()))
rows = st.builds(n.Row, st.lists(cells, min_size=1, max_size=3).map(tuple), cells)
tables = st.builds(n.Table, names, label=labels, inputs=st.lists(st.builds(n.Ref, names), min_size=1,
                                                                 max_size=3).map(tuple),
                   hit=opt(words(n.HIT_POLICIES)), rows=st.lists(rows, max_size=4).map(tuple))
quotas = st.builds(n.Quota, names, label=labels, by=st.builds(n.Ref, names),
                   rules=st.lists(st.builds(n.QuotaRule, opt(exprs), exprs), max_size=3).map(tuple))


def _constraint(field: str, target: str, op: str, a: n.Num, b: n.Num) -> n.Constraint:
    if op == "in":
        return n.Constraint(n.Word(field), n.Ref(target), "in", a, b)
    lo = a if op in (">=", ">", "==") else None
    hi = a if op in ("<=", "<", "==") else None
    return n.Constraint(n.Word(field), n.Ref(target), op, lo, hi)


constraints = st.builds(_constraint, st.sampled_from(n.CONSTRAINT_FIELDS), names,
                        st.sampled_from(("in", ">=", ">", "<=", "<", "==")), signed, signed)
overrides = st.one_of(indicators, inputs, values, scorecards, ratings, tables)
agencies = st.builds(n.Agency, names, label=labels, extends=strs, peer_group=opt(names.map(n.Word)),
                     overrides=st.lists(overrides, max_size=3).map(tuple))
headers = st.builds(n.Header, names, label=labels, version=opt(texts))
references = st.builds(n.Reference, strs, signed, opt(strs))
benchmarks = st.builds(n.Benchmark, st.builds(n.Ref, names),
                       by=opt(st.builds(n.Ref, names | st.sampled_from(n.BENCHMARK_BY))),
                       within=opt(st.builds(n.Ref, names | st.sampled_from(n.BENCHMARK_WITHIN))),
                       references=st.lists(references, max_size=3).map(tuple))
items = st.one_of(headers, benchmarks, st.builds(n.PeriodDecl, date_ranges),
                  st.builds(n.SubjectDecl, words(n.SUBJECTS)),
                  indicators, inputs, values, scorecards, ratings, tables, quotas, constraints, agencies)
modules = st.lists(items, max_size=6).map(lambda xs: n.Module(PATH, tuple(xs)))

# ------------------------------------------------------------------ properties


@given(modules)
def test_formatted_ast_parses_back_to_itself(module: n.Module) -> None:
    text = format_module(module)
    assert syntax.parse(text, PATH) == module, text


@given(st.sampled_from(OPS), st.sampled_from(OPS), st.booleans())
def test_nested_operators_round_trip(outer: str, inner: str, right: bool) -> None:
    """Every pair of operators, nested on either side: the parentheses rule in full."""
    a, b, c = n.Ref("a"), n.Ref("b"), n.Ref("c")
    nested = n.Binary(inner, b, c)
    e = n.Binary(outer, a, nested) if right else n.Binary(outer, nested, a)
    module = n.Module(PATH, (n.Value("v", formula=e),))
    assert syntax.parse(format_module(module), PATH) == module


@given(modules)
def test_formatting_is_idempotent(module: n.Module) -> None:
    text = format_module(module)
    assert format_text(text, PATH) == text


@given(exprs | operator_trees)
def test_expressions_round_trip(e: n.Expr) -> None:
    module = n.Module(PATH, (n.Value("v", formula=e),))
    assert syntax.parse(format_module(module), PATH) == module


comment_texts = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=8).map(
    lambda s: ("# " + s).rstrip())


@given(modules, st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), comment_texts), max_size=8))
def test_comments_survive_and_settle(module: n.Module, inserts: list[tuple[int, bool, str]]) -> None:
    lines = format_module(module).split("\n")
    for where, own_line, comment in inserts:
        i = where % len(lines)
        if own_line or not lines[i].strip():
            lines.insert(i, comment)
        else:
            lines[i] += "  " + comment
    text = "\n".join(lines)
    once = format_text(text, PATH)  # checks that every comment is still there
    assert format_text(once, PATH) == once


SEED = (Path(__file__).parent / "fmt" / "every_construct.kin").read_text(encoding="utf-8")
TOKENS = ["{", "}", "(", ")", ",", "..", "->", "%", "-", "=", '"', "#", "_", "1e", "2026-13-40", "value",
          "when", "otherwise", "score", "weight", "perspective", "if", "\n", " ", "é", "\x00", "9" * 30]


def _check_diagnostics(text: str) -> None:
    """Parsing may fail only with well-formed diagnostics; what parses must format cleanly."""
    try:
        syntax.parse(text, PATH)
    except KinerjaError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span.line >= 1 and d.span.column >= 1, d
            assert d.message.strip(), d
        return
    out = format_text(text, PATH)
    assert format_text(out, PATH) == out


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = SEED
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(("delete", "insert", "swap", "token")))
        if action == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        elif action == "insert":
            text = text[:i] + draw(st.text(max_size=3)) + text[i:]
        elif action == "swap" and i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        else:
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
    return text


@given(mutated())
def test_mutated_text_gives_only_diagnostics(text: str) -> None:
    _check_diagnostics(text)


@given(st.text(max_size=60) | st.lists(st.sampled_from(TOKENS + sorted(KEYWORDS)), max_size=20).map(" ".join))
def test_arbitrary_text_gives_only_diagnostics(text: str) -> None:
    _check_diagnostics(text)


@given(modules)
def test_declaration_lines_keep_their_order(module: n.Module) -> None:
    assume(module.items)
    reparsed = syntax.parse(format_module(module), PATH)
    assert [type(i) for i in reparsed.items] == [type(i) for i in module.items]
