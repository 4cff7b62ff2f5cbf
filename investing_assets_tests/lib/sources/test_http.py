"""The retry plumbing's own rules; what each connector does with them is tested on recorded bodies beside it."""

from __future__ import annotations

import email.utils
import time

from investing_assets.lib.sources.http import retry_after_seconds


def test_retry_after_reads_seconds_and_http_dates_and_ignores_the_rest():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(" 7 ") == 7.0
    in_a_minute = retry_after_seconds(email.utils.formatdate(time.time() + 60, usegmt=True))
    assert in_a_minute is not None and 57 <= in_a_minute <= 60
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date gone by: no wait
    assert retry_after_seconds("soon") is None and retry_after_seconds("") is None and retry_after_seconds(None) is None

