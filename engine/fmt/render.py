"""Output lines: attaching comments to them and rendering them with indentation and blank lines."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from engine import nodes as n

Pos = tuple[int, int]
INDENT = "    "


@dataclass(eq=False)
class Line:
    """One printed element: a declaration, attribute, band, row, case, leaf...

    ``start``/``end`` locate it in the source (None for a hand-built AST); for a
    line that opens a block, ``end`` is the end of its header only, so a comment
    inside the block is not mistaken for one inside the header.
    """

    text: str
    start: Pos | None = None
    end: Pos | None = None
    body: list[Line] | None = None
    close: Line | None = None
    kind: str = ""  # declaration kind: consecutive one-liners of one kind stay together
    short: bool = False  # a block with one simple element may print as `text { element }`
    spaced: bool = False  # the body holds declarations (an agency): blank lines as at top level
    leading: list[n.Comment] = field(default_factory=list)
    trailing: list[n.Comment] = field(default_factory=list)

    def last_line(self) -> int:
        if self.close is not None and self.close.start is not None:
            return self.close.start[0]
        return self.end[0] if self.end else 0

    def lines(self) -> list[Line]:
        """This line and every line inside it, closing braces included."""
        out = [self]
        for child in self.body or ():
            out += child.lines()
        if self.close is not None:
            out.append(self.close)
        return out


@dataclass
class Source:
    """What the formatter knows of the original layout: which lines hold code or comments."""

    first_col: dict[int, int]  # line -> column of the first code on it
    comments: tuple[n.Comment, ...]

    @classmethod
    def of(cls, module: n.Module) -> Source:
        first: dict[int, int] = {}
        for item in module.items:
            for node in _walk(item):
                spans = [node.span]
                if isinstance(node, n.Decl):
                    spans.append(node.name_span)
                if isinstance(node, n.Rating):
                    spans.append(node.of_span)
                for s in spans:
                    if s.line > 0:
                        for line, col in ((s.line, s.column), (s.end_line, max(1, s.end_column - 1))):
                            first[line] = min(first.get(line, col), col)
        return cls(first, module.comments)

    def blank_between(self, above: int, below: int) -> bool:
        """Whether the author left an empty line strictly between two source lines."""
        if above <= 0 or below <= 0:
            return False
        used = self.first_col.keys() | {c.span.line for c in self.comments}
        return any(line not in used for line in range(above + 1, below))


def attach(lines: list[Line], src: Source) -> list[n.Comment]:
    """Give each comment to the line it trails or precedes; return those after everything."""
    placed = sorted((ln for top in lines for ln in top.lines() if ln.start), key=lambda ln: ln.start or (0, 0))
    starts = [ln.start for ln in placed]
    tail: list[n.Comment] = []
    for c in src.comments:
        pos = (c.span.line, c.span.column)
        i = bisect.bisect_left(starts, pos)
        before = placed[i - 1] if i > 0 else None
        if before is not None and src.first_col.get(pos[0], pos[1]) < pos[1]:
            if before.trailing:  # only one comment fits at the end of a line; older ones go above
                before.leading += before.trailing
            before.trailing = [c]
        elif before is not None and before.end is not None and pos <= before.end:
            before.leading.append(c)  # inside a multi-line element: moves above it
        elif i < len(placed):
            placed[i].leading.append(c)
        else:
            tail.append(c)
    return tail


def render(lines: list[Line], tail: list[n.Comment], src: Source) -> str:
    out: list[str] = []
    _sequence(out, lines, 0, src, declarations=True, after=tail)
    return "".join(s + "\n" for s in out)


def _sequence(out: list[str], items: list[Line], depth: int, src: Source, declarations: bool,
              after: list[n.Comment]) -> None:
    """Emit sibling lines; ``after`` are comments before the closing brace (or the file end)."""
    prev: Line | None = None
    prev_single = False
    last = 0  # source line of the previous emitted chunk
    for item in items:
        body = _item(item, depth, src)
        single = len(body) == 1
        forced = declarations and prev is not None and not (prev_single and single and prev.kind == item.kind)
        chunks: list[tuple[int, int, list[str]]] = [
            (c.span.line, c.span.line, [INDENT * depth + c.text]) for c in item.leading]
        chunks.append(((item.start or (0, 0))[0], item.last_line(), body))
        for k, (first, end, text) in enumerate(chunks):
            if prev is not None or k > 0:
                blank = (forced and k == 0) or src.blank_between(last, first)
                if blank:
                    out.append("")
            out += text
            last = end
        prev, prev_single = item, single
    for k, c in enumerate(after):
        if (prev is not None or k > 0) and src.blank_between(last, c.span.line):
            out.append("")
        out.append(INDENT * depth + c.text)
        last = c.span.line


def _trail(text: str, comments: list[n.Comment]) -> str:
    return text + "".join("  " + c.text for c in comments)


def _item(item: Line, depth: int, src: Source) -> list[str]:
    """The printed lines of one element (its leading comments excluded)."""
    pad = INDENT * depth
    if item.body is None:
        return [pad + _trail(item.text, item.trailing)]
    close = item.close or Line("}")
    if not item.body and not item.trailing and not close.leading:
        return [pad + _trail(item.text + " {}", close.trailing)]
    if _fits_short(item, close):
        return [pad + _trail(f"{item.text} {{ {item.body[0].text} }}", close.trailing)]
    out = [pad + _trail(item.text + " {", item.trailing)]
    _sequence(out, item.body, depth + 1, src, declarations=item.spaced, after=close.leading)
    out.append(pad + _trail("}", close.trailing))
    return out


def _fits_short(item: Line, close: Line) -> bool:
    if not item.short or len(item.body or ()) != 1:
        return False
    child = (item.body or [])[0]
    return (child.body is None and not child.leading and not child.trailing and not item.trailing
            and not close.leading and len(item.text) + len(child.text) < 100)


def _walk(node: n.Node) -> Iterator[n.Node]:
    """Every node under ``node``; not ``Node.walk``, which ``Tree.children`` (a field) shadows."""
    yield node
    for f in fields(node):
        if not f.compare:
            continue
        value = getattr(node, f.name)
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, n.Node):
                yield from _walk(v)
