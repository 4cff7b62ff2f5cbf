"""Launching Dagster work from outside Dagster's UI: the launcher the CLI steps backfills with, and the chat
launcher (its job catalog, request parser, validation and tools) that the CLI, the API and MCP share."""
