"""Shared network plumbing for the market-data connectors: one retry policy, one family of errors.

Every provider call goes through `retrying_call` so transient failures (dropped connections, timeouts, bodies cut
short or served as an HTML page, HTTP 429 and 5xx) are retried by tenacity: after the wait a `Retry-After` header
asks for (seconds or an HTTP date) when it is within `RetryPolicy.retry_after_ceiling`, else with exponential
backoff. A vendor asking for a longer wait than the ceiling, or saying its quota is used up, is not retried at all:
trying again sooner cannot succeed and only spends what is left of the quota. The errors, all `SourceError`s whose
text is safe to log (API keys redacted):
- `TransportError`: the retries ran out (or the vendor asked to wait too long); names provider, endpoint, symbol;
- `QuotaExhausted`: the vendor's quota is used up (FMP's "Limit Reach"), raised on the first answer saying so;
- `NoData`: the vendor answered but had nothing for a requested symbol, with the reason where the vendor gives
  one (`UNKNOWN_OR_DELISTED`, `NO_DATA_IN_RANGE`), else `NO_DATA` (the vendor does not say which);
- `PayloadError`: the vendor answered in a shape we do not parse, naming the symbol, so a bad row never slides
  silently into the warehouse.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from investing_assets.lib.core.symbols import TICKER_RULE, is_ticker

__all__ = [
    "DEFAULT_USER_AGENT",
    "NO_DATA",
    "NO_DATA_IN_RANGE",
    "TRANSPORT_ERRORS",
    "UNKNOWN_OR_DELISTED",
    "HttpClient",
    "NoData",
    "PayloadError",
    "QuotaExhausted",
    "RetryPolicy",
    "SourceError",
    "TransientError",
    "TransportError",
    "new_session",
    "redact",
    "retry_after_seconds",
    "retrying_call",
    "validate_symbols",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_USER_AGENT = f"investing-assets/0.1 python-requests/{requests.__version__}"

_SECRET_PARAM = re.compile(r"(?i)\b(apikey|api_key|token|crumb)=([^&\s#'\"]+)")

# Why a vendor had nothing for a symbol, in its own words where it gives them.
UNKNOWN_OR_DELISTED = "unknown or delisted symbol"
NO_DATA_IN_RANGE = "no data in the asked range"
NO_DATA = "no data (the vendor does not say whether the symbol is unknown, delisted or did not trade)"

# requests' failures of the connection or of the body's transfer: worth another try.
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


class SourceError(RuntimeError):
    """A provider could not give us data; the message is safe to log (no API keys)."""

    def __init__(self, provider: str, endpoint: str | None, detail: str, *,
                 status: int | None = None, attempts: int | None = None, symbol: str | None = None) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self.detail = detail
        self.status = status
        self.attempts = attempts
        self.symbol = symbol
        where = f" {endpoint}" if endpoint else ""
        facts = []
        if symbol is not None:
            facts.append(f"symbol {symbol}")
        if status is not None:
            facts.append(f"status {status}")
        if attempts is not None:
            facts.append(f"{attempts} attempt{'s' if attempts != 1 else ''}")
        tail = f" ({', '.join(facts)})" if facts else ""
        super().__init__(f"{provider}{where}: {detail}{tail}")


class TransportError(SourceError):
    """The answer never arrived whole (dropped connection, timeout, truncated or HTML body, 429/5xx) after every
    retry, or the vendor asked to wait longer than the ceiling."""


class QuotaExhausted(SourceError):
    """The vendor says the plan's quota is used up: not retried, it will not come back within a run."""


class NoData(SourceError):
    """The vendor answered but has nothing for a requested symbol; `reason` says why where the vendor does."""

    def __init__(self, provider: str, symbol: str, reason: str, detail: str, *, endpoint: str | None = None,
                 status: int | None = None) -> None:
        self.reason = reason
        super().__init__(provider, endpoint, f"no data for {symbol}: {reason}: {detail}", status=status)
        self.symbol = symbol


class PayloadError(SourceError):
    """The provider answered, but not in the shape we parse: fail rather than guess."""

    def __init__(self, provider: str, symbol: str | None, detail: str) -> None:
        what = f"payload for {symbol}" if symbol else "payload"
        super().__init__(provider, None, f"malformed {what}: {detail}")
        self.symbol = symbol


