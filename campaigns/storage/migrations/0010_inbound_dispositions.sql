-- Inbound dispositions (issue 10): the agent records an inbound call's outcome from the console
-- as for an outbound attempt; who recorded it is kept as on call_attempts. The screen pop shows a
-- known caller's earlier inbound calls beside their attempts: they are read by contact.
ALTER TABLE inbound_calls
    ADD COLUMN disposition_by bigint REFERENCES users (id) ON DELETE SET NULL;

CREATE INDEX inbound_calls_contact ON inbound_calls (contact_id, offered_at)
    WHERE contact_id IS NOT NULL;
