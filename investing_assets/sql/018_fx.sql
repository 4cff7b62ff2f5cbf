-- Currency pairs as a quote asset class ('fx': EURUSD, GBPUSD, USDJPY), and the currency every quote is priced in, as
-- the vendor spells it (GBp is pence, not pounds; a pair's quote currency). Null for rows stored before this column
-- existed and for vendors that do not say (FMP's EOD rows). Checked first, as in 012: ALTER TABLE would lock the
-- table on every migrate even with nothing to change.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'market'
                   AND table_name = 'quotes' AND column_name = 'currency') THEN
        ALTER TABLE market.quotes ADD COLUMN currency text CHECK (currency ~ '^[A-Za-z]{3}$');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'market.quotes'::regclass
                   AND conname = 'quotes_asset_class_check' AND pg_get_constraintdef(oid) LIKE '%''fx''%') THEN
        ALTER TABLE market.quotes DROP CONSTRAINT IF EXISTS quotes_asset_class_check;
        ALTER TABLE market.quotes ADD CONSTRAINT quotes_asset_class_check
            CHECK (asset_class IN ('index', 'etf', 'commodity', 'crypto', 'fx'));
    END IF;
END $$;
