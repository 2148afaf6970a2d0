-- Inbound calls are recorded too (the queue's campaign's setting), so their recordings follow the
-- same retention: the sweep deletes the file after the campaign's recording_retention_days and
-- says so on the call, which keeps recording_path ("deleted on ...", not "never recorded").
ALTER TABLE inbound_calls
    ADD COLUMN recording_deleted_at timestamptz;

-- The sweep's question, as for attempts: recordings still on disk, oldest first.
CREATE INDEX inbound_calls_recordings_kept ON inbound_calls (ended_at)
    WHERE recording_path IS NOT NULL AND recording_deleted_at IS NULL;
