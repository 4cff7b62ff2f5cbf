"""Asset keys by name, so an upstream dependency is named one way everywhere (and a rename is one edit)."""

from __future__ import annotations

import dagster as dg

# market
UNIVERSE = dg.AssetKey("universe")
INDEX_CONSTITUENTS = dg.AssetKey("index_constituents")
ETF_HOLDINGS = dg.AssetKey("etf_holdings")
DAILY_BARS = dg.AssetKey("daily_bars")
CORPORATE_ACTIONS = dg.AssetKey("corporate_actions")
INDEX_QUOTES = dg.AssetKey("index_quotes")
ETF_QUOTES = dg.AssetKey("etf_quotes")
COMMODITY_QUOTES = dg.AssetKey("commodity_quotes")
CRYPTO_QUOTES = dg.AssetKey("crypto_quotes")
FX_QUOTES = dg.AssetKey("fx_quotes")
PRICE_HISTORY = dg.AssetKey("price_history")
# technicals
INDICATORS = dg.AssetKey("indicators")
CANDLESTICK_PATTERNS = dg.AssetKey("candlestick_patterns")
CHART_PATTERNS = dg.AssetKey("chart_patterns")
TECHNICAL_EVENTS = dg.AssetKey("technical_events")
SCAN_RESULTS = dg.AssetKey("scan_results")
CORRELATIONS = dg.AssetKey("correlations")
TECHNICAL_REPORT = dg.AssetKey("technical_report")
WATCHLIST_REPORT = dg.AssetKey("watchlist_report")
# fundamentals
ANALYST_ESTIMATES = dg.AssetKey("analyst_estimates")
INDUSTRY_AGGREGATES = dg.AssetKey("industry_aggregates")
INDEX_VALUATIONS = dg.AssetKey("index_valuations")
IBKR_FUNDAMENTALS = dg.AssetKey("ibkr_fundamentals")
TRAILING_VALUATIONS = dg.AssetKey("trailing_valuations")
SEC_FILING_INDEX = dg.AssetKey("sec_filing_index")
SEC_RAW_FACTS = dg.AssetKey("sec_raw_facts")
SEC_FINANCIALS = dg.AssetKey("sec_financials")
# news
NEWS_ARTICLES = dg.AssetKey("news_articles")
# fixed income
MUNI_DOCUMENTS = dg.AssetKey("muni_documents")
MUNI_RISK_MODEL = dg.AssetKey("muni_risk_model")
MUNI_RISK_SCORES = dg.AssetKey("muni_risk_scores")
# demo
DEMO_PLANTED_PATTERNS = dg.AssetKey("demo_planted_patterns")
# memory
MODEL_MEMORY = dg.AssetKey("model_memory")
