"""Kinerja: a policy engine for measuring public-sector performance."""

__version__ = "0.1.0"

# Before any dataclass is defined: their generated methods are compiled once per interpreter build.
from engine import cachedir as _cachedir  # noqa: E402

_cachedir.install()
