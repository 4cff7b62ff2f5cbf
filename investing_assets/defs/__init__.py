"""The Dagster layer: one package per area, wired by `investing_assets.definitions`."""

import warnings

import dagster as dg

# Single-run backfills and per-partition checks are the point of the partition design; their beta and preview
# labels would be noise in every log line and every process that loads the code.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
