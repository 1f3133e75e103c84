"""A subject's derivation: ``explain(result, id)`` builds it, ``render`` prints it.

``build`` reads the evaluated columns; ``numbers`` is the display rule that makes
every line redoable by hand and ``arith`` the reader that redoes it; ``rules``
says where each rule value was set; ``render`` prints text, Markdown and JSON.
"""

from engine.explain.build import explain
from engine.explain.model import Explanation, NodeExplanation, Note, Source, as_dict
from engine.explain.render import render

__all__ = ["Explanation", "NodeExplanation", "Note", "Source", "as_dict", "explain", "render"]
