-- A row's analysis can be redone (``python -m producer_tools backfill --reanalyze``): the version
-- counts the analyses a row has had, 1 for the first. A re-analysis rewrites the analysis columns,
-- bumps the version and announces itself with an InsightEvent of its own (a new event_id per version).
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS analysis_version INT NOT NULL DEFAULT 1;
