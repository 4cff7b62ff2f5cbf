"""Assets that only the offline synthetic market has: its ground truth, kept apart from real data."""
