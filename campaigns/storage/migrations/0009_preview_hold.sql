-- Preview holds (issue 6): a contact shown to an agent for preview is held for at most this many
-- seconds; then the scheduler's sweep gives it back (never dialed, no attempt counted) and pauses
-- the agent, who walked away or whose console closed.
ALTER TABLE campaigns
    ADD COLUMN preview_timeout_s integer NOT NULL DEFAULT 300
        CHECK (preview_timeout_s BETWEEN 30 AND 3600);

-- The dialer's own pause for it, labelled for consoles and reports.
INSERT INTO pause_codes (code, label) VALUES
    ('preview_expired', 'Preview not dialed or skipped in time')
ON CONFLICT (code) DO NOTHING;

-- The sweep's question: undialed previews, oldest first.
CREATE INDEX call_attempts_preview_holds ON call_attempts (queued_at)
    WHERE kind = 'preview' AND state = 'queued' AND expires_at IS NULL;
