"""Shared vocabulary: calendar, frame schemas, symbols, instruments, result types. Imports nothing of the project."""
