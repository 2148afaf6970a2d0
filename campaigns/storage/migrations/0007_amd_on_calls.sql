-- Answering-machine detection on live calls (issue 9). The attempt keeps, beside the verdict
-- (amd_result, amd_decided_at, from 0001), the rule that gave it and how long after the answer it
-- came, so a wrong decision can be explained and the false-positive estimate split by cause;
-- when the person's greeting ended (the 2 s connect window of the US rules runs from there, not
-- from the answer, once AMD listens first); and when the voicemail message began.

ALTER TABLE call_attempts
    ADD COLUMN amd_cause          text,
    ADD COLUMN amd_decision_ms    integer CHECK (amd_decision_ms >= 0),
    ADD COLUMN speech_end_at      timestamptz,
    ADD COLUMN voicemail_start_at timestamptz;

-- The campaign's choices: {"action": "off"|"on", "machine": "hang_up"|"leave_message"|"to_agent",
-- "not_sure": "to_agent"|"hang_up", "voicemail_message": path}; older rows hold only "action".
ALTER TABLE campaigns ADD CONSTRAINT campaigns_amd_check CHECK (
    amd ->> 'action' IN ('off', 'on')
    AND coalesce(amd ->> 'machine', 'hang_up') IN ('hang_up', 'leave_message', 'to_agent')
    AND coalesce(amd ->> 'not_sure', 'to_agent') IN ('to_agent', 'hang_up')
);
