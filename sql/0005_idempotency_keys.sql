-- Idempotency-Key of POST /analyze_call: a key (per caller) stands for one event id, hence one
-- call_records row and one LLM call however often the request is repeated. The service treats a
-- key older than IDEMPOTENCY_TTL_HOURS (24 h by default) as new and deletes expired keys.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    principal       TEXT NOT NULL,          -- "key:<hash prefix>" of the API key, or "anonymous"
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,          -- SHA-256 of the canonical request body
    event_id        UUID NOT NULL,          -- the call_records.event_id the request is stored under
    record_id       INTEGER,                -- call_records.id once stored
    locked_until    TIMESTAMPTZ,            -- lease of the request working on it; NULL when none is
    created_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (principal, idempotency_key)
);

CREATE INDEX IF NOT EXISTS idx_idempotency_keys_created_at ON idempotency_keys (created_at);
