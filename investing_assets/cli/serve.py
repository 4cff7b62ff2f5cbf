"""`investing serve`: the read API (FastAPI under uvicorn) on 127.0.0.1:8000, OpenAPI at /docs."""

from __future__ import annotations

import argparse

from investing_assets.cli.arguments import port
from investing_assets.cli.common import environment, prepare_environment

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="the read API over the warehouse, the hot caches and the Dagster instance "
                                         f"(http://{DEFAULT_HOST}:{DEFAULT_PORT}/docs)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"the address to bind (default {DEFAULT_HOST}: this "
                                                            "machine only)")
    serve.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})")
    serve.add_argument("--access-log", action="store_true", help="log every request (off by default, as `make "
                                                                 "bench` measures the cached endpoints)")
    serve.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    """The servers (yours or embedded) and the schema first, as `make dev` sets them up; then one uvicorn worker."""
    import uvicorn

    from investing_assets.api.app import app_from_settings

    with environment(prepare_environment()):
        app = app_from_settings()
        app.state.bind_host = args.host  # what the chat's launch endpoints check a token against
        uvicorn.run(app, host=args.host, port=args.port, workers=1, access_log=args.access_log,
                    log_level="info", server_header=False)
    return 0
