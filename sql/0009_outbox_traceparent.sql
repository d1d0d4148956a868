-- The trace an InsightEvent's publication continues: the W3C traceparent of the span that stored
-- the row (or of the record it came from, with tracing off), so the relay's publish joins that trace
-- although it runs in another task, or another instance. NULL: the event belongs to no trace.
ALTER TABLE insight_outbox ADD COLUMN IF NOT EXISTS traceparent TEXT;
