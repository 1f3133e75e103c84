"""Rules on decision tables: arity, cell values, input types, completeness and unique hits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from engine import nodes as n
from engine.checks.attributes import is_boolean
from engine.checks.context import CheckContext
from engine.checks.expressions import calls_of
from engine.diagnostics import Diagnostic, Label, did_you_mean, error
from engine.i18n import _

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


def domain(ctx: CheckContext, name: str) -> list[Key] | None:
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


def _inputs(ctx: CheckContext, t: n.Table) -> list[list[Key] | None]:
    return [domain(ctx, r.name) for r in t.inputs]


def _rows(t: n.Table) -> list[n.Row]:
    return [r for r in t.rows if len(r.cells) == len(t.inputs)]


def table_arity(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        if not t.inputs:
            yield error("check.table-arity", _("table `{name}` names no inputs", name=t.name), t.name_span,
                        _("write `table {name} (input, ...)`; only an agency's override of a national table "
                          "may leave them out (it changes rows)", name=t.name))
            continue
        for r in t.rows:
            if len(r.cells) != len(t.inputs):
                yield error("check.table-arity", _("this row has {cells} cell(s) but table `{name}` has {inputs} "
                                                   "input(s)", cells=len(r.cells), name=t.name, inputs=len(t.inputs)),
                            r.span, _("give one cell per input, in order; `_` matches anything"))


def table_input_type(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        for ref in t.inputs:
            d = ctx.decls.get(ref.name)
            if d is not None and domain(ctx, ref.name) is None:
                yield error("check.table-input-type",
                            _("table input `{name}` is a number, not a set of labels", name=ref.name), ref.span,
                            _("rate `{name}` with a `rating` and use the rating as the input", name=ref.name),
                            [Label(d.name_span, _("declared here"))])


def table_value(ctx: CheckContext) -> Iterator[Diagnostic]:
    for t in ctx.of(n.Table):
        doms = _inputs(ctx, t)
        for r in _rows(t):
            for cell, dom, ref in zip(r.cells, doms, t.inputs):
                k = key(cell)
                if k is None or dom is None or k in dom:
                    continue
                hint = did_you_mean(str(k[1]), [str(v) for _kind, v in dom]) if k[0] == "s" else None
                yield error("check.table-value", _("`{name}` never gives {value}", name=ref.name, value=shown(k)),
                            cell.span, hint or _("use one of: {values}", values=", ".join(shown(v) for v in dom)))


def _sound(ctx: CheckContext, t: n.Table) -> bool:
    """Whether every input has a domain and every row fits it; otherwise the table's other
    findings come first and completeness or overlap would only repeat them."""
    doms = _inputs(ctx, t)
    if not t.inputs or any(not d for d in doms):
        return False
    return all(len(r.cells) == len(doms) and all(key(c) is None or key(c) in d for c, d in zip(r.cells, doms))
               for r in t.rows)


def _matches(row: n.Row, case: tuple[Key, ...]) -> bool:
    return all(key(c) is None or key(c) == k for c, k in zip(row.cells, case))


def table_incomplete(ctx: CheckContext) -> Iterator[Diagnostic]:
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
            message = _("no row of `{name}` matches {case}") if len(missing) == 1 else \
                _("no row of `{name}` matches {case} ({missing} of {total} combinations are missing)")
            yield error("check.table-incomplete", message.format(name=t.name, case=first, missing=len(missing),
                                                                 total=total), t.name_span,
                        _("add a row `{case} -> ...`, or a last catch-all row of `_`", case=first))


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


def table_overlap(ctx: CheckContext) -> Iterator[Diagnostic]:
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
            yield error("check.table-overlap",
                        _("this row and an earlier one of `{name}` both match {case}", name=t.name, case=case), b.span,
                        _("under `hit unique` every case must match one row: narrow a row, or write `hit first`"),
                        [Label(a.span, _("this row matches it too")) for a in earlier])


def _calls(ctx: CheckContext) -> Iterator[tuple[n.Call, n.Table]]:
    """Every call of a table as a function, with the table (its first declaration)."""
    for _decl, call, _env in calls_of(ctx):
        if isinstance(t := ctx.decls.get(call.func), n.Table):
            yield call, t


def table_call(ctx: CheckContext) -> Iterator[Diagnostic]:
    """A table called on other inputs takes one argument per input, each giving values the table knows."""
    for call, t in _calls(ctx):
        params = ", ".join(r.name for r in t.inputs)
        if len(call.args) != len(t.inputs):
            yield error("check.table-call", _("table `{name}` takes {inputs} input(s) ({params}), this call gives "
                                              "{given}", name=t.name, inputs=len(t.inputs), params=params,
                                              given=len(call.args)), call.span,
                        _("call it as `{name}({params})` with one value per input, in order", name=t.name,
                          params=params),
                        [Label(t.name_span, _("declared here"))])
            continue
        for arg, param, dom in zip(call.args, t.inputs, _inputs(ctx, t)):
            got = domain(ctx, arg.name) if isinstance(arg, n.Ref) else None
            extra = [k for k in got or () if dom is not None and k not in dom]
            if extra:
                yield error("check.table-call", _("`{name}` can give {value}, which input `{param}` of table "
                                                  "`{table}` never gives", name=arg.name, value=shown(extra[0]),
                                                  param=param.name, table=t.name), arg.span,
                            _("pass a value with the same options as `{param}`: {values}", param=param.name,
                              values=", ".join(shown(v) for v in dom or ())),
                            [Label(param.span, _("the table's input"))])


RULES = (table_arity, table_input_type, table_value, table_incomplete, table_overlap, table_call)
