-- The scheduler's fencing token: a claim commits only if its leader's token is the newest seen,
-- so a paused ex-leader that wakes up after a takeover cannot claim contacts any more.
CREATE TABLE scheduler_fence (
    id              integer PRIMARY KEY CHECK (id = 1),
    token           bigint NOT NULL,
    leader          text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One claim index per kind of contact, so each part of the claim walks an index in order and
-- stops after n rows instead of sorting every eligible contact.
DROP INDEX contacts_claim;
CREATE INDEX contacts_claim_callback ON contacts (campaign_id, next_eligible_at)
    WHERE state = 'callback';
CREATE INDEX contacts_claim_retry ON contacts (campaign_id, next_eligible_at)
    WHERE state = 'dialable' AND attempts > 0;
CREATE INDEX contacts_claim_fresh ON contacts (campaign_id, id)
    WHERE state = 'dialable' AND attempts = 0;

-- A number is never in two calls at once, even across campaigns.
CREATE INDEX call_attempts_open_number ON call_attempts (called_number) WHERE state <> 'ended';
