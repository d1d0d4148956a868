-- The richer insight: the whole analysis as JSONB, plus the fields people filter on as columns.
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS insight JSONB;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS contact_status TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS priority TEXT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS needs_review BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS ptp_amount_inr BIGINT;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS ptp_due_date DATE;
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS distress TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE call_records ADD COLUMN IF NOT EXISTS compliance_rules TEXT[] NOT NULL DEFAULT '{}';

CREATE INDEX IF NOT EXISTS idx_call_records_ptp_due_date ON call_records (ptp_due_date)
    WHERE ptp_due_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_call_records_priority ON call_records (priority, created_at);
CREATE INDEX IF NOT EXISTS idx_call_records_compliance ON call_records USING GIN (compliance_rules)
    WHERE compliance_rules <> '{}';
