"""pyarrow's compute functions as the data layer calls them, without importing ``pyarrow.compute``.

Importing ``pyarrow.compute`` builds a Python wrapper with a scraped docstring for every one of
its ~290 kernels (60-80 ms, a fifth of a small `kinerja eval`).  Here a function is made on
first use from the kernel itself (``pyarrow._compute``): positional arguments past the kernel's
arity and keyword arguments build its options class, exactly as pyarrow's generated wrappers do;
``cast``, ``take`` and ``fill_null`` repeat pyarrow's own few lines.  A plain Python ``str``,
``bool`` or ``float`` argument (``pc.equal(a, "")``) becomes the scalar pyarrow would infer for it
(string, bool, double), given its type: inferring a Python value's type makes pyarrow
try to import pandas and ``dateutil`` each time (a search of the whole import path when they are
not installed, 70 times in a 300-row eval).  Use it as
``from engine.data import compute as pc``: ``pc.equal(a, b)``, ``pc.is_in(a, values)``,
``pc.strftime(ts, format="%Y-%m-%d")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow._compute as _kernels

_PYTHON_KEYWORDS = {"and_": "and", "or_": "or"}
_INFERRED = {str: pa.string(), bool: pa.bool_(), float: pa.float64()}


def __getattr__(name: str) -> Callable[..., Any]:
    """The kernel ``name`` as a function (``and_``/``or_`` for ``and``/``or``), made once."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        kernel = _kernels.get_function(_PYTHON_KEYWORDS.get(name, name))
    except pa.ArrowKeyError:
        raise AttributeError(f"pyarrow has no compute function {name!r}") from None
    options_name = kernel._doc.options_class
    options_class = getattr(_kernels, options_name) if options_name else None
    arity = kernel.arity

    def call(*args: Any, options: Any = None, memory_pool: Any = None, **kwargs: Any) -> Any:
        extra: tuple[Any, ...] = ()
        if arity is not Ellipsis:
            args, extra = args[:arity], args[arity:]
        if extra or kwargs:
            if options_class is None:
                raise TypeError(f"{name} takes {arity} argument(s)")
            options = options_class(*extra, **kwargs)
        elif isinstance(options, dict) and options_class is not None:
            options = options_class(**options)
        return kernel.call([typed(a) for a in args], options, memory_pool)

    call.__name__ = call.__qualname__ = name
    globals()[name] = call
    return call


def typed(value: Any) -> Any:
    """A plain Python scalar as the pyarrow scalar of the type pyarrow infers for it; anything else as is."""
    kind = _INFERRED.get(type(value))
    return value if kind is None else pa.scalar(value, type=kind)


def cast(arr: Any, target_type: Any, safe: bool = True) -> Any:
    """``arr`` as ``target_type`` (a safe cast unless ``safe=False``), as ``pyarrow.compute.cast``."""
    target = pa.types.lib.ensure_type(target_type)
    options = _kernels.CastOptions.safe(target) if safe else _kernels.CastOptions.unsafe(target)
    return _kernels.call_function("cast", [arr], options)


def take(data: Any, indices: Any, *, boundscheck: bool = True) -> Any:
    return _kernels.call_function("take", [data, indices], _kernels.TakeOptions(boundscheck=boundscheck))


def fill_null(values: Any, fill_value: Any) -> Any:
    """Nulls of ``values`` replaced by ``fill_value`` (cast to the values' type), as pyarrow's."""
    if not isinstance(fill_value, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        fill_value = pa.scalar(fill_value, type=values.type)
    elif values.type != fill_value.type:
        fill_value = pa.scalar(fill_value.as_py(), type=values.type)
    return _kernels.call_function("coalesce", [values, fill_value])
