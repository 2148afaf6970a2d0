-- Call recordings (issue 11): campaigns keep them for a number of days, then a sweep deletes the
-- file and says so on the attempt. The attempt keeps recording_path (relative to the data dir)
-- after the sweep, so its page can say "deleted on ..." rather than pretend there never was one.
ALTER TABLE campaigns
    ADD COLUMN recording_retention_days integer NOT NULL DEFAULT 90
        CHECK (recording_retention_days BETWEEN 1 AND 3650);

ALTER TABLE call_attempts
    ADD COLUMN recording_deleted_at timestamptz;

-- The sweep's question: recordings still on disk, oldest first.
CREATE INDEX call_attempts_recordings_kept ON call_attempts (hangup_at)
    WHERE recording_path IS NOT NULL AND recording_deleted_at IS NULL;
