"""The historical-request pacer against IBKR's rules, on a fake clock that moves only when the pacer sleeps."""

from __future__ import annotations

import pytest

from investing_assets.lib.sources.pacing import IBKR_HISTORICAL, HistoricalPacer, PacingRules
from investing_assets_tests.lib.sources._ibkr_fake import FakeClock


def paced(rules: PacingRules = IBKR_HISTORICAL) -> tuple[HistoricalPacer, FakeClock]:
    clock = FakeClock()
    return HistoricalPacer(rules, clock=clock, sleep=clock.sleep), clock


def send(pacer: HistoricalPacer, clock: FakeClock, n: int, *, every: float = 0.0, contracts: int = 1000) -> list[float]:
    """`n` distinct requests over `contracts` contracts, `every` seconds apart as the caller would send them;
    returns when each went out."""
    sent = []
    for i in range(n):
        pacer.wait(request=("req", i), contract=("contract", i % contracts))
        sent.append(clock.now)
        clock.now += every
    return sent


def test_sixty_go_at_once_and_the_61st_waits_for_the_first_to_leave_the_ten_minutes():
    pacer, clock = paced()
    sent = send(pacer, clock, 61)
    assert sent[:60] == [0.0] * 60 and sent[60] == 600.0
    assert clock.slept == [600.0]


def test_no_ten_minutes_ever_hold_more_than_sixty_requests():
    """What a token bucket of 60 would break: after a burst it lets one through per 10 s at once."""
    pacer, clock = paced()
    sent = send(pacer, clock, 200, every=3.0)
    assert all(sent[i + 60] - sent[i] >= 600.0 for i in range(len(sent) - 60))
    assert sent[60] == 600.0 and sent[61] == 603.0  # each waits for its own 60th predecessor, not a refill rate


def test_an_identical_request_waits_15_seconds_another_does_not():
    pacer, clock = paced()
    pacer.wait(("AAPL", "TRADES", "7 D"), ("AAPL", "TRADES"))
    assert pacer.wait(("AAPL", "ADJUSTED_LAST", "7 D"), ("AAPL", "ADJUSTED_LAST")) == 0.0
    assert pacer.wait(("AAPL", "TRADES", "7 D"), ("AAPL", "TRADES")) == 15.0
    clock.now += 20.0
    assert pacer.wait(("AAPL", "TRADES", "7 D"), ("AAPL", "TRADES")) == 0.0  # 20 s after its twin: fine


def test_the_sixth_request_of_one_contract_within_two_seconds_waits():
    pacer, clock = paced()
    sent = send(pacer, clock, 7, every=0.1, contracts=1)  # one contract, different requests (durations, say)
    assert sent[:5] == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])
    assert sent[5] == pytest.approx(2.0)  # five in the two seconds from 0.0
    assert sent[6] == pytest.approx(2.1)
    other, other_clock = paced()
    assert send(other, other_clock, 7, every=0.1, contracts=7)[-1] == pytest.approx(0.6)  # seven contracts: no wait


def test_what_no_rule_counts_any_more_is_forgotten():
    pacer, clock = paced()
    send(pacer, clock, 100, every=30.0)
    assert len(pacer._sent) <= 20 and len(pacer._by_contract) <= 1 and len(pacer._last_identical) <= 1


def test_rules_are_checked():
    with pytest.raises(ValueError, match="request counts must be at least 1"):
        PacingRules(requests_per_window=0)
    with pytest.raises(ValueError, match="windows cannot be negative"):
        PacingRules(identical_gap_seconds=-1)
