-- The durable truth of the dialer: everything here must survive; live state lives in Redis.
-- Times are timestamptz (UTC on the wire); phone numbers are E.164 text.

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{1,64}$'),
    display_name    text NOT NULL DEFAULT '',
    role            text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    password_hash   text NOT NULL,
    -- Bumped on password change: sessions carrying an older epoch are no longer accepted.
    session_epoch   integer NOT NULL DEFAULT 0,
    disabled        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL,
    token_hash      text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE TABLE trunks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    -- e.g. sip:{number}@carrier.example:5060; {number} is only ever filled with a validated E.164.
    uri_template    text NOT NULL CHECK (uri_template ~ '^sips?:.*\{number\}'),
    outbound_proxy  text,
    auth_username   text,
    auth_password   text,
    auth_realm      text,
    max_lines       integer NOT NULL DEFAULT 100 CHECK (max_lines > 0),
    max_cps         numeric(6, 2) NOT NULL DEFAULT 10 CHECK (max_cps > 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    state           text NOT NULL DEFAULT 'stopped' CHECK (state IN ('stopped', 'running', 'paused')),
    caller_id       text NOT NULL CHECK (caller_id ~ '^\+[1-9][0-9]{6,14}$'),
    trunk_id        bigint REFERENCES trunks (id),
    dial_mode       text NOT NULL DEFAULT 'predictive'
                    CHECK (dial_mode IN ('preview', 'progressive', 'ratio', 'predictive')),
    dial_ratio      numeric(4, 2) NOT NULL DEFAULT 1.5 CHECK (dial_ratio BETWEEN 1 AND 5),
    abandon_target  numeric(5, 4) NOT NULL DEFAULT 0.025 CHECK (abandon_target > 0 AND abandon_target <= 0.05),
    -- Below this many agents logged in, predictive falls back to progressive.
    min_agents_predictive integer NOT NULL DEFAULT 3 CHECK (min_agents_predictive >= 1),
    max_lines       integer CHECK (max_lines > 0),
    rule_set        text NOT NULL DEFAULT 'US' CHECK (rule_set IN ('US', 'UK', 'CA', 'custom')),
    -- {"weekday": ["08:00", "21:00"], "saturday": [...], "sunday": [...]}, the called party's local time.
    calling_hours   jsonb NOT NULL,
    ring_timeout_s  integer NOT NULL DEFAULT 25 CHECK (ring_timeout_s BETWEEN 15 AND 120),
    max_attempts    integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 50),
    -- {"busy": {"delay_s": 900, "max_attempts": 3}, "no_answer": {...}, ...}
    retry_policy    jsonb NOT NULL,
    -- Which contacts go first: callbacks due, retries, fresh contacts.
    contact_order   text[] NOT NULL DEFAULT '{callback,retry,fresh}',
    -- Path of the WAV played on abandonment; NULL plays the generated default.
    abandon_message text,
    wrapup_limit_s  integer NOT NULL DEFAULT 60 CHECK (wrapup_limit_s BETWEEN 5 AND 3600),
    -- When the campaign itself runs, in its own time zone: {"days": [0..6], "start": "09:00", "end": "20:00"}; {} = always.
    schedule        jsonb NOT NULL DEFAULT '{}',
    timezone        text NOT NULL DEFAULT 'UTC',
    default_region  text NOT NULL DEFAULT 'US' CHECK (default_region ~ '^[A-Z]{2}$'),
    amd             jsonb NOT NULL DEFAULT '{"action": "off"}',
    recording       text NOT NULL DEFAULT 'never' CHECK (recording IN ('never', 'on_demand', 'always')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    sip_uri         text NOT NULL CHECK (sip_uri ~ '^sips?:'),
    forward_mode    text NOT NULL DEFAULT 'off' CHECK (forward_mode IN ('off', 'always', 'busy', 'no_answer')),
    forward_to      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_campaigns (
    agent_id        bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, campaign_id)
);

CREATE TABLE pause_codes (
    code            text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,32}$'),
    label           text NOT NULL
);

