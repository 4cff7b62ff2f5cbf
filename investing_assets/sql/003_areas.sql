-- Schemas of the fundamentals, news and muni areas, created together so grants and migrations have one
-- shape for every area.
CREATE SCHEMA IF NOT EXISTS fundamentals;
CREATE SCHEMA IF NOT EXISTS news;
CREATE SCHEMA IF NOT EXISTS muni;
