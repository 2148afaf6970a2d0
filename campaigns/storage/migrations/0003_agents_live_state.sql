-- The agents' live state lives in Redis; every change of it is also a row here (reports need it).

-- The agent's change number, counted in the live state: it orders one agent's rows even when two
-- processes write them out of order or at the same instant, and makes a repeated write a no-op.
-- Nullable so that rows written by other means (tests, imports) stay valid.
ALTER TABLE agent_state_history ADD COLUMN seq bigint;
-- Every campaign the agent was working in this state. campaign_id alone cannot say it for an agent
-- on several campaigns: it holds the call's campaign, or the only campaign worked, else NULL.
ALTER TABLE agent_state_history ADD COLUMN campaigns bigint[] NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX agent_state_history_seq ON agent_state_history (agent_id, seq);
-- An agent is in one state at a time: at most one open row each, so rows never overlap.
CREATE UNIQUE INDEX agent_state_history_open ON agent_state_history (agent_id)
    WHERE ended_at IS NULL;

-- The pauses the dialer itself imposes, listed so that reports and consoles can label them, and
-- a few everyday reasons so that a new installation's agents can pause before anyone edits the list.
INSERT INTO pause_codes (code, label) VALUES
    ('login', 'Logged in, not yet ready'),
    ('phone_not_answering', 'Phone did not answer a call'),
    ('system_restart', 'Logged in before a restart of the dialer'),
    ('break', 'Break'),
    ('lunch', 'Lunch'),
    ('training', 'Training')
ON CONFLICT (code) DO NOTHING;