CREATE TABLE dispositions (
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    code            text NOT NULL CHECK (code ~ '^[a-z0-9_]{1,32}$'),
    label           text NOT NULL,
    -- What the disposition does to the contact.
    action          text NOT NULL CHECK (action IN ('complete', 'retry', 'callback', 'dnc')),
    -- Whether the agent found a person: estimates answering-machine false positives.
    human           boolean NOT NULL DEFAULT true,
    position        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, code)
);

CREATE TABLE contact_lists (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name            text NOT NULL,
    source_filename text,
    default_region  text NOT NULL CHECK (default_region ~ '^[A-Z]{2}$'),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    list_id         bigint NOT NULL REFERENCES contact_lists (id) ON DELETE CASCADE,
    phone_e164      text NOT NULL CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    -- libphonenumber's type (mobile, fixed_line, ...) and the source column (mobile, home, ...).
    phone_type      text NOT NULL DEFAULT 'unknown',
    phone_label     text,
    -- Rows of one source record (several phone columns) share a person key for the screen pop.
    person_key      text,
    first_name      text NOT NULL DEFAULT '',
    last_name       text NOT NULL DEFAULT '',
    postal_code     text,
    -- Every zone the number may be in: dialed only when all of them are inside the window.
    time_zones      text[] NOT NULL CHECK (cardinality(time_zones) > 0),
    custom_fields   jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'dialable'
                    CHECK (state IN ('dialable', 'in_flight', 'callback', 'done', 'exhausted', 'dnc')),
    -- Why a contact is not dialable (on DNC list X, exhausted after busy, ...): never silently dropped.
    block_reason    text,
    attempts        integer NOT NULL DEFAULT 0,
    next_eligible_at timestamptz NOT NULL DEFAULT '-infinity',
    callback_agent_id bigint REFERENCES agents (id) ON DELETE SET NULL,
    last_outcome    text,
    last_attempt_at timestamptz,
    last_abandoned_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, phone_e164)
);
-- The claim: dialable or callback contacts of one campaign, earliest eligible first.
CREATE INDEX contacts_claim ON contacts (campaign_id, state, next_eligible_at)
    WHERE state IN ('dialable', 'callback');
CREATE INDEX contacts_phone ON contacts (phone_e164);
CREATE INDEX contacts_list ON contacts (list_id);

CREATE TABLE dnc_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- NULL: the global list, honoured by every campaign.
    campaign_id     bigint REFERENCES campaigns (id) ON DELETE CASCADE,
    phone_e164      text NOT NULL CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    source          text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    added_by        bigint REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE NULLS NOT DISTINCT (campaign_id, phone_e164)
);
CREATE INDEX dnc_entries_phone ON dnc_entries (phone_e164);

CREATE TABLE call_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id),
    contact_id      bigint REFERENCES contacts (id) ON DELETE SET NULL,
    kind            text NOT NULL DEFAULT 'auto' CHECK (kind IN ('auto', 'manual', 'preview')),
    called_number   text NOT NULL,
    caller_id       text NOT NULL,
    -- queued -> dialing -> ringing -> answered -> connected -> ended; the compare-and-set from
    -- queued to dialing is what guarantees one INVITE per attempt, whatever the broker does.
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'dialing', 'ringing', 'answered', 'connected', 'ended')),
    outcome         text CHECK (outcome IN (
                        'connected', 'abandoned', 'answered', 'machine', 'busy', 'no_answer', 'rejected',
                        'invalid_number', 'failed', 'worker_lost', 'expired', 'cancelled')),
    sip_status      integer,
    sip_reason      text,
    sip_call_id     text,
    worker          text,
    agent_id        bigint REFERENCES agents (id) ON DELETE SET NULL,
    -- The compliance timeline (COMPLIANCE.md): every step that proves the rules were kept.
    queued_at       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    dial_at         timestamptz,
    ring_at         timestamptz,
    answer_at       timestamptz,
    amd_result      text CHECK (amd_result IN ('human', 'machine', 'not_sure')),
    amd_decided_at  timestamptz,
    agent_connect_at timestamptz,
    message_start_at timestamptz,
    hangup_at       timestamptz,
    hangup_by       text CHECK (hangup_by IN ('customer', 'agent', 'dialer', 'carrier')),
    disposition     text,
    disposition_at  timestamptz,
    disposition_by  bigint REFERENCES users (id) ON DELETE SET NULL,
    notes           text,
    recording_path  text,
    CHECK (state <> 'ended' OR outcome IS NOT NULL)
);
-- Never two calls in flight for one contact.
CREATE UNIQUE INDEX call_attempts_one_open_per_contact ON call_attempts (contact_id) WHERE state <> 'ended';
CREATE INDEX call_attempts_open ON call_attempts (state, queued_at) WHERE state <> 'ended';
CREATE INDEX call_attempts_campaign_time ON call_attempts (campaign_id, queued_at);
CREATE INDEX call_attempts_contact ON call_attempts (contact_id);
CREATE INDEX call_attempts_agent_time ON call_attempts (agent_id, queued_at) WHERE agent_id IS NOT NULL;

