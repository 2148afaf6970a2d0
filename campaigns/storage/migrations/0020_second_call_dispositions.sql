-- Call waiting (issue 11): an inbound call an agent took as a second call (their outbound
-- customer on hold) has no wrap-up of its own, since the agent goes straight back to the held
-- customer. Marking it lets the agent's console list the second calls still waiting for the
-- disposition, recorded as for any inbound call.
ALTER TABLE inbound_calls ADD COLUMN second_call boolean NOT NULL DEFAULT false;

CREATE INDEX inbound_calls_second_to_dispose ON inbound_calls (agent_id, ended_at)
    WHERE second_call AND disposition IS NULL;
