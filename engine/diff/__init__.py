"""``kinerja diff``: what changed between two policy versions, and what it does to reference data.

    with materialize("git:HEAD~1:policies/") as old, materialize("policies/") as new:
        report = Diff(old.label, new.label, diff_paths(old.path, new.path))
"""

from engine.diff.changes import ChangeWriter, Mover
from engine.diff.gates import METRICS, Gate, parse_gate
from engine.diff.impact import Impact, evaluate_version, impact, impact_on
from engine.diff.render import Diff, render_json, render_markdown, render_text
from engine.diff.sources import Version, materialize, scored_path
from engine.diff.structure import Change, diff_modules, diff_paths

__all__ = ["METRICS", "Change", "ChangeWriter", "Diff", "Gate", "Impact", "Mover",
           "Version", "diff_modules", "diff_paths", "evaluate_version", "impact", "impact_on",
           "materialize", "parse_gate", "render_json", "render_markdown", "render_text", "scored_path"]
