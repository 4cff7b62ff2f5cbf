"""The SEC EDGAR downloader over a real loopback HTTP server that honours Range requests as SEC's CDN does."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest

from investing_assets.lib.sources.http import RetryPolicy, SourceError, TransportError
from investing_assets.lib.sources.pacing import HistoricalPacer
from investing_assets.lib.sources.sec_edgar import (
    EDGAR_PACING,
    EdgarClient,
    MissingContact,
    checked_user_agent,
)
from investing_assets_tests.lib.sources._loopback import Served

AGENT = "Investing Assets Tests ops@example.com"
FAST = RetryPolicy(attempts=4, initial_wait=0.0, max_wait=0.0, read_timeout=5.0, sleep=lambda s: None)


def _zip_body(members: int = 200) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(members):
            archive.writestr(f"CIK{i:010d}.json", json.dumps({"cik": i, "facts": {}, "pad": "x" * 2000}))
    return buffer.getvalue()


@dataclass
class RangeServer:
    """Serves `body` at every path. `script`: one mode per request (the last repeats): "ok"; "drop" (announce the
    rest, send `keep` bytes, close); "short" (a complete response of `short_keep` bytes whose Content-Range
    promises the file's end); "ignore-range" (200 with the whole body whatever was asked); "429"."""

    body: bytes
    script: list[str]
    keep: int = 0
    short_keep: int = 1000
    etag: str = '"v1"'
    seen: list[dict[str, str]] = field(default_factory=list)

    def __enter__(self) -> RangeServer:
        self._served = Served(self._answer)
        return self

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        self.seen.append(dict(handler.headers.items()))
        mode = self.script[min(len(self.seen), len(self.script)) - 1]
        body, total = self.body, len(self.body)
        if mode == "429":
            handler.send_response(429)
            handler.send_header("Retry-After", "0")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        asked = handler.headers.get("Range")
        start = int(asked.split("=")[1].rstrip("-")) if asked and mode != "ignore-range" else 0
        if asked and handler.headers.get("If-Range") not in (None, self.etag):
            start = 0
        rest = body[start:]
        sent = rest[:self.keep] if mode == "drop" else rest[:self.short_keep] if mode == "short" else rest
        try:
            handler.send_response(206 if start else 200)
            if start:
                handler.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
            handler.send_header("ETag", self.etag)
            handler.send_header("Content-Length", str(len(sent) if mode == "short" else len(rest)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(sent)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    def __exit__(self, *exc: object) -> None:
        self._served.close()

    @property
    def url(self) -> str:
        return f"{self._served.url}/Archives/edgar/daily-index/xbrl/companyfacts.zip"


def _client() -> EdgarClient:
    return EdgarClient(AGENT, policy=FAST)


@pytest.mark.parametrize("agent", [None, "", "   ", "investing-assets/0.1", "no contact here"])
def test_refuses_to_run_without_a_contact_in_one_line(agent, tmp_path):
    with pytest.raises(MissingContact) as refused:
        EdgarClient(agent)
    message = str(refused.value)
    assert "INVESTING_SEC_USER_AGENT" in message and "\n" not in message
    assert checked_user_agent(f"  {AGENT} ") == AGENT


def test_streams_the_archive_whole_with_the_declared_user_agent(tmp_path):
    body = _zip_body()
    with RangeServer(body, ["ok"]) as server:
        got = _client().download(server.url, tmp_path / "companyfacts.zip")
    assert got.path.read_bytes() == body and got.bytes == len(body)
    assert (got.requests, got.resumed_from) == (1, ())
    assert server.seen[0]["User-Agent"] == AGENT and "Range" not in server.seen[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["companyfacts.zip"]  # no .part left behind


def test_a_dropped_connection_resumes_with_a_range_request_where_it_stopped(tmp_path):
    body = _zip_body()
    keep = len(body) * 2 // 5
    with RangeServer(body, ["drop", "ok"], keep=keep) as server:
        got = _client().download(server.url, tmp_path / "companyfacts.zip")
    assert got.path.read_bytes() == body
    (resumed,) = got.resumed_from  # what arrived, less the read urllib3 was in when the connection dropped
    assert keep - (1 << 16) < resumed <= keep and got.requests == 2
    assert server.seen[1]["Range"] == f"bytes={resumed}-" and server.seen[1]["If-Range"] == '"v1"'


def test_a_part_left_by_an_earlier_run_is_resumed_not_fetched_again(tmp_path):
    body = _zip_body()
    keep = len(body) // 2
    target = tmp_path / "companyfacts.zip"
    with RangeServer(body, ["drop"], keep=keep) as server, pytest.raises(TransportError, match="connection dropped"):
        EdgarClient(AGENT, policy=RetryPolicy(attempts=1, sleep=lambda s: None)).download(server.url, target)
    kept = (tmp_path / "companyfacts.zip.part").stat().st_size
    assert not target.exists() and 0 < kept <= keep
    with RangeServer(body, ["ok"]) as server:
        got = _client().download(server.url, target)
    assert got.path.read_bytes() == body and server.seen[0]["Range"] == f"bytes={kept}-"


def test_a_short_body_is_refused_and_nothing_is_renamed_into_place(tmp_path):
    body = _zip_body()
    target = tmp_path / "companyfacts.zip"
    # after a drop, every resume is a whole HTTP response whose Content-Range promises the file's end but whose
    # body stops 1,000 bytes in
    with RangeServer(body, ["drop", "short"], keep=150_000) as server:
        with pytest.raises(TransportError, match="short body") as refused:
            _client().download(server.url, target)
    assert "\n" not in str(refused.value) and not target.exists()
    assert len(server.seen) == FAST.attempts
    assert (tmp_path / "companyfacts.zip.part").stat().st_size < len(body)  # kept for a later resume


def test_a_connection_that_always_drops_gives_up_naming_the_byte(tmp_path):
    body = _zip_body()
    with RangeServer(body, ["drop"], keep=100) as server, pytest.raises(TransportError, match="connection dropped"):
        _client().download(server.url, tmp_path / "companyfacts.zip")
    assert not (tmp_path / "companyfacts.zip").exists()


def test_a_server_ignoring_the_range_restarts_from_zero_rather_than_appending(tmp_path):
    body = _zip_body()
    with RangeServer(body, ["drop", "ignore-range"], keep=150_000) as server:
        got = _client().download(server.url, tmp_path / "companyfacts.zip")
    assert got.path.read_bytes() == body


def test_a_changed_file_is_fetched_again_whole(tmp_path):
    body = _zip_body()
    with RangeServer(body, ["drop"], keep=150_000) as server, pytest.raises(TransportError):
        EdgarClient(AGENT, policy=RetryPolicy(attempts=1, sleep=lambda s: None)).download(
            server.url, tmp_path / "companyfacts.zip")
    newer = _zip_body(41)
    with RangeServer(newer, ["ok"], etag='"v2"') as server:  # If-Range "v1" no longer matches: a 200, whole
        got = _client().download(server.url, tmp_path / "companyfacts.zip")
    assert got.path.read_bytes() == newer


def test_a_body_that_is_not_a_zip_is_refused(tmp_path):
    with RangeServer(b"<html>Your request has been blocked</html>", ["ok"]) as server, \
            pytest.raises(SourceError, match="not a zip"):
        _client().download(server.url, tmp_path / "companyfacts.zip")
    assert list(tmp_path.iterdir()) == []


def test_429_is_retried_and_every_request_is_paced_under_ten_per_second(tmp_path):
    now = [0.0]
    sends: list[float] = []
    pacer = HistoricalPacer(EDGAR_PACING, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    original = pacer.wait

    def recorded(request, contract):
        slept = original(request, contract)
        sends.append(now[0])
        return slept

    pacer.wait = recorded
    client = EdgarClient(AGENT, policy=FAST, pacer=pacer)
    body = json.dumps({"0": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}}).encode()
    with RangeServer(body, ["429", "ok"]) as server:
        for _ in range(20):
            assert client.get_json(server.url)["0"]["ticker"] == "AAPL"
    assert len(sends) == 21  # the 429 and its retry are paced too
    assert max(sum(1 for t in sends if start <= t < start + 1.0) for start in sends) <= 8
    assert now[0] >= 2.0
