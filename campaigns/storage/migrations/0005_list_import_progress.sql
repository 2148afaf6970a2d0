-- Call-list imports (issue 3): an import is created 'queued' (the dashboard's upload returns its
-- id at once; a task runs it), reports its phase while running, and counts the contacts it
-- skipped because any campaign dialed them recently.

ALTER TABLE list_imports DROP CONSTRAINT list_imports_state_check;
ALTER TABLE list_imports ADD CONSTRAINT list_imports_state_check
    CHECK (state IN ('queued', 'running', 'done', 'failed'));
ALTER TABLE list_imports
    -- reading: the file is parsed and staged; storing: the one set-based insert runs.
    ADD COLUMN phase text CHECK (phase IN ('reading', 'storing')),
    ADD COLUMN skipped_recent integer NOT NULL DEFAULT 0,
    -- Rows with at least one rejected number (the rejects file's length).
    ADD COLUMN rejected_rows integer NOT NULL DEFAULT 0,
    -- Where the uploaded file waits for the task that imports it.
    ADD COLUMN file_path text,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX list_imports_campaign ON list_imports (campaign_id, started_at);
