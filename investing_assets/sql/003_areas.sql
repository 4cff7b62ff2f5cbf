-- Schemas of the areas that later issues fill (fundamentals, news, muni); created now so grants and
-- migrations have one shape from the start.
CREATE SCHEMA IF NOT EXISTS fundamentals;
CREATE SCHEMA IF NOT EXISTS news;
CREATE SCHEMA IF NOT EXISTS muni;
