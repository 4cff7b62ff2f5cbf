"""Connectors: the outside world as polars frames of the shapes in `lib/core/schemas.py`."""
