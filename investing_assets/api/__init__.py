"""The read API (`investing serve`): FastAPI routes over `lib/services/reads` and the Dagster instance's run and
partition status. Serialization (JSON or CSV, ETag and 304, pagination links) lives in `responses`; what is read
and from where (Redis first, PostgreSQL when cold) in the services."""
