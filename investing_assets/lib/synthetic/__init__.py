"""The offline synthetic world: a deterministic demo market with its analyst coverage and press, and sample
municipal annual reports with known figures. Nothing here is a connector or a parser; it only stands in for
the outside world so the whole project runs, and is tested, without a network or a data vendor."""
