"""A handbook as Markdown or as one self-contained HTML page (inline CSS; no script, font or
network; every text from the policy escaped)."""

from __future__ import annotations

from html import escape

from engine.doc.build import Handbook, Section
from engine.i18n import language

CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:24px 36px;color:#1d2733;max-width:1100px}
h1{color:#1f3b5c;font-size:24px}h2{color:#1f3b5c;font-size:19px;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 12px}
th,td{padding:4px 8px;border:1px solid #d5dbe3;text-align:left;vertical-align:top}th{background:#eef2f7}
code{background:#f1f3f6;padding:0 3px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px}
dt{font-weight:bold}dd{margin:0}p.note{margin:4px 0;color:#445}
"""


def markdown(doc: Handbook) -> str:
    out = [f"# {_md(doc.title)}", ""]
    out += [f"- **{_md(k)}:** {_md(v)}" for k, v in doc.facts] + [""]
    for s in doc.sections:
        out += [f"{'#' * s.level} {_md(s.title)}", ""]
        out += [f"{_md(note)}  " for note in s.notes] + ([""] if s.notes else [])
        if s.rows:
            head = s.head if any(s.head) else ["", ""]
            out += ["| " + " | ".join(_md(h) for h in head) + " |", "|" + "---|" * len(head)]
            out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in s.rows] + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def html(doc: Handbook) -> str:
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{code_html(v)}</dd>" for k, v in doc.facts)
    body = "".join(_section(s) for s in doc.sections)
    return (f"<!DOCTYPE html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{escape(doc.title)}</h1><dl>{facts}</dl>{body}</body></html>\n")


def _section(s: Section) -> str:
    out = f"<h{s.level}>{code_html(s.title)}</h{s.level}>"
    out += "".join(f'<p class="note">{code_html(note)}</p>' for note in s.notes)
    if s.rows:
        head = "".join(f"<th>{code_html(h)}</th>" for h in s.head) if any(s.head) else ""
        rows = "".join("<tr>" + "".join(f"<td>{code_html(c)}</td>" for c in row) + "</tr>" for row in s.rows)
        out += "<table>" + (f"<thead><tr>{head}</tr></thead>" if head else "") + f"<tbody>{rows}</tbody></table>"
    return out


def code_html(text: str) -> str:
    """Escaped text with `names` shown as code (the backticks of the Markdown form); also the web
    pages' explanation lines (``engine.service.pages``)."""
    parts = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if k % 2 else p for k, p in enumerate(parts))


def _md(text: str) -> str:
    """A cell or line of Markdown: pipes escaped, no line breaks; ``*``, ``_`` and ``<`` kept literal."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in ("*", "_", "<", "[", "]"):
        out = _outside_code(out, ch)
    return out


def _outside_code(text: str, ch: str) -> str:
    parts = text.split("`")
    return "`".join(p if k % 2 else p.replace(ch, "\\" + ch) for k, p in enumerate(parts))
