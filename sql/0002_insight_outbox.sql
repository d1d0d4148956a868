-- Transactional outbox: an InsightEvent is written in the same transaction as its call_records row
-- and published to Kafka by the relay afterwards, so a crash can delay an event but never lose it.
CREATE TABLE IF NOT EXISTS insight_outbox (
    id           BIGSERIAL PRIMARY KEY,
    event_id     UUID NOT NULL UNIQUE,
    record_id    INTEGER NOT NULL REFERENCES call_records (id) ON DELETE CASCADE,
    topic        TEXT NOT NULL,
    key          BYTEA,
    payload      BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    published_at TIMESTAMPTZ
);

CREATE INDEX IF NOT EXISTS idx_insight_outbox_pending ON insight_outbox (id) WHERE published_at IS NULL;
