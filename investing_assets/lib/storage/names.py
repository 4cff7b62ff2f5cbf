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
SCANNER_LAST_SCANNED_KEY = "scanner:last_scanned"  # sorted set: symbol -> when it was last scanned
MUNI_RISK_LATEST_KEY = "cache:muni_risk:latest"
