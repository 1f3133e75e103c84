"""``kinerja doc``: a policy rendered as the document an officer signs off (``build``), in
Markdown or self-contained HTML (``render``)."""

from __future__ import annotations

from pathlib import Path

from engine.doc.build import Handbook, handbook
from engine.doc.render import html, markdown
from engine.plan import Plan


def national_of(plan: Plan) -> Plan | None:
    """The national plan an agency ``plan`` extends (``None`` for a national plan)."""
    from engine.compiler import compile_file

    header = plan.header
    if plan.agency_file is None or header is None:
        return None
    return compile_file(Path(header.span.file))


def document(path: str | Path, fmt: str = "md") -> str:
    """The handbook of the policy file ``path`` (national, or agency merged with its national)."""
    from engine.compiler import compile_file

    plan = compile_file(path)
    doc = handbook(plan, national_of(plan))
    return html(doc) if fmt == "html" else markdown(doc)


__all__ = ["Handbook", "document", "handbook", "html", "markdown", "national_of"]
