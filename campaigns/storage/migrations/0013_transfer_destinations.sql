-- Blind transfer to external numbers (issue 11). A campaign lists where its calls may be
-- transferred (exact E.164 numbers or patterns, campaigns.transfer_destinations); an empty list
-- allows none, so existing campaigns cannot be used for toll fraud. The attempt keeps its
-- transfer: where to, when it was asked for, and what became of it (answered, busy, ...).
ALTER TABLE campaigns
    ADD COLUMN transfer_destinations text[] NOT NULL DEFAULT '{}';

ALTER TABLE call_attempts
    ADD COLUMN transfer_to text,
    ADD COLUMN transfer_at timestamptz,
    ADD COLUMN transfer_outcome text;
