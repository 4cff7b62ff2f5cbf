"""Pacing of historical-data requests: wait before a request rather than be refused for it.

IBKR answers a historical request that breaks its pacing rules with error 162 ("pacing violation") instead of bars,
so the IBKR source asks `HistoricalPacer.wait` before every request. The rules are counts over sliding windows (no
more than 60 requests in ANY ten minutes), which a token bucket does not keep: a full bucket of 60 spent at once
and refilled at one per ten seconds lets 120 through in the first ten minutes. So this keeps the send times of the
recent requests and waits until the oldest one that would be exceeded has left its window.

The clock and the sleep are injected, so tests drive the pacer with a fake clock and no test waits.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

__all__ = ["IBKR_HISTORICAL", "HistoricalPacer", "PacingRules"]


@dataclass(frozen=True)
class PacingRules:
    """Sliding-window limits on requests; each is kept, whichever binds."""

    requests_per_window: int = 60  # at most this many requests in any `window_seconds`
    window_seconds: float = 600.0
    identical_gap_seconds: float = 15.0  # the same request again only after this long
    per_contract: int = 5  # at most this many requests of one contract (and exchange, what to show) ...
    per_contract_seconds: float = 2.0  # ... in any this long

    def __post_init__(self) -> None:
        if self.requests_per_window < 1 or self.per_contract < 1:
            raise ValueError(f"pacing: request counts must be at least 1, got {self}")
        if min(self.window_seconds, self.identical_gap_seconds, self.per_contract_seconds) < 0:
            raise ValueError(f"pacing: windows cannot be negative, got {self}")


# IBKR's documented historical-data limits (TWS API "Historical Data Limitations"): no identical request within 15 s,
# no six requests of one contract, exchange and tick type within 2 s, no more than 60 requests in ten minutes.
IBKR_HISTORICAL = PacingRules()


class HistoricalPacer:
    """Waits until a request keeps every rule, then counts it as sent. One pacer per connection's account: the
    limits are IBKR's per session, so two pacers over one gateway would each allow the whole budget."""

    def __init__(self, rules: PacingRules = IBKR_HISTORICAL, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rules = rules
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._by_contract: dict[Hashable, deque[float]] = {}
        self._last_identical: dict[Hashable, float] = {}
        self.waited = 0.0  # seconds slept so far, for the run log

    def wait(self, request: Hashable, contract: Hashable) -> float:
        """Sleep until `request` (its full parameters) on `contract` (contract, exchange, what to show) may go out;
        returns the seconds slept for it."""
        slept = 0.0
        while True:
            now = self._clock()
            self._forget(now)
            ready = self._ready_at(request, contract)
            if ready <= now:
                break
            self._sleep(ready - now)
            slept += ready - now
        self._sent.append(now)
        self._by_contract.setdefault(contract, deque()).append(now)
        self._last_identical[request] = now
        self.waited += slept
        return slept

    def _ready_at(self, request: Hashable, contract: Hashable) -> float:
        rules, ready = self.rules, float("-inf")
        if len(self._sent) >= rules.requests_per_window:
            ready = self._sent[-rules.requests_per_window] + rules.window_seconds
        same = self._by_contract.get(contract, ())
        if len(same) >= rules.per_contract:
            ready = max(ready, same[-rules.per_contract] + rules.per_contract_seconds)
        if request in self._last_identical:
            ready = max(ready, self._last_identical[request] + rules.identical_gap_seconds)
        return ready

    def _forget(self, now: float) -> None:
        """Drop what no rule can count any more, so memory stays bounded by the windows."""
        rules = self.rules
        while self._sent and self._sent[0] <= now - rules.window_seconds:
            self._sent.popleft()
        for key in list(self._by_contract):
            times = self._by_contract[key]
            while times and times[0] <= now - rules.per_contract_seconds:
                times.popleft()
            if not times:
                del self._by_contract[key]
        for key in [k for k, t in self._last_identical.items() if t <= now - rules.identical_gap_seconds]:
            del self._last_identical[key]
