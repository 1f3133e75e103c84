"""Rules on decision tables: arity, cell values, input types, completeness and unique hits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks.attributes import is_boolean
from engine.checks.context import Context
from engine.checks.expressions import calls_of
from engine.diagnostics import Diagnostic, Label, did_you_mean, error

MAX_CASES = 100_000  # beyond this many combinations completeness is not enumerated
MAX_OVERLAPS = 10  # per table: past this the table needs rewriting, not more findings

Key = tuple[str, object]  # ("s", "Baik") | ("b", True) | ("n", Decimal)


def key(cell: n.Node) -> Key | None:
    if isinstance(cell, n.Str):
        return ("s", cell.value)
    if isinstance(cell, n.Bool):
        return ("b", cell.value)
    if isinstance(cell, n.Num):
        return ("n", cell.value)
    return None  # the wildcard


def shown(k: Key) -> str:
    kind, v = k
    if kind == "s":
        return f'"{v}"'
    if kind == "b":
        return "true" if v else "false"
    return format(v, "f") if isinstance(v, Decimal) else str(v)


def domain(ctx: Context, name: str) -> list[Key] | None:
    """The values a table input can take, in declaration order; None if unknown or numeric."""
    d = ctx.decls.get(name)
    if isinstance(d, n.Rating):
        return list(dict.fromkeys(("s", b.label.value) for b in d.bands))
    if isinstance(d, n.Input) and d.type is not None and d.type.name == "category":
        return [("s", o) for o in d.type.options]
    if isinstance(d, (n.Input, n.Indicator, n.Value)) and is_boolean(ctx, n.Ref(name)):  # typed, or a derived yes/no
        return [("b", True), ("b", False)]
    if isinstance(d, n.Table):
        return list(dict.fromkeys(k for r in d.rows if (k := key(r.result)) is not None))
    return None


def _inputs(ctx: Context, t: n.Table) -> list[list[Key] | None]:
    return [domain(ctx, r.name) for r in t.inputs]


def _rows(t: n.Table) -> list[n.Row]:
    return [r for r in t.rows if len(r.cells) == len(t.inputs)]


def table_arity(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        if not t.inputs:
            yield error("check.table-arity", f"table `{t.name}` names no inputs", t.name_span,
                        f"write `table {t.name} (input, ...)`; only an agency's override of a national table "
                        "may leave them out (it changes rows)")
            continue
        for r in t.rows:
            if len(r.cells) != len(t.inputs):
                yield error("check.table-arity", f"this row has {len(r.cells)} cell(s) but table `{t.name}` "
                            f"has {len(t.inputs)} input(s)", r.span,
                            "give one cell per input, in order; `_` matches anything")


def table_input_type(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        for ref in t.inputs:
            d = ctx.decls.get(ref.name)
            if d is not None and domain(ctx, ref.name) is None:
                yield error("check.table-input-type", f"table input `{ref.name}` is a number, not a set of labels",
                            ref.span, f"rate `{ref.name}` with a `rating` and use the rating as the input",
                            [Label(d.name_span, "declared here")])


def table_value(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        doms = _inputs(ctx, t)
        for r in _rows(t):
            for cell, dom, ref in zip(r.cells, doms, t.inputs):
                k = key(cell)
                if k is None or dom is None or k in dom:
                    continue
                hint = did_you_mean(str(k[1]), [str(v) for _, v in dom]) if k[0] == "s" else None
                yield error("check.table-value", f"`{ref.name}` never gives {shown(k)}", cell.span,
                            hint or "use one of: " + ", ".join(shown(v) for v in dom))


def _sound(ctx: Context, t: n.Table) -> bool:
    """Whether every input has a domain and every row fits it; otherwise the table's other
    findings come first and completeness or overlap would only repeat them."""
    doms = _inputs(ctx, t)
    if not t.inputs or any(not d for d in doms):
        return False
    return all(len(r.cells) == len(doms) and all(key(c) is None or key(c) in d for c, d in zip(r.cells, doms))
               for r in t.rows)


def _matches(row: n.Row, case: tuple[Key, ...]) -> bool:
    return all(key(c) is None or key(c) == k for c, k in zip(row.cells, case))


def table_incomplete(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        if not _sound(ctx, t):
            continue
        doms = _inputs(ctx, t)
        total = 1
        for d in doms:
            total *= len(d)
        if total > MAX_CASES:
            continue
        rows = _rows(t)
        missing = [case for case in itertools.product(*doms) if not any(_matches(r, case) for r in rows)]
        if missing:
            first = ", ".join(shown(k) for k in missing[0])
            more = "" if len(missing) == 1 else f" ({len(missing)} of {total} combinations are missing)"
            yield error("check.table-incomplete", f"no row of `{t.name}` matches {first}{more}", t.name_span,
                        f"add a row `{first} -> ...`, or a last catch-all row of `_`")


def _together(a: n.Row, b: n.Row, doms: list[list[Key] | None]) -> tuple[Key | str, ...] | None:
    """A concrete case both rows match, or None."""
    case: list[Key | str] = []
    for x, y, dom in zip(a.cells, b.cells, doms):
        kx, ky = key(x), key(y)
        if kx is not None and ky is not None and kx != ky:
            return None
        pick = kx if kx is not None else ky
        case.append(pick if pick is not None else (dom[0] if dom else "_"))  # any value will do
    return tuple(case)


def table_overlap(ctx: Context) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        if (t.hit is not None and t.hit.value != "unique") or not _sound(ctx, t):
            continue
        doms = _inputs(ctx, t)
        rows = _rows(t)
        found = 0
        for j, b in enumerate(rows):
            earlier = [a for a in rows[:j] if _together(a, b, doms) is not None]
            if not earlier or found >= MAX_OVERLAPS:
                continue
            found += 1
            case = ", ".join(c if isinstance(c, str) else shown(c) for c in _together(earlier[0], b, doms) or ())
            yield error("check.table-overlap", f"this row and an earlier one of `{t.name}` both match {case}",
                        b.span, "under `hit unique` every case must match one row: narrow a row, or write `hit first`",
                        [Label(a.span, "this row matches it too") for a in earlier])


def _calls(ctx: Context) -> Iterator[tuple[n.Call, n.Table]]:
    """Every call of a table as a function, with the table (its first declaration)."""
    for _, call, _ in calls_of(ctx):
        if isinstance(t := ctx.decls.get(call.func), n.Table):
            yield call, t


def table_call(ctx: Context) -> Iterator[Diagnostic]:
    """A table called on other inputs takes one argument per input, each giving values the table knows."""
    for call, t in _calls(ctx):
        params = ", ".join(r.name for r in t.inputs)
        if len(call.args) != len(t.inputs):
            yield error("check.table-call", f"table `{t.name}` takes {len(t.inputs)} input(s) ({params}), "
                        f"this call gives {len(call.args)}", call.span,
                        f"call it as `{t.name}({params})` with one value per input, in order",
                        [Label(t.name_span, "declared here")])
            continue
        for arg, param, dom in zip(call.args, t.inputs, _inputs(ctx, t)):
            got = domain(ctx, arg.name) if isinstance(arg, n.Ref) else None
            extra = [k for k in got or () if dom is not None and k not in dom]
            if extra:
                yield error("check.table-call", f"`{arg.name}` can give {shown(extra[0])}, which input "
                            f"`{param.name}` of table `{t.name}` never gives", arg.span,
                            f"pass a value with the same options as `{param.name}`: "
                            + ", ".join(shown(v) for v in dom or ()), [Label(param.span, "the table's input")])


RULES = (table_arity, table_input_type, table_value, table_incomplete, table_overlap, table_call)
