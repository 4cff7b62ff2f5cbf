"""Serve recorded HTTP responses through a real requests.Session, so the connectors' URL building,
headers, status handling, gzip decoding and parsing all run exactly as they would against the network.

No request ever leaves the machine: `no_network` (imported by the test modules) makes any socket connect to a host
other than the loopback fail loudly, and an adapter asked for a URL it has no recording for raises instead of
guessing.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests
import urllib3
import yaml
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

# Responses recorded by other public projects stay in ../shared/data/fixtures (its README gives provenance);
# a test that needs one skips, naming the file, on a checkout without that folder beside it.
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SHARED_FIXTURES = SHARED / "data" / "fixtures"
FMP_CASSETTES = SHARED_FIXTURES / "fmp_openbb_cassettes"
YAHOO_NODE = SHARED_FIXTURES / "yahoo_finance2_node"
YFINANCE_DATA = SHARED_FIXTURES / "yfinance_tests_data"

# Hop-by-hop / framing headers describe the original connection, not the body we replay.
_DROP_HEADERS = {"transfer-encoding", "content-length", "connection"}


@dataclass
class Recorded:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    reason: str = ""


def json_response(payload: object, status: int = 200, reason: str = "") -> Recorded:
    """A JSON response built in the test (for error shapes no recording has)."""
    return Recorded(status, json.dumps(payload).encode(), {"Content-Type": "application/json"}, reason)


def recorded(path: Path) -> Path:
    """A recorded file, or a skip naming it when ../shared/data/fixtures is not beside the checkout."""
    if not path.is_file():
        pytest.skip(f"recorded response {path.relative_to(SHARED.parent)} is absent: "
                    "../shared/data/fixtures is not beside this checkout")
    return path


def load_vcr(path: Path) -> list[tuple[str, str, Recorded]]:
    """(method, uri, response) of every interaction in a vcrpy cassette; bodies stay gzip bytes."""
    data = yaml.safe_load(recorded(path).read_text())
    out = []
    for interaction in data["interactions"]:
        req, resp = interaction["request"], interaction["response"]
        body = resp["body"]["string"]
        headers = {k: ", ".join(v) if isinstance(v, list) else str(v)
                   for k, v in resp["headers"].items() if k.lower() not in _DROP_HEADERS}
        out.append((req["method"], req["uri"], Recorded(
            resp["status"]["code"], body if isinstance(body, bytes) else body.encode(), headers,
            resp["status"]["message"])))
    return out


def vcr_body(path: Path, index: int = 0) -> object:
    """The decoded JSON body of one vcrpy interaction (for pure parse tests)."""
    import gzip

    recorded = load_vcr(path)[index][2]
    raw = recorded.body
    if recorded.headers.get("Content-Encoding", "").lower() == "gzip":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def load_node(path: Path) -> tuple[str, str, Recorded]:
    """node-yahoo-finance2's cassette format: request{url,method} + response{status,bodyJson}."""
    data = json.loads(recorded(path).read_text())
    resp = data["response"]
    content_type = resp.get("headers", {}).get("content-type", "application/json")
    return (data["request"]["method"], data["request"]["url"],
            Recorded(resp["status"], json.dumps(resp["bodyJson"]).encode(), {"Content-Type": content_type},
                     resp.get("statusText", "")))


def node_body(path: Path) -> dict:
    return json.loads(recorded(path).read_text())["response"]["bodyJson"]


def url_key(url: str, params: Iterable[str] | None = None) -> tuple:
    """Host + path (trailing slash ignored) + query pairs, order-insensitive; `params` keeps only those."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if params is not None:
        keep = set(params)
        query = [(k, v) for k, v in query if k in keep]
    return (parts.scheme, parts.netloc, unquote(parts.path).rstrip("/"), frozenset(query))


def build_response(adapter: BaseAdapter, request: requests.PreparedRequest, rec: Recorded) -> requests.Response:
    raw = urllib3.HTTPResponse(body=io.BytesIO(rec.body), headers=rec.headers, status=rec.status,
                               reason=rec.reason, preload_content=False, decode_content=True)
    resp = requests.Response()
    resp.status_code = rec.status
    resp.headers = CaseInsensitiveDict(rec.headers)
    resp.raw = raw
    resp.reason = rec.reason
    resp.url = request.url or ""
    resp.request = request
    resp.encoding = get_encoding_from_headers(resp.headers)
    resp.connection = adapter
    return resp


class ReplayAdapter(BaseAdapter):
    """Answers each request with the recording whose URL matches (see `url_key`)."""

    def __init__(self, recordings: Iterable[tuple[str, str, Recorded]],
                 key: Callable[[str], tuple] = url_key) -> None:
        super().__init__()
        self._key = key
        self._by_key = {(m.upper(), key(u)): r for m, u, r in recordings}
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.requests.append(request)
        rec = self._by_key.get((request.method, self._key(request.url)))
        if rec is None:
            raise LookupError(f"no recorded response for {request.method} {request.url}")
        return build_response(self, request, rec)

    def close(self) -> None:
        pass


class ScriptedAdapter(BaseAdapter):
    """Plays a script of responses (or exceptions to raise), one per request; the last one repeats."""

    def __init__(self, script: list[Recorded | BaseException]) -> None:
        super().__init__()
        self._script = list(script)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.requests.append(request)
        step = self._script[min(len(self.requests), len(self._script)) - 1]
        if isinstance(step, BaseException):
            raise step
        return build_response(self, request, step)

    def close(self) -> None:
        pass


def session_with(adapter: BaseAdapter) -> requests.Session:
    """A session whose every http(s) request goes to `adapter`, with the connectors' usual headers."""
    from investing_assets.lib.sources.http import new_session

    session = new_session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=False)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket to another host fails the test: recorded data only, served in-process or by
    a server on this machine's loopback (_loopback.py)."""
    connect, create_connection, getaddrinfo = socket.socket.connect, socket.create_connection, socket.getaddrinfo

    def host_of(address) -> str | None:
        return address[0] if isinstance(address, tuple) and address else None

    def refuse(host) -> None:
        if host not in LOOPBACK:
            raise AssertionError(f"test tried to open a network connection to {host!r}")

    def guarded_connect(self, address):
        refuse(host_of(address))
        return connect(self, address)

    def guarded_create_connection(address, *args, **kwargs):
        refuse(host_of(address))
        return create_connection(address, *args, **kwargs)

    def guarded_getaddrinfo(host, *args, **kwargs):
        refuse(host)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
