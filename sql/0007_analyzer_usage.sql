-- What each LLM analysis used: tokens as Gemini reported them (prompt, cached, thought, output,
-- requests) and the estimated cost in USD from the configured price table. NULL for the offline
-- analyzer and for rows stored before this migration. The dashboard sums it over a window.
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS analyzer_usage JSONB;
