"""A stored submission's texts in the reader's language.

Reject reasons (with their row references and hints), warnings and quota messages are written when
the file is scored, in the uploader's language, and stored with how they were made
(``engine.i18n.records``: message id and values).  Read back, each is written again in the
language of the request; a text without its record (stored before these were kept, or composed
outside the catalogue) is shown as stored.
"""

from __future__ import annotations

from typing import Any

from engine.i18n.records import shown

REJECT_TEXTS = ("row", "reason", "help")


def run_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A run's stored summary with its warnings and quota messages in the language in force."""
    made = summary.get("warning_messages") or []
    if made:
        summary["warnings"] = [shown(record, text) for record, text in zip(made, summary["warnings"], strict=True)]
    for violation in summary.get("quota_violations", []):
        violation["message"] = shown((violation.get("messages") or {}).get("message"), violation["message"])
    return summary


def recorded(rejects: list[dict[str, Any]]) -> bool:
    """Whether these stored rejects kept how their texts were made (every one stored since they are)."""
    return all(r.get("messages") is not None for r in rejects)


def reject(row: dict[str, Any]) -> dict[str, Any]:
    """A stored reject with its row reference, reason and hint in the language in force."""
    made = row.get("messages") or {}
    return {**row, **{name: shown(made.get(name), row[name]) for name in REJECT_TEXTS}}
