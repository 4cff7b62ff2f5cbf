-- Trailing valuations from SEC filings (issue 14), next to the forward ones from the consensus: per symbol and
-- session in trailing_valuations, cap-weighted per sector, industry and index in the existing tables. As of a
-- session only facts filed on or before it count (lib/fundamentals/trailing).
ALTER TABLE fundamentals.industry_aggregates
    ADD COLUMN IF NOT EXISTS trailing_pe        double precision,  -- total cap / total TTM earnings (positive)
    ADD COLUMN IF NOT EXISTS price_to_book      double precision,  -- total cap / total book value (positive)
    ADD COLUMN IF NOT EXISTS dividend_yield     double precision,  -- percent, TTM dividends / cap
    ADD COLUMN IF NOT EXISTS trailing_coverage  double precision CHECK (trailing_coverage BETWEEN 0 AND 1);
ALTER TABLE fundamentals.index_valuations
    ADD COLUMN IF NOT EXISTS trailing_pe        double precision,
    ADD COLUMN IF NOT EXISTS price_to_book      double precision,
    ADD COLUMN IF NOT EXISTS dividend_yield     double precision,
    ADD COLUMN IF NOT EXISTS trailing_coverage  double precision CHECK (trailing_coverage BETWEEN 0 AND 1);

CREATE TABLE IF NOT EXISTS fundamentals.trailing_valuations (
    session              date              NOT NULL,
    symbol               text              NOT NULL,
    cik                  bigint            NOT NULL,
    close                double precision,
    trailing_eps         double precision,  -- TTM net income / shares, USD
    book_per_share       double precision,
    dividends_per_share  double precision,  -- TTM, USD
    trailing_pe          double precision,  -- null unless the trailing EPS is positive
    price_to_book        double precision,  -- null unless the book value is positive
    dividend_yield       double precision,  -- percent
    ttm_period_end       date,              -- the last day of the twelve months the earnings cover
    equity_period_end    date,
    filed                date,              -- the newest filing among the figures used (<= session)
    accession            text,              -- the filing of the TTM earnings' latest period
    CHECK (filed IS NULL OR filed <= session),
    PRIMARY KEY (session, symbol)
);
