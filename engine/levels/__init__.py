"""Subject levels: units and agencies built from their members (``engine.levels``)."""
