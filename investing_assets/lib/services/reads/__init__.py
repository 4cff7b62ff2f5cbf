"""What the read API serves, as plain functions over the warehouse and the hot caches (no web framework here).

Where an asset publishes a hot cache (quotes per asset class, the latest scan, the latest muni scores) the read
is Redis first; a cold or unreachable cache is read from PostgreSQL with the asset's own publisher, and the
cache refilled with it. Everything else is read from PostgreSQL. Every read returns a `Result` whose data is
JSON-ready (dates as ISO text); a symbol, session or key that cannot be served raises `Refused` (malformed:
the caller's mistake) or `NotFound` (well-formed, but nothing is stored for it), each one line naming it.
"""

from investing_assets.lib.services.reads.results import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Label,
    NotFound,
    Refused,
    Result,
    Stores,
    Window,
)

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Label", "NotFound", "Refused", "Result", "Stores", "Window"]