class TransientError(Exception):
    """Raised inside an attempt to ask for another one (HTTP 429/5xx, dropped connection, a body that is not
    whole); `retry_after` is the wait the vendor asked for, in seconds."""

    def __init__(self, detail: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up; tests pass tiny waits (and a `sleep` that records) so retries cost
    milliseconds."""

    attempts: int = 4
    initial_wait: float = 1.0  # seconds before the 2nd attempt; doubles each time
    max_wait: float = 30.0
    retry_after_ceiling: float = 120.0  # the longest Retry-After waited for; a longer ask is not retried
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")
        if self.retry_after_ceiling < 0:
            raise ValueError("RetryPolicy.retry_after_ceiling must not be negative")


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (delay-seconds or an HTTP date) in seconds from now; None when absent or unreadable."""
    if not value:
        return None
    try:
        return Retry().parse_retry_after(value)
    except InvalidHeader:
        return None


def _asked_wait(state: RetryCallState) -> float | None:
    exc = state.outcome.exception() if state.outcome else None
    return exc.retry_after if isinstance(exc, TransientError) else None


class _WaitRetryAfter(wait_base):
    """What the vendor's Retry-After asks, capped at `ceiling`; without one, the `otherwise` backoff."""

    def __init__(self, otherwise: wait_base, ceiling: float) -> None:
        self.otherwise = otherwise
        self.ceiling = ceiling

    def __call__(self, retry_state: RetryCallState) -> float:
        asked = _asked_wait(retry_state)
        return self.otherwise(retry_state) if asked is None else min(asked, self.ceiling)


class _StopWhenAskedBeyond(stop_base):
    """Stop when the vendor asks to wait longer than `ceiling`: a try before its time only fails again."""

    def __init__(self, ceiling: float) -> None:
        self.ceiling = ceiling

    def __call__(self, retry_state: RetryCallState) -> bool:
        asked = _asked_wait(retry_state)
        return asked is not None and asked > self.ceiling


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Hide API keys in URLs and exception text before they reach logs or error messages."""
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def validate_symbols(symbols: Iterable[str], provider: str) -> list[str]:
    """Refuse user-supplied tickers that are not plain equity symbols before they reach a URL."""
    out = []
    for symbol in symbols:
        if not is_ticker(symbol):
            raise ValueError(f"{provider}: refusing symbol {symbol!r}: a ticker is {TICKER_RULE}")
        out.append(symbol)
    return out


def retrying_call(fn: Callable[[], T], *, provider: str, endpoint: str, policy: RetryPolicy,
                  transient: Callable[[BaseException], bool] = lambda e: isinstance(e, TransientError),
                  secrets: Iterable[str | None] = (), symbol: str | None = None) -> T:
    """Run `fn`, retrying transient failures (see the module docstring), then raise a TransportError."""
    secrets = tuple(secrets)

    def log_retry(state: RetryCallState) -> None:
        # Our own line rather than tenacity's before_sleep_log: exception text can hold a URL with the key.
        exc = state.outcome.exception() if state.outcome else None
        log.warning("%s %s: attempt %d/%d failed (%s); retrying in %.2fs", provider, endpoint,
                    state.attempt_number, policy.attempts, redact(_describe(exc), secrets),
                    state.next_action.sleep if state.next_action else 0.0)

    ceiling = policy.retry_after_ceiling
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts) | _StopWhenAskedBeyond(ceiling),
        wait=_WaitRetryAfter(wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait), ceiling),
        retry=retry_if_exception(transient),
        before_sleep=log_retry,
        sleep=policy.sleep,
        reraise=True,
    )
    try:
        return retrying(fn)
    except SourceError:
        raise
    except Exception as exc:
        if not transient(exc):
            raise
        attempts = retrying.statistics.get("attempt_number", policy.attempts)
        detail = f"gave up: {_describe(exc)}"
        asked = exc.retry_after if isinstance(exc, TransientError) else None
        if asked is not None and asked > ceiling:
            detail += (f"; the vendor asks to retry after {asked:g} s, longer than the {ceiling:g} s ceiling "
                       "(RetryPolicy.retry_after_ceiling), so it was not retried")
        status = getattr(exc, "status", None)
        # `from None`: the chained exception text (e.g. urllib3's) may still carry the API key.
        raise TransportError(provider, endpoint, redact(detail, secrets), status=status, attempts=attempts,
                             symbol=symbol) from None


def _describe(exc: BaseException | None) -> str:
    return exc.detail if isinstance(exc, TransientError) else f"{type(exc).__name__}: {exc}"


def new_session(user_agent: str = DEFAULT_USER_AGENT) -> requests.Session:
    """A plain session: retries are tenacity's job, so the default adapters do not retry on their own."""
    session = requests.Session()
    session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
    return session


class HttpClient:
    """GET JSON from one provider through `retrying_call`.

    The provider says what its answers mean: `error_in_payload` finds an error a 200 body carries (FMP's
    {"Error Message": ...}); `quota_message` tells a used-up quota from a passing rate limit in a 429 or error body;
    `error_bodies` are the statuses whose JSON body is the vendor's own explanation, handed to the parser (Yahoo's
    404 {"chart": {"error": ...}} for an unknown symbol); `refused_hint` is what a 401/403 should make you check
    (by default the API key, when the provider has one)."""

    def __init__(self, provider: str, *, session: requests.Session | None = None,
                 policy: RetryPolicy | None = None, secrets: Iterable[str | None] = (),
                 error_in_payload: Callable[[Any], str | None] | None = None,
                 quota_message: Callable[[str], bool] | None = None,
                 error_bodies: Collection[int] = (), refused_hint: str | None = None) -> None:
        self.provider = provider
        self.session = session if session is not None else new_session()
        self.policy = policy or RetryPolicy()
        self._secrets = tuple(s for s in secrets if s)
        self._error_in_payload = error_in_payload
        self._quota_message = quota_message or (lambda text: False)
        self._error_bodies = frozenset(error_bodies)
        self._refused_hint = refused_hint if refused_hint is not None else \
            ("check the API key" if self._secrets else "")

    def endpoint(self, url: str, params: Mapping[str, Any] | None = None) -> str:
        """The request as it may appear in logs: full URL with secrets masked."""
        prepared = requests.Request("GET", url, params=dict(params or {})).prepare()
        return f"GET {redact(prepared.url or url, self._secrets)}"

    def get_json(self, url: str, params: Mapping[str, Any] | None = None, *, symbol: str | None = None) -> Any:
        """The JSON body of a GET; every failure is a SourceError naming the provider, endpoint and `symbol`."""
        endpoint = self.endpoint(url, params)
        attempt = 0

        def fail(cls: type[SourceError], detail: str, status: int) -> SourceError:
            return cls(self.provider, endpoint, redact(detail, self._secrets), status=status, attempts=attempt,
                       symbol=symbol)

        def once() -> Any:
            nonlocal attempt
            attempt += 1
            try:
                resp = self.session.get(url, params=dict(params or {}),
                                        timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except TRANSPORT_ERRORS as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from None
            status, said = resp.status_code, f"HTTP {resp.status_code} {resp.reason or ''}".strip()
            if status == 429 or status >= 500:
                if self._quota_message(_text(resp)):
                    raise fail(QuotaExhausted, f"{said}: quota used up, not retried: {_snippet(resp)}", status)
                raise TransientError(f"{said}: {_snippet(resp)}", status,
                                     retry_after_seconds(resp.headers.get("Retry-After")))
            if status >= 400 and status not in self._error_bodies:
                hint = f" ({self._refused_hint})" if status in (401, 403) and self._refused_hint else ""
                raise fail(SourceError, f"{said}{hint}: {_snippet(resp)}", status)
            try:
                payload = resp.json()
            except ValueError:
                if status >= 400:
                    raise fail(SourceError, f"{said}, body is not JSON: {_snippet(resp)}", status) from None
                # A maintenance or consent page, or a body cut short: another try usually gets the real answer.
                kind = resp.headers.get("Content-Type") or "no content type"
                raise TransientError(f"response is not JSON ({kind}, {len(resp.content)} bytes, truncated or an "
                                     f"HTML page): {_snippet(resp)}", status) from None
            message = self._error_in_payload(payload) if self._error_in_payload is not None else None
            if message:
                cls = QuotaExhausted if self._quota_message(message) else SourceError
                raise fail(cls, f"provider error: {message}", status)
            return payload

        return retrying_call(once, provider=self.provider, endpoint=endpoint, policy=self.policy,
                             secrets=self._secrets, symbol=symbol)


def _text(resp: requests.Response) -> str:
    try:
        return resp.text
    except Exception:  # undecodable body: nothing to read a message from
        return ""


def _snippet(resp: requests.Response, limit: int = 200) -> str:
    text = " ".join(_text(resp).split()) or "<empty or unreadable body>"
    return text if len(text) <= limit else text[:limit] + "..."
