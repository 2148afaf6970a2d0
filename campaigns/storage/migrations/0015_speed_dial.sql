-- Speed dial (issue 11): numbered slots an agent dials with one button or `*<slot>#` on the
-- softphone. A campaign's entries (campaign_id set) are shared by every agent working it and
-- kept by managers; an agent's own entries (agent_id set) are theirs wherever they work. On the
-- same slot the agent's own entry wins (campaigns.speed_dial). Dialing an entry goes through
-- click-to-call, so every compliance rule applies to it.
CREATE TABLE speed_dial_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint REFERENCES campaigns (id) ON DELETE CASCADE,
    agent_id        bigint REFERENCES agents (id) ON DELETE CASCADE,
    slot            integer NOT NULL CHECK (slot BETWEEN 1 AND 99),
    phone_e164      text NOT NULL CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 40),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((campaign_id IS NULL) <> (agent_id IS NULL))
);
CREATE UNIQUE INDEX speed_dial_campaign_slot ON speed_dial_entries (campaign_id, slot)
    WHERE campaign_id IS NOT NULL;
CREATE UNIQUE INDEX speed_dial_agent_slot ON speed_dial_entries (agent_id, slot)
    WHERE agent_id IS NOT NULL;
