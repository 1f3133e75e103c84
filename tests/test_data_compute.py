"""engine.data.compute: pyarrow's kernels called directly, Python scalars given their inferred type."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from typing import Any

import pyarrow as pa
import pyarrow.compute as reference

from engine.data import compute as pc


class Attempts(MetaPathFinder):
    """Records every module the import system is asked to find (and finds none itself)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        self.names.append(name)


def test_python_scalars_give_pyarrows_results_without_an_import_attempt() -> None:
    text = pa.array(["a", "", None, "b"])
    numbers = pa.array([1.5, None, -2.0])
    flags = pa.array([True, False, None])
    cases = [("not_equal", text, ""), ("equal", numbers, 1.5), ("greater", numbers, -3.0),
             ("and_kleene", flags, True), ("or_kleene", flags, False)]
    attempts = Attempts()
    sys.meta_path.insert(0, attempts)
    try:
        ours = [getattr(pc, name)(arr, value) for name, arr, value in cases]
    finally:
        sys.meta_path.remove(attempts)
    # inferring a Python value's type makes pyarrow try to import dateutil each time (not installed here)
    assert [n for n in attempts.names if n.split(".")[0] == "dateutil"] == []
    assert [o.to_pylist() for o in ours] == [getattr(reference, n)(a, v).to_pylist() for n, a, v in cases]
    assert ours[0].to_pylist() == [True, False, None, True]  # "a" != "", "" == "", null, "b" != ""


def test_other_arguments_pass_as_given() -> None:
    assert pc.typed(1) == 1 and pc.typed(None) is None
    assert pc.typed("x").type == pa.string() and pc.typed(True).type == pa.bool_()
    assert pc.typed(0.5).type == pa.float64()
