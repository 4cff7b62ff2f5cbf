"""Company fundamentals from filings: SEC EDGAR XBRL facts parsed long form and standardized point in time."""
