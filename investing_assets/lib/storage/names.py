"""Every table name and Redis key the project uses, in one place, so a rename is one edit."""

from __future__ import annotations

# -- PostgreSQL tables (schema.table), by area -------------------------------------------------------------------
UNIVERSE = "market.universe"
INDEX_CONSTITUENTS = "market.index_constituents"
ETF_HOLDINGS = "market.etf_holdings"
DAILY_BARS = "market.daily_bars"
SYMBOL_HISTORY = "market.symbol_history"  # price_history's own bars, read where daily_bars has none
QUOTES = "market.quotes"
CORPORATE_ACTIONS = "market.corporate_actions"
DEMO_PLANTED_PATTERNS = "market.demo_planted_patterns"

INDICATORS = "technicals.indicators"
CANDLESTICK_PATTERNS = "technicals.candlestick_patterns"
CHART_PATTERNS = "technicals.chart_patterns"
TECHNICAL_EVENTS = "technicals.technical_events"
PATTERN_DISCOVERIES = "technicals.pattern_discoveries"
SCAN_ELIGIBILITY = "technicals.scan_eligibility"
SYMBOL_CORRELATIONS = "technicals.symbol_correlations"
CORRELATION_PAIRS = "technicals.correlation_pairs"
SECTOR_CORRELATIONS = "technicals.sector_correlations"

ANALYST_ESTIMATES = "fundamentals.analyst_estimates"
INDUSTRY_AGGREGATES = "fundamentals.industry_aggregates"
INDEX_VALUATIONS = "fundamentals.index_valuations"
SEC_FACTS = "fundamentals.sec_facts"  # XBRL facts long form, one row per fact and filing
IBKR_PROFILE = "fundamentals.ibkr_profile"  # IBKR reqFundamentalData, point in time (sql/027_ibkr_fundamentals.sql)
IBKR_RATIOS = "fundamentals.ibkr_ratios"
IBKR_STATEMENTS = "fundamentals.ibkr_statements"
IBKR_SUMMARY = "fundamentals.ibkr_summary"
IBKR_DIVIDENDS = "fundamentals.ibkr_dividends"
SEC_TICKERS = "fundamentals.sec_tickers"  # company_tickers.json per weekly snapshot
SEC_COMPANIES = "fundamentals.sec_companies"  # filers from submissions
SEC_FILINGS = "fundamentals.sec_filings"  # the filing index from submissions
SEC_FINANCIALS = "fundamentals.sec_financials"  # standardized, one row per concept, period and filing
TRAILING_VALUATIONS = "fundamentals.trailing_valuations"  # per session and symbol, from filings

NEWS_ARTICLES = "news.articles"

MUNI_DOCUMENTS = "muni.documents"
MUNI_DOCUMENT_METRICS = "muni.document_metrics"
MUNI_ISSUER_FINANCIALS = "muni.issuer_financials"
MUNI_QUARANTINE = "muni.quarantine"
MUNI_MODELS = "muni.models"
MUNI_RISK_SCORES = "muni.risk_scores"

SCHEMA_MIGRATIONS = "ops.schema_migrations"
PARTITION_DIGESTS = "ops.partition_digests"
NATURAL_KEYS = "ops.natural_keys"
MODEL_MEMORY = "ops.model_memory"
CHAT_LAUNCH_LOG = "ops.chat_launches"

# -- Redis keys ----------------------------------------------------------------------------------------------------
INDEX_QUOTES_KEY = "cache:index_quotes"
ETF_QUOTES_KEY = "cache:etf_quotes"
COMMODITY_QUOTES_KEY = "cache:commodity_quotes"
CRYPTO_QUOTES_KEY = "cache:crypto_quotes"
FX_QUOTES_KEY = "cache:fx_quotes"
QUOTE_KEYS = {"index": INDEX_QUOTES_KEY, "etf": ETF_QUOTES_KEY, "commodity": COMMODITY_QUOTES_KEY,
              "crypto": CRYPTO_QUOTES_KEY, "fx": FX_QUOTES_KEY}
ETF_HOLDINGS_KEY = "cache:etf_holdings"  # the newest stored session's holdings, by ETF
SCAN_LATEST_KEY = "cache:scan:latest"
LEGACY_SCANNER_LAST_SCANNED_KEY = "scanner:last_scanned"  # the rotation before model memory: folded in, then dropped
MUNI_RISK_LATEST_KEY = "cache:muni_risk:latest"
MEMORY_PREFIX = "memory:"  # model memory: hashes memory:<namespace> (lib/storage/memory.py), synced to MODEL_MEMORY
SCANNER_ROTATION = "scanner:last_scanned"  # memory namespace: symbol -> epoch seconds it was last scanned
IBKR_FUNDAMENTALS_ROTATION = "ibkr_fundamentals:last_fetched"  # memory namespace: symbol -> when IBKR last answered
CHAT_LAUNCHES = "chat:launches"  # memory namespace: run or backfill id -> the chat's launch
