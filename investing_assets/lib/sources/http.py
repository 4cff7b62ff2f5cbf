"""Shared network plumbing for the market-data connectors: one retry policy, one error type.

Every provider call goes through `retrying_call` so transient failures (dropped connections, timeouts,
HTTP 429 and 5xx) are retried with exponential backoff by tenacity, and everything else fails at once
with a `SourceError` that names the provider, the endpoint (secrets redacted), the status and the
number of attempts. Parse functions raise `PayloadError` when a response arrives in a shape we do not
understand, naming the symbol, so a bad row never slides silently into the warehouse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from investing_assets.lib.core.symbols import TICKER_RULE, is_ticker

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpClient",
    "PayloadError",
    "RetryPolicy",
    "SourceError",
    "TransientError",
    "new_session",
    "redact",
    "retrying_call",
    "validate_symbols",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_USER_AGENT = f"investing-assets/0.1 python-requests/{requests.__version__}"

_SECRET_PARAM = re.compile(r"(?i)\b(apikey|api_key|token|crumb)=([^&\s#'\"]+)")


class SourceError(RuntimeError):
    """A provider could not give us data; the message is safe to log (no API keys)."""

    def __init__(self, provider: str, endpoint: str | None, detail: str, *,
                 status: int | None = None, attempts: int | None = None) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self.detail = detail
        self.status = status
        self.attempts = attempts
        where = f" {endpoint}" if endpoint else ""
        facts = []
        if status is not None:
            facts.append(f"status {status}")
        if attempts is not None:
            facts.append(f"{attempts} attempt{'s' if attempts != 1 else ''}")
        tail = f" ({', '.join(facts)})" if facts else ""
        super().__init__(f"{provider}{where}: {detail}{tail}")


class PayloadError(SourceError):
    """The provider answered, but not in the shape we parse: fail rather than guess."""

    def __init__(self, provider: str, symbol: str | None, detail: str) -> None:
        self.symbol = symbol
        what = f"payload for {symbol}" if symbol else "payload"
        super().__init__(provider, None, f"malformed {what}: {detail}")


class TransientError(Exception):
    """Raised inside an attempt to ask for another one (HTTP 429/5xx, dropped connection)."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up; tests pass tiny waits so retries cost milliseconds."""

    attempts: int = 4
    initial_wait: float = 1.0  # seconds before the 2nd attempt; doubles each time
    max_wait: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryPolicy.attempts must be at least 1")


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
                  secrets: Iterable[str | None] = ()) -> T:
    """Run `fn`, retrying transient failures with exponential backoff, then raise a SourceError."""
    secrets = tuple(secrets)

    def log_retry(state: RetryCallState) -> None:
        # Our own line rather than tenacity's before_sleep_log: exception text can hold a URL with the key.
        exc = state.outcome.exception() if state.outcome else None
        text = exc.detail if isinstance(exc, TransientError) else f"{type(exc).__name__}: {exc}"
        log.warning("%s %s: attempt %d/%d failed (%s); retrying in %.2fs", provider, endpoint,
                    state.attempt_number, policy.attempts, redact(text, secrets),
                    state.next_action.sleep if state.next_action else 0.0)

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait),
        retry=retry_if_exception(transient),
        before_sleep=log_retry,
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
        detail = exc.detail if isinstance(exc, TransientError) else f"{type(exc).__name__}: {exc}"
        status = getattr(exc, "status", None)
        # `from None`: the chained exception text (e.g. urllib3's) may still carry the API key.
        raise SourceError(provider, endpoint, f"gave up: {redact(detail, secrets)}",
                          status=status, attempts=attempts) from None


def new_session(user_agent: str = DEFAULT_USER_AGENT) -> requests.Session:
    """A plain session: retries are tenacity's job, so the default adapters do not retry on their own."""
    session = requests.Session()
    session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
    return session


class HttpClient:
    """GET JSON from one provider through `retrying_call`; tests mount a replay adapter on `session`."""

    def __init__(self, provider: str, *, session: requests.Session | None = None,
                 policy: RetryPolicy | None = None, secrets: Iterable[str | None] = (),
                 error_in_payload: Callable[[Any], str | None] | None = None) -> None:
        self.provider = provider
        self.session = session if session is not None else new_session()
        self.policy = policy or RetryPolicy()
        self._secrets = tuple(s for s in secrets if s)
        self._error_in_payload = error_in_payload

    def endpoint(self, url: str, params: Mapping[str, Any] | None = None) -> str:
        """The request as it may appear in logs: full URL with secrets masked."""
        prepared = requests.Request("GET", url, params=dict(params or {})).prepare()
        return f"GET {redact(prepared.url or url, self._secrets)}"

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        endpoint = self.endpoint(url, params)
        attempt = 0

        def once() -> Any:
            nonlocal attempt
            attempt += 1
            try:
                resp = self.session.get(url, params=dict(params or {}),
                                        timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise TransientError(f"{type(exc).__name__}: {exc}") from None
            status = resp.status_code
            if status == 429 or status >= 500:
                raise TransientError(f"HTTP {status} {resp.reason or ''}: {_snippet(resp)}".strip(), status)
            if status >= 400:
                hint = " (check the API key)" if status in (401, 403) else ""
                raise SourceError(self.provider, endpoint,
                                  f"HTTP {status} {resp.reason or ''}{hint}: "
                                  f"{redact(_snippet(resp), self._secrets)}",
                                  status=status, attempts=attempt)
            try:
                payload = resp.json()
            except ValueError:
                raise SourceError(self.provider, endpoint,
                                  f"response is not JSON: {redact(_snippet(resp), self._secrets)}",
                                  status=status, attempts=attempt) from None
            if self._error_in_payload is not None:
                message = self._error_in_payload(payload)
                if message:
                    raise SourceError(self.provider, endpoint,
                                      f"provider error: {redact(message, self._secrets)}",
                                      status=status, attempts=attempt)
            return payload

        return retrying_call(once, provider=self.provider, endpoint=endpoint, policy=self.policy,
                             secrets=self._secrets)


def _snippet(resp: requests.Response, limit: int = 200) -> str:
    try:
        text = resp.text
    except Exception:  # undecodable body: the status is the useful part anyway
        return "<unreadable body>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
