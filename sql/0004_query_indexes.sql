-- Reading insights back: keyset pages newest first, and a journal of dead letters for the dashboard.

-- Pages walk (created_at, id) backwards; the common filters get the same order behind their key.
CREATE INDEX IF NOT EXISTS idx_call_records_created_id ON call_records (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_call_records_intent_created_id
    ON call_records (intent_category, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_call_records_action_created_id ON call_records (created_at DESC, id DESC)
    WHERE action_required;

-- Every record the service sent to the dead-letter topic, without its value (it may hold PII).
-- Written best effort after the broker acknowledged the dead letter; Kafka stays the source of truth.
CREATE TABLE IF NOT EXISTS dead_letters (
    id                 BIGSERIAL PRIMARY KEY,
    reason             TEXT NOT NULL,
    error              TEXT NOT NULL,
    original_topic     TEXT NOT NULL,
    original_partition INTEGER NOT NULL,
    original_offset    BIGINT NOT NULL,
    key                TEXT,
    attempts           INTEGER NOT NULL DEFAULT 1,
    failed_at          TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (original_topic, original_partition, original_offset)
);

CREATE INDEX IF NOT EXISTS idx_dead_letters_failed_id ON dead_letters (failed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_dead_letters_reason ON dead_letters (reason, failed_at DESC, id DESC);
