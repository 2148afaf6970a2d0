-- Call waiting (issue 11): an agent who takes it may be offered a queued inbound caller while
-- talking on an outbound call (dialer.agents.call_waiting). Off by default: a second call is
-- something the agent asks for.
ALTER TABLE agents ADD COLUMN call_waiting boolean NOT NULL DEFAULT false;
