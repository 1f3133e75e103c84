"""The formatter: one canonical layout for a parsed policy, comments kept.

Layout rules (``kinerja fmt``):

* Indentation is 4 spaces; lines end in ``\\n``; lines are never wrapped, so a
  long expression stays on one line.
* Declarations keep the author's order.  A file starts with the header lines
  ``policy id "Label" version "X"``, ``period A .. B`` and ``subject kind``.
  Consecutive declarations are separated by one blank line, except
  consecutive one-line declarations of the same kind (the header lines, one-line
  inputs, values or indicators, constraints) which stay together unless the
  author put a blank line between them.  An agency body follows the same rule,
  with ``peer_group`` first.
* Indicator, input and value blocks hold one attribute per line in the order
  kind, unit, source, owner, range, better, baseline, target, period, deadline,
  type, score, missing, round, ref.  A block with a single one-line attribute and no
  comment inside is written on one line: ``input flag { type boolean }``.  An
  input or value without attributes has no braces; an empty indicator is
  ``indicator x {}``.
* Scorecard nodes put their attributes on the header line, in the order weight,
  aggregate, missing, require, round, ref:
  ``perspective name "Label" weight 25% aggregate geometric {``; references are
  ``name weight 60%``.  A block with nothing inside is ``{}``.
* A benchmark is ``benchmark node by field within field {`` with one
  ``reference "Label" N source "..."`` per line; without references it is
  ``benchmark node {}``.
* A citation ``ref "..."`` ends the line it belongs to: the ``policy`` header, a
  rating, table, quota or agency header (before ``{``), a band, table row,
  piecewise case, quota rule or constraint.
* Rating bands, table rows, piecewise cases and quota rules are one per line.
  Band labels are padded so ``when``/``otherwise`` align; table cells are
  padded per column so the columns (and, for rows of equal length, the arrows)
  align.
* Expressions get the fewest parentheses that keep their tree: precedence
  (loosest first) is if/then/else, or, and, not, comparisons and ``in``,
  ``+ -``, ``* /``, unary minus; binary operators are left-associative, so
  ``a - (b - c)`` keeps its parentheses and ``(a - b) - c`` loses them.
* Numbers keep the author's spelling (``1_000``, ``1e15``, ``70%``, ``-5``);
  a number built without one is written as a plain decimal.  Texts are
  re-quoted, escaping only ``\\`` and ``"``.
* Comments: a comment on its own line stays above the element that follows it
  (declaration, attribute, band, row, case, reference, closing brace); an
  end-of-line comment stays at the end of the element it follows, after two
  spaces.  A comment inside a multi-line element (an expression split over
  lines, a header spread over lines) moves to the line above that element; if
  one element collects several end-of-line comments, all but the last move
  above it.  Comments after the last declaration stay at the end.
* Blank lines: runs collapse to one; a blank line the author put between two
  elements of a block (or between comments) is kept, but never directly after
  ``{`` or before ``}``.

Formatting is idempotent: ``format_text(format_text(x)) == format_text(x)``.
"""

from __future__ import annotations

from engine import nodes as n
from engine import syntax
from engine.diagnostics import KinerjaError, error

__all__ = ["format_module", "format_text"]


def format_module(module: n.Module) -> str:
    """The canonical source text of ``module``, its comments kept."""
    # imported here: the package is also imported for its expression printer (engine.fmt.expr),
    # by runs that never lay out a policy
    from engine.fmt.layout import lay_out
    from engine.fmt.render import Source, attach, render

    lines = [lay_out(item) for item in module.items]
    src = Source.of(module)
    tail = attach(lines, src)
    return render(lines, tail, src)


def format_text(text: str, path: str) -> str:
    """Parse, format and check that the result means the same policy.

    Raises ``KinerjaError`` for a policy that does not parse, and with
    ``fmt.meaning-changed`` if the output would parse differently (a formatter bug).
    """
    module = syntax.parse(text, path)
    out = format_module(module)
    try:
        again = syntax.parse(out, path)
    except KinerjaError:
        again = None
    if again is None or again.items != module.items or _texts(again) != _texts(module):
        span = n.Span(path, 1, 1, 1, 1)
        from engine.i18n import _

        raise KinerjaError([error("fmt.meaning-changed", _("formatting would change what this policy means"), span,
                                  _("this is a formatter bug: please report it with this file; the file is "
                                    "unchanged"))])
    return out


def _texts(module: n.Module) -> list[str]:
    return sorted(c.text for c in module.comments)
