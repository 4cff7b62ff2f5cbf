"""Recorded bytes served over real HTTP on the loopback, for what an in-process adapter cannot show: a connection
dropped mid-body, a read that times out, a body cut short, a 429 with its Retry-After header.

A `Loopback` plays a script, one step per request (the last one repeats), whatever the path, and keeps the path and
query of every request it answered. It binds 127.0.0.1 on a free port and stops when the `with` block ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from investing_assets_tests.lib.sources._replay import Recorded


@dataclass
class Drop:
    """Headers announcing the whole body, then only its first `keep` bytes, then the connection closes."""

    response: Recorded
    keep: int


@dataclass
class Stall:
    """Nothing for `seconds` (longer than the client's read timeout), then the response."""

    response: Recorded
    seconds: float


Step = Recorded | Drop | Stall


class Served:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) whose GETs call `answer(handler)`; stopped with `close`.
    The one server both the scripted `Loopback` and the SEC range server run on."""

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler], None]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                answer(self)

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Loopback:
    script: list[Step]
    requests: list[str] = field(default_factory=list)  # path?query of each request answered

    def __enter__(self) -> Loopback:
        self._served = Served(self._answer)
        return self

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        self.requests.append(handler.path)
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        response = step if isinstance(step, Recorded) else step.response
        if isinstance(step, Stall):
            time.sleep(step.seconds)
        body = response.body[:step.keep] if isinstance(step, Drop) else response.body
        try:
            handler.send_response(response.status, response.reason or None)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(response.body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first (its timeout)
            pass
        handler.close_connection = True

    def __exit__(self, *exc: object) -> None:
        self._served.close()

    @property
    def url(self) -> str:
        return self._served.url
