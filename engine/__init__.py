"""Kinerja: a policy engine for measuring public-sector performance."""

__version__ = "0.1.0"
