"""The chat panel in a real headless Chromium: a question answered from the read services, a launch shown as a
plan, confirmed, and run for real in the test's Dagster home, a refusal's one line, and off loopback the token
the POSTs need, each shown in the panel; the conversation's history listed from /chat/history."""

from __future__ import annotations

import dagster as dg
import pytest

# the browser first: without one, the tests skip before the warehouse is seeded
pytestmark = pytest.mark.usefixtures("browser")

LAUNCH_TIMEOUT_MS = 180_000  # the launch request waits for the run (in this process) on a shared machine


def ask(tab, base_url: str, text: str, shown: str) -> None:
    """Open the overview, send `text` through the panel and wait for `shown` (a selector) in its result."""
    if not tab.page.url.startswith(base_url):
        tab.page.goto(base_url + "/dashboard")
        tab.page.wait_for_selector("#chat-panel[data-history-loaded='true']")
    tab.page.fill("#chat-input", text)
    tab.page.click("#chat-send")
    tab.page.wait_for_selector(f"#chat-result {shown}", timeout=15_000)


def history(tab) -> list[tuple[str, str]]:
    return tab.page.eval_on_selector_all(
        "#chat-history li", "items => items.map(i => [i.dataset.role, i.lastChild.textContent.trim()])")


def test_a_question_is_answered_in_the_panel(dashboard, tab):
    ask(tab, dashboard.url, "what were today's top discoveries?", "#chat-answer")
    latest = tab.page.request.get(dashboard.url + "/scan/latest?limit=10").json()
    expected = [row["symbol"] for row in latest["data"]]
    assert expected, "the dashboard seed stores a scan"
    rows = tab.page.eval_on_selector_all("#chat-answer tr[data-row]", "rows => rows.map(r => r.innerText)")
    assert len(rows) == len(expected) and all(symbol in row for symbol, row in zip(expected, rows, strict=True))
    assert tab.page.inner_text("#chat-answer .chat-summary").startswith("answer: the top discoveries")
    tab.page.wait_for_function("document.querySelectorAll('#chat-history li').length == 2")
    assert history(tab)[0] == ["user", "what were today's top discoveries?"]
    tab.screenshot("dashboard-chat-answer")
    # the history is the conversation's: another page of the dashboard lists it again
    tab.page.goto(dashboard.url + "/dashboard/muni")
    tab.page.wait_for_selector("#chat-panel[data-history-loaded='true']")
    assert len(history(tab)) == 2
    assert tab.errors == []


def test_a_refusal_shows_its_one_line(dashboard, tab):
    ask(tab, dashboard.url, "backfill bars from Nov 1 to Nov 20", "#chat-refusal")
    shown = tab.page.inner_text("#chat-refusal")
    assert shown.startswith("Refused: ") and "is not an NYSE session: it is a Sunday" in shown
    assert tab.page.locator("#chat-confirm").count() == 0
    tab.page.wait_for_function("document.querySelectorAll('#chat-history li').length == 2")
    assert history(tab)[1][1].startswith("refused: ")
    tab.screenshot("dashboard-chat-refused")
    # the refusal's own 422, which the browser reports on its console too: nothing else
    assert tab.errors == [f"HTTP 422: {dashboard.url}/chat",
                          "console: Failed to load resource: the server responded with a status of 422 "
                          "(Unprocessable Entity)"]


def test_off_loopback_the_panel_says_why_and_takes_the_token(dashboard, tab, monkeypatch):
    dashboard.app.state.bind_host = "0.0.0.0"
    try:
        monkeypatch.delenv("INVESTING_API_TOKEN", raising=False)
        ask(tab, dashboard.url, "what were today's top discoveries?", "#chat-refusal.forbidden")
        assert tab.page.inner_text("#chat-refusal") == (
            "Not allowed (HTTP 403): launching is off: bound to 0.0.0.0 without INVESTING_API_TOKEN")
        assert not tab.page.locator("#chat-token").is_visible()  # no token would help
        monkeypatch.setenv("INVESTING_API_TOKEN", "s3cret")
        ask(tab, dashboard.url, "what were today's top discoveries?", "#chat-refusal.forbidden")
        assert tab.page.inner_text("#chat-refusal").startswith("Not allowed (HTTP 401): a bearer token is required")
        assert tab.page.locator("#chat-token").is_visible()
        tab.page.fill("#chat-token-input", "s3cret")
        ask(tab, dashboard.url, "what were today's top discoveries?", "#chat-answer")
    finally:
        dashboard.app.state.bind_host = "127.0.0.1"
    assert [e for e in tab.errors if not e.startswith("console: Failed to load resource")] == [
        f"HTTP 403: {dashboard.url}/chat", f"HTTP 401: {dashboard.url}/chat"]


def test_a_plan_is_shown_then_confirmed_and_its_run_succeeds(launching, tab):
    ask(tab, launching.url, "backfill daily bars for Nov 20", "#chat-plan")
    fields = tab.page.eval_on_selector_all("#chat-plan dd", "dds => Object.fromEntries(dds.map(d => "
                                                            "[d.dataset.field, d.innerText]))")
    assert fields["job"] == "pricing_updates" and fields["partitions"] == "2026-11-20"
    assert tab.page.inner_text("#chat-plan .chat-summary") == "launch pricing_updates: partition 2026-11-20 (one run)"
    tab.screenshot("dashboard-chat-plan")
    assert launching.warehouse.count("market.daily_bars", {}) == 0  # nothing ran before the confirmation

    tab.page.click("#chat-confirm")
    tab.page.wait_for_selector("#chat-launched li[data-run-id]", timeout=LAUNCH_TIMEOUT_MS)
    (run_id,) = tab.page.eval_on_selector_all("#chat-launched li[data-run-id]", "items => items.map(i => i.dataset.runId)")
    assert tab.page.inner_text(f"li[data-run-id='{run_id}']").endswith("SUCCESS")
    assert tab.page.get_attribute(f"li[data-run-id='{run_id}'] a", "href") == f"{launching.dagster_ui}/runs/{run_id}"
    run = launching.instance.get_run_by_id(run_id)
    assert run is not None and run.job_name == "pricing_updates" and run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags["dagster/partition"] == "2026-11-20"
    assert launching.warehouse.count("market.daily_bars", {}) > 0  # the run wrote the session's bars
    tab.page.wait_for_function("document.querySelectorAll('#chat-history li').length == 3")
    assert history(tab)[2] == ["assistant", f"launched pricing_updates (in-process): {run_id}"]  # no webserver known
    tab.screenshot("dashboard-chat-launched")
    assert tab.errors == []
