-- The original table of the FastAPI app, kept column for column, plus what the event pipeline needs.
-- Safe on a database that already has the original table: it is extended, not replaced.
CREATE TABLE IF NOT EXISTS call_records (
    id              SERIAL PRIMARY KEY,
    unique_id       VARCHAR(255) UNIQUE NOT NULL,
    transcript      TEXT NOT NULL,
    intent          VARCHAR(255),
    sentiment       VARCHAR(20) CHECK (sentiment IN ('Positive', 'Neutral', 'Negative')),
    action_required BOOLEAN DEFAULT FALSE,
    summary         TEXT,
    metadata        JSONB,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_call_records_unique_id ON call_records (unique_id);
CREATE INDEX IF NOT EXISTS idx_call_records_sentiment ON call_records (sentiment);
CREATE INDEX IF NOT EXISTS idx_call_records_created_at ON call_records (created_at);

ALTER TABLE call_records ADD COLUMN IF NOT EXISTS event_id UUID;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS call_id TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS intent_category TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS analyzer_provider TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS analyzer_model TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS processing_time_ms DOUBLE PRECISION;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS call_started_at TIMESTAMPTZ;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS source TEXT;

-- Rows written by the original app have no event: give them an id of their own.
UPDATE call_records SET event_id = gen_random_uuid() WHERE event_id IS NULL;
UPDATE call_records SET call_id = unique_id WHERE call_id IS NULL;
UPDATE call_records SET intent_category = 'other' WHERE intent_category IS NULL;
ALTER TABLE call_records ALTER COLUMN event_id SET NOT NULL;
ALTER TABLE call_records ALTER COLUMN call_id SET NOT NULL;
ALTER TABLE call_records ALTER COLUMN intent_category SET NOT NULL;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'call_records_event_id_key') THEN
        ALTER TABLE call_records ADD CONSTRAINT call_records_event_id_key UNIQUE (event_id);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'call_records_intent_category_check') THEN
        ALTER TABLE call_records ADD CONSTRAINT call_records_intent_category_check CHECK (intent_category IN (
            'promise_to_pay', 'already_paid', 'dispute', 'hardship', 'settlement_request', 'refuse_to_pay',
            'callback_request', 'wrong_party', 'information_request', 'complaint', 'other'));
    END IF;
END $$;

CREATE INDEX IF NOT EXISTS idx_call_records_call_id ON call_records (call_id);
CREATE INDEX IF NOT EXISTS idx_call_records_intent_category ON call_records (intent_category);
