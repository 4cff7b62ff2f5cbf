"""SEC EDGAR bulk files: companyfacts.zip, submissions.zip and company_tickers.json fetched the way SEC asks.

SEC's fair-access policy: every client declares who it is (a User-Agent with a contact e-mail) and sends at most
10 requests per second; a client breaking either is blocked by IP for a while. So the downloader refuses to start
without a contact, and every request (retries included) first waits for `EDGAR_PACING` (at most 8 requests in any
second, under the limit). The archives are large (companyfacts.zip about 1.3 GB, submissions.zip about 1.5 GB),
so they stream to a `.part` file beside the target and a dropped connection resumes with an HTTP Range request
where it stopped (If-Range keeps a resumed file from mixing two versions of the archive). A body is accepted only
at the length the server announced and, for a zip, with a readable central directory; only then is it renamed
into place, so a cut-short archive is never read. Retries go through lib/sources/http.retrying_call (tenacity).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from investing_assets.lib.sources.http import (
    TRANSPORT_ERRORS,
    HttpClient,
    RetryPolicy,
    SourceError,
    TransientError,
    retry_after_seconds,
    retrying_call,
)
from investing_assets.lib.sources.pacing import HistoricalPacer, PacingRules

PROVIDER = "SEC EDGAR"
COMPANYFACTS_URL = "https://www.sec.gov/Archives/edgar/daily-index/xbrl/companyfacts.zip"
SUBMISSIONS_URL = "https://www.sec.gov/Archives/edgar/daily-index/bulkdata/submissions.zip"
TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
USER_AGENT_SETTING = "INVESTING_SEC_USER_AGENT"
# SEC allows 10 requests/s; 8 in any second (sliding window, not a bucket that bursts) stays under it.
EDGAR_PACING = PacingRules(requests_per_window=8, window_seconds=1.0, identical_gap_seconds=0.0,
                           per_contract=8, per_contract_seconds=1.0)
# a multi-GB body over a flaky link may need more than the connectors' 4 tries; each resumes where it stopped
DOWNLOAD_POLICY = RetryPolicy(attempts=8, initial_wait=2.0, max_wait=60.0, read_timeout=120.0)
_CONTACT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_CHUNK = 1 << 16  # what a dropped connection can lose of what it carried (urllib3 drops a partial read)

# The Dagster concurrency pool of the assets that download from EDGAR, and its limit: one download at a time across
# every process (each already stays under SEC's 10 requests/s on its own; two at once would not).
POOL = "sec"
POOL_LIMIT = 1


class MissingContact(SourceError):
    """No User-Agent contact: SEC blocks anonymous clients, so nothing is requested."""


def checked_user_agent(user_agent: str | None) -> str:
    """The User-Agent SEC asks for ("Company Name admin@example.com"), or a one-line refusal naming the setting."""
    text = (user_agent or "").strip()
    if not _CONTACT.search(text):
        raise MissingContact(PROVIDER, None, f"set {USER_AGENT_SETTING} to a name and contact e-mail, e.g. "
                             f"'Example Research ops@example.com' (SEC refuses undeclared clients); got "
                             f"{text or 'nothing'!r}, so nothing was downloaded")
    return text


@dataclass(frozen=True)
class Downloaded:
    path: Path
    bytes: int
    requests: int  # HTTP requests made (the first one and every resume or retry)
    resumed_from: tuple[int, ...]  # the offsets the Range requests resumed from


class PacedSession(requests.Session):
    """A session whose every request (a retry or a resume too) first waits for the pacer and carries the
    declared User-Agent."""

    def __init__(self, user_agent: str, pacer: HistoricalPacer) -> None:
        super().__init__()
        self.pacer = pacer
        self.sent = 0
        self.headers.update({"User-Agent": user_agent, "Accept-Encoding": "identity"})  # Range offsets are the file's

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.pacer.wait((method, url), "sec")
        self.sent += 1
        return super().request(method, url, *args, **kwargs)


class EdgarClient:
    """Paced, identified requests to SEC; `pacer` and `policy` are injected so tests run without real waits."""

    def __init__(self, user_agent: str | None, *, policy: RetryPolicy = DOWNLOAD_POLICY,
                 pacer: HistoricalPacer | None = None) -> None:
        self.user_agent = checked_user_agent(user_agent)
        self.policy = policy
        self.session = PacedSession(self.user_agent, pacer or HistoricalPacer(EDGAR_PACING))

    def get_json(self, url: str) -> Any:
        """A JSON document (company_tickers.json, one submissions body), paced and retried."""
        client = HttpClient(PROVIDER, session=self.session, policy=self.policy,
                            refused_hint="SEC refuses clients without a declared User-Agent contact")
        return client.get_json(url)

    def download(self, url: str, target: Path, *, progress: Callable[[int, int | None], None] | None = None
                 ) -> Downloaded:
        """Stream `url` to `target` (resuming a `.part` left by an earlier try or run); see the module docstring.
        `progress(bytes_so_far, total)` is called per chunk."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        part, state_file = target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")
        state = _read_state(state_file) if part.exists() else {}
        if not state:
            part.unlink(missing_ok=True)
        endpoint = f"GET {url}"
        counters = {"requests": 0}
        resumed: list[int] = []

        def once() -> int:
            offset = part.stat().st_size if part.exists() else 0
            headers = {}
            if offset:
                headers["Range"] = f"bytes={offset}-"
                validator = state.get("etag") or state.get("last_modified")
                if validator:
                    headers["If-Range"] = validator
                resumed.append(offset)
            counters["requests"] += 1
            try:
                resp = self.session.get(url, headers=headers, stream=True,
                                        timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except TRANSPORT_ERRORS as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from None
            with resp:
                total, start = _expected(resp, offset, endpoint)
                if start == 0 and offset:
                    part.unlink(missing_ok=True)  # the server sent the whole (maybe changed) file again
                    offset = 0
                if total is not None and offset == total:
                    return total
                state.update(total=total, etag=resp.headers.get("ETag"),
                             last_modified=resp.headers.get("Last-Modified"))
                state_file.write_text(json.dumps(state))
                written = offset
                try:
                    with part.open("ab") as out:
                        for chunk in resp.iter_content(_CHUNK):
                            out.write(chunk)
                            written += len(chunk)
                            if progress is not None:
                                progress(written, total)
                except TRANSPORT_ERRORS as exc:  # what arrived stays in .part for the next try
                    raise TransientError(f"connection dropped at byte {written:,} of "
                                         f"{_of(total)}: {type(exc).__name__}") from None
            if total is None:
                return written
            if written != total:
                raise TransientError(f"short body: {written:,} of {total:,} bytes announced")
            return written

        size = retrying_call(once, provider=PROVIDER, endpoint=endpoint, policy=self.policy)
        if part.stat().st_size != size:
            raise SourceError(PROVIDER, endpoint, f"{part.name} holds {part.stat().st_size:,} bytes, the server "
                              f"announced {size:,}: refused")
        if target.suffix == ".zip" and not zipfile.is_zipfile(part):
            part.unlink()
            state_file.unlink(missing_ok=True)
            raise SourceError(PROVIDER, endpoint, f"{size:,} bytes arrived but they are not a zip archive "
                              "(an error page?): refused, nothing kept")
        part.replace(target)
        state_file.unlink(missing_ok=True)
        return Downloaded(target, size, counters["requests"], tuple(resumed))


def _expected(resp: requests.Response, offset: int, endpoint: str) -> tuple[int | None, int]:
    """(the whole file's length, the offset this body starts at) from the status and headers."""
    status, said = resp.status_code, f"HTTP {resp.status_code} {resp.reason or ''}".strip()
    if status == 429 or status >= 500:
        raise TransientError(said, status, retry_after_seconds(resp.headers.get("Retry-After")))
    if status == 416:  # nothing after `offset`: complete if the server's length is ours, else start again
        match = re.search(r"/(\d+)", resp.headers.get("Content-Range", ""))
        if match and int(match.group(1)) == offset:
            return offset, offset
        raise TransientError(f"{said}: the file changed since {offset:,} bytes were fetched; starting again")
    if status in (401, 403):
        raise SourceError(PROVIDER, endpoint, f"{said} (SEC blocks undeclared clients and anyone over 10 "
                          "requests/s for a while: check the User-Agent contact)", status=status)
    if status >= 400:
        raise SourceError(PROVIDER, endpoint, said, status=status)
    length = resp.headers.get("Content-Length")
    if status == 206:
        match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != offset:
            raise TransientError(f"{said} with Content-Range {resp.headers.get('Content-Range')!r}, asked from "
                                 f"byte {offset:,}")
        return (int(match.group(3)) if match.group(3) != "*" else None), offset
    return (int(length) if length is not None else None), 0


def _of(total: int | None) -> str:
    return f"{total:,}" if total is not None else "an unannounced length"


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
