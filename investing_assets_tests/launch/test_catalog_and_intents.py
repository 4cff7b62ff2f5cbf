"""The chat's allow-list comes from the Definitions, and the deterministic parser covers every launchable job;
validation refuses what is not a session, a ticker or a range inside the calendar, in one line."""

import datetime as dt

import pytest

from investing_assets.definitions import defs
from investing_assets.launch import catalog
from investing_assets.launch.intents import PHRASES, Refusal, parse_rules, validate

NOW = dt.datetime(2026, 11, 24, 18, tzinfo=dt.UTC)  # Tuesday 13:00 in New York: Monday 23 Nov is closed
# One request per launchable job: a job added to the Definitions without a phrase and an example fails here.
EXAMPLES = {
    "pricing_updates": "backfill daily bars from Nov 2 to Nov 20",
    "etf_index_quotes": "refresh ETF quotes and index constituents for Nov 20",
    "commodities_crypto": "update crypto and commodities for yesterday",
    "indicator_updates": "recompute indicators from 2026-11-16 to 2026-11-20",
    "daily_market_scan": "rescan AAPL and MSFT for yesterday",
    "watchlist_reports": "run the watchlist reports for NVDA on Nov 20",
    "analyst_estimates_update": "load analyst estimates for Nov 23",
    "industry_aggregation_update": "update industry aggregates and valuations for the last 3 sessions",
    "news_ingestion": "fetch the news for 20 November 2026",
    "adhoc_bond_risk_training": "retrain the muni model",
    "daily_bond_risk": "score the munis for Nov 23",
    "model_memory_sync": "sync the model memory",
    "ibkr_fundamentals_update": "fetch the IBKR fundamentals",
}


def plan_of(text: str):
    return validate(parse_rules(text, NOW), text, parsed_by="rules", now=NOW)


def test_every_job_of_the_definitions_is_launchable_or_set_aside_with_a_reason():
    named = {job.name for job in defs.get_repository_def().get_all_jobs() if not job.name.startswith("__")}
    assert set(catalog.jobs()) == named
    assert set(PHRASES) | set(catalog.NOT_LAUNCHABLE) == named  # no job silently missed, no stale phrase
    assert not set(PHRASES) & set(catalog.NOT_LAUNCHABLE)
    launchable = {name for name, entry in catalog.jobs().items() if entry.launchable}
    assert launchable == set(PHRASES) == set(EXAMPLES)
    assert {a["asset"] for a in catalog.assets()} == {k.to_user_string()
                                                     for k in defs.resolve_asset_graph().get_all_asset_keys()}


@pytest.mark.parametrize("job", sorted(EXAMPLES))
def test_each_launchable_job_is_reached_by_words(job):
    plan = plan_of(EXAMPLES[job])
    assert (plan.action, plan.job) == ("launch", job)


def test_the_issues_requests_resolve_to_jobs_and_parameters():
    bars = plan_of("backfill daily bars from Nov 2 to Nov 20")
    assert bars.partitions[0] == "2026-11-02" and bars.partitions[-1] == "2026-11-20" and len(bars.partitions) == 15
    assert "a backfill" in bars.describe()
    rescan = plan_of("rescan AAPL and MSFT for yesterday")
    assert (rescan.partitions, rescan.symbols) == (["2026-11-23"], ["AAPL", "MSFT"])
    assert rescan.run_config == {"ops": {"daily_scan": {"config": {"symbols": ["AAPL", "MSFT"]}}}}
    assert plan_of("retrain the muni model").partitions == ["2026-11-01"]
    top = plan_of("what were today's top discoveries?")
    assert (top.action, top.answer, top.session) == ("answer", "discoveries", None)
    assert plan_of("what were the top discoveries on Nov 20?").session == "2026-11-20"
    assert plan_of("sync the model memory").partitions == []
    # Monday's yesterday is Friday's session
    monday = dt.datetime(2026, 11, 23, 22, tzinfo=dt.UTC)
    assert validate(parse_rules("rescan for yesterday", monday), "", parsed_by="rules",
                    now=monday).partitions == ["2026-11-20"]


@pytest.mark.parametrize(("text", "refusal"), [
    ("backfill bars from Nov 1 to Nov 20", "2026-11-01 (the first session) is not an NYSE session: it is a Sunday"),
    ("run news for 2026-11-26", "is not an NYSE session: it is an NYSE holiday (Thursday)"),
    ("update prices for 2026-11-24", "session 2026-11-24 has not closed yet"),
    ("backfill bars from 2010-01-04 to 2010-01-08", "before the calendar's first session"),
    ("backfill bars from Nov 20 to Nov 2", "the range runs backwards"),
    ("rescan AAPL and B@D for yesterday", "refused symbol 'B@D'"),
    ("update prices for AAPL yesterday", "pricing_updates runs over the whole universe and takes no symbols"),
    ("re-read the muni documents", "no job matches"),
    ("reload everything", "no job matches"),
    ("sync memory for Nov 20", "model_memory_sync is not partitioned"),
    ("run the watchlist reports for yesterday", "needs the watchlist symbols"),
    ("retrain the muni model for Dec 2030", "outside the model's partitions"),
    ("backfill news and bars for Nov 20", "ambiguous request"),
    ("", "empty request"),
])
def test_refusals_are_one_line(text, refusal):
    with pytest.raises(Refusal, match=None) as refused:
        plan_of(text)
    assert refusal in str(refused.value) and "\n" not in str(refused.value)


def test_a_job_off_the_allow_list_is_refused_whoever_drafted_it():
    from investing_assets.launch.intents import Draft

    for job, why in (("muni_document_extraction", "drop folder"), ("monthly_muni_risk_refresh", "its schedule"),
                     ("drop_tables", "not a job of this code location")):
        with pytest.raises(Refusal, match=why):
            validate(Draft(action="launch", job=job), "x", parsed_by="llm", now=NOW)