CREATE TABLE agent_state_history (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id        bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    campaign_id     bigint REFERENCES campaigns (id) ON DELETE SET NULL,
    state           text NOT NULL
                    CHECK (state IN ('logged_out', 'ready', 'reserved', 'on_call', 'wrap_up', 'paused')),
    reason          text,
    attempt_id      bigint,
    started_at      timestamptz NOT NULL,
    -- Filled when the next state starts, so reports sum durations without window functions.
    ended_at        timestamptz
);
CREATE INDEX agent_state_history_agent ON agent_state_history (agent_id, started_at);
CREATE INDEX agent_state_history_time ON agent_state_history (started_at);

CREATE TABLE inbound_queues (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    campaign_id     bigint REFERENCES campaigns (id) ON DELETE SET NULL,
    max_wait_s      integer NOT NULL DEFAULT 120 CHECK (max_wait_s BETWEEN 5 AND 3600),
    overflow        text NOT NULL DEFAULT 'voicemail' CHECK (overflow IN ('voicemail', 'callback')),
    announcement    text,
    music_on_hold   text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dids (
    number          text PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
    queue_id        bigint NOT NULL REFERENCES inbound_queues (id) ON DELETE CASCADE
);

CREATE TABLE inbound_calls (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue_id        bigint REFERENCES inbound_queues (id) ON DELETE SET NULL,
    did             text NOT NULL,
    caller_number   text NOT NULL,
    contact_id      bigint REFERENCES contacts (id) ON DELETE SET NULL,
    sip_call_id     text,
    worker          text,
    agent_id        bigint REFERENCES agents (id) ON DELETE SET NULL,
    offered_at      timestamptz NOT NULL,
    answered_at     timestamptz,
    abandoned_at    timestamptz,
    ended_at        timestamptz,
    outcome         text CHECK (outcome IN ('answered', 'abandoned', 'voicemail', 'callback', 'rejected')),
    disposition     text,
    disposition_at  timestamptz,
    notes           text,
    recording_path  text
);
CREATE INDEX inbound_calls_time ON inbound_calls (offered_at);
CREATE INDEX inbound_calls_queue_time ON inbound_calls (queue_id, offered_at);

CREATE TABLE list_imports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    list_id         bigint REFERENCES contact_lists (id) ON DELETE SET NULL,
    filename        text NOT NULL,
    state           text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    rows            integer NOT NULL DEFAULT 0,
    imported        integer NOT NULL DEFAULT 0,
    duplicates      integer NOT NULL DEFAULT 0,
    invalid         integer NOT NULL DEFAULT 0,
    dnc             integer NOT NULL DEFAULT 0,
    progress        real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    error           text,
    options         jsonb NOT NULL DEFAULT '{}',
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

CREATE TABLE import_rejects (
    import_id       bigint NOT NULL REFERENCES list_imports (id) ON DELETE CASCADE,
    row_number      integer NOT NULL,
    reason          text NOT NULL,
    raw             jsonb NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

CREATE TABLE mapping_templates (
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name            text NOT NULL,
    mapping         jsonb NOT NULL,
    PRIMARY KEY (campaign_id, name)
);
