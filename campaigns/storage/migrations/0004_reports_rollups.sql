-- Report rollups: small aggregates that the reports read instead of millions of raw rows.
--
-- Each rollup is kept exact by statement-level triggers over transition tables: a statement's
-- old rows are subtracted and its new rows added, so late updates (an attempt inserted when queued
-- and updated when it ends, a disposition hours later, a reaper closing lost attempts, a deletion)
-- move counts between buckets instead of being missed. One aggregated upsert per rollup and
-- statement, in key order, keeps bulk loads (COPY, the scheduler's claims) cheap and takes row
-- locks in one order. Keep transactions that end attempts or move contacts short: they hold the
-- rollup rows they touched until they commit.
--
-- Two granularities:
-- * UTC hours (attempts, inbound calls) for reports by hour, shifted into the viewer's time zone
--   (zones with a non-whole-hour offset see each hour at that offset);
-- * each campaign's own calendar days (attempts, agent time) for compliance and range totals:
--   abandonment counts per campaign day, and a month of days is 30 rows, not 720. Changing a
--   campaign's time zone recomputes its day rows (report_campaign_zone_changed).
-- report_rebuild_rollups() recomputes everything from the raw tables (repair, and the tests' oracle).
-- The rollup rows are rewritten all day: free space in each page (fillfactor) keeps those updates
-- HOT, without new index entries.

-- Ended outbound attempts per campaign, UTC hour of queueing, outcome and whether answering-
-- machine detection said "machine"; the disposition only for those (a human one makes an AMD
-- false positive), so an hour holds a row per outcome rather than per outcome and disposition.
CREATE TABLE report_attempt_hours (
    campaign_id     bigint NOT NULL,
    hour            timestamptz NOT NULL,
    outcome         text NOT NULL,
    disposition     text NOT NULL DEFAULT '',
    amd_machine     boolean NOT NULL,
    attempts        bigint NOT NULL,
    PRIMARY KEY (campaign_id, hour, outcome, disposition, amd_machine)
) WITH (fillfactor = 70);

-- Per day of the campaign's own time zone, with every disposition (the outcome breakdown).
CREATE TABLE report_attempt_days (
    campaign_id     bigint NOT NULL,
    day             date NOT NULL,
    outcome         text NOT NULL,
    disposition     text NOT NULL DEFAULT '',
    amd_machine     boolean NOT NULL,
    attempts        bigint NOT NULL,
    PRIMARY KEY (campaign_id, day, outcome, disposition, amd_machine)
) WITH (fillfactor = 70);

-- Closed agent state intervals split at the campaign's midnights (UTC ones for campaign 0, time
-- outside any campaign): one row per agent and day with a column per state. calls counts the
-- on-call intervals that started that day. A state with no campaign_id but several campaigns
-- worked (a blended agent waiting) is shared evenly between them, so per-campaign figures add up
-- to the agent's time instead of counting it once per campaign.
CREATE TABLE report_agent_days (
    campaign_id     bigint NOT NULL,
    day             date NOT NULL,
    agent_id        bigint NOT NULL,
    calls           bigint NOT NULL,
    talk_s          double precision NOT NULL,
    wrap_s          double precision NOT NULL,
    reserved_s      double precision NOT NULL,
    ready_s         double precision NOT NULL,
    paused_s        double precision NOT NULL,
    PRIMARY KEY (campaign_id, day, agent_id)
) WITH (fillfactor = 70);

CREATE TABLE report_agent_pause_days (
    campaign_id     bigint NOT NULL,
    day             date NOT NULL,
    agent_id        bigint NOT NULL,
    reason          text NOT NULL,
    seconds         double precision NOT NULL,
    PRIMARY KEY (campaign_id, day, agent_id, reason)
) WITH (fillfactor = 70);

-- Finished inbound calls per queue (0 = none), UTC hour offered, outcome and wait in 5 s steps
-- (wait_step 60 holds every wait of 300 s or more): enough for service level at any multiple of 5 s.
CREATE TABLE report_inbound_hours (
    queue_id        bigint NOT NULL,
    hour            timestamptz NOT NULL,
    outcome         text NOT NULL,
    wait_step       integer NOT NULL,
    calls           bigint NOT NULL,
    wait_s          double precision NOT NULL,
    talk_s          double precision NOT NULL,
    PRIMARY KEY (queue_id, hour, outcome, wait_step)
) WITH (fillfactor = 70);

-- Contacts per list by state and attempts so far: list penetration without scanning contacts.
CREATE TABLE report_list_contacts (
    list_id         bigint NOT NULL,
    campaign_id     bigint NOT NULL,
    state           text NOT NULL,
    attempts        integer NOT NULL,
    contacts        bigint NOT NULL,
    PRIMARY KEY (list_id, state, attempts)
) WITH (fillfactor = 70);
CREATE INDEX report_list_contacts_campaign ON report_list_contacts (campaign_id);

CREATE FUNCTION report_fold_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Static SQL per event: each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        WITH changed AS (
            SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, 1 AS n
            FROM new_rows a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL
        ), u0 AS (
            INSERT INTO report_attempt_hours AS r (campaign_id, hour, outcome, disposition, amd_machine, attempts)
            SELECT campaign_id,
                   date_trunc('hour', queued_at, 'UTC'),
                   outcome,
                   CASE WHEN amd_machine THEN disposition ELSE '' END,
                   amd_machine,
                   sum(n)
            FROM changed
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (campaign_id, hour, outcome, disposition, amd_machine) DO UPDATE SET
                attempts = r.attempts + EXCLUDED.attempts
            RETURNING 1
        )
        INSERT INTO report_attempt_days AS r (campaign_id, day, outcome, disposition, amd_machine, attempts)
        SELECT campaign_id,
               (queued_at AT TIME ZONE timezone)::date,
               outcome,
               disposition,
               amd_machine,
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (campaign_id, day, outcome, disposition, amd_machine) DO UPDATE SET
            attempts = r.attempts + EXCLUDED.attempts;
    ELSIF TG_OP = 'DELETE' THEN
        WITH changed AS (
            SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, -1 AS n
            FROM old_rows a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL
        ), u0 AS (
            INSERT INTO report_attempt_hours AS r (campaign_id, hour, outcome, disposition, amd_machine, attempts)
            SELECT campaign_id,
                   date_trunc('hour', queued_at, 'UTC'),
                   outcome,
                   CASE WHEN amd_machine THEN disposition ELSE '' END,
                   amd_machine,
                   sum(n)
            FROM changed
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (campaign_id, hour, outcome, disposition, amd_machine) DO UPDATE SET
                attempts = r.attempts + EXCLUDED.attempts
            RETURNING 1
        )
        INSERT INTO report_attempt_days AS r (campaign_id, day, outcome, disposition, amd_machine, attempts)
        SELECT campaign_id,
               (queued_at AT TIME ZONE timezone)::date,
               outcome,
               disposition,
               amd_machine,
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (campaign_id, day, outcome, disposition, amd_machine) DO UPDATE SET
            attempts = r.attempts + EXCLUDED.attempts;
    ELSE
        WITH changed AS (
            SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, 1 AS n
            FROM new_rows a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL
            UNION ALL
            SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, -1 AS n
            FROM old_rows a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL
        ), u0 AS (
            INSERT INTO report_attempt_hours AS r (campaign_id, hour, outcome, disposition, amd_machine, attempts)
            SELECT campaign_id,
                   date_trunc('hour', queued_at, 'UTC'),
                   outcome,
                   CASE WHEN amd_machine THEN disposition ELSE '' END,
                   amd_machine,
                   sum(n)
            FROM changed
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (campaign_id, hour, outcome, disposition, amd_machine) DO UPDATE SET
                attempts = r.attempts + EXCLUDED.attempts
            RETURNING 1
        )
        INSERT INTO report_attempt_days AS r (campaign_id, day, outcome, disposition, amd_machine, attempts)
        SELECT campaign_id,
               (queued_at AT TIME ZONE timezone)::date,
               outcome,
               disposition,
               amd_machine,
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (campaign_id, day, outcome, disposition, amd_machine) DO UPDATE SET
            attempts = r.attempts + EXCLUDED.attempts;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_attempts_inserted AFTER INSERT ON call_attempts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_attempts();
CREATE TRIGGER report_attempts_updated AFTER UPDATE ON call_attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_fold_attempts();
CREATE TRIGGER report_attempts_deleted AFTER DELETE ON call_attempts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_attempts();

CREATE FUNCTION report_fold_agent_states() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Static SQL per event: each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        WITH changed AS (
            SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM new_rows s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL
        ), u0 AS (
            INSERT INTO report_agent_days AS r (campaign_id, day, agent_id, calls, talk_s, wrap_s, reserved_s, ready_s, paused_s)
            SELECT campaign_id,
                   day,
                   agent_id,
                   coalesce(sum(entries) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'wrap_up'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'reserved'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'ready'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'paused'), 0)
            FROM changed WHERE state IN ('on_call', 'wrap_up', 'reserved', 'ready', 'paused')
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (campaign_id, day, agent_id) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls,
                talk_s = r.talk_s + EXCLUDED.talk_s,
                wrap_s = r.wrap_s + EXCLUDED.wrap_s,
                reserved_s = r.reserved_s + EXCLUDED.reserved_s,
                ready_s = r.ready_s + EXCLUDED.ready_s,
                paused_s = r.paused_s + EXCLUDED.paused_s
            RETURNING 1
        )
        INSERT INTO report_agent_pause_days AS r (campaign_id, day, agent_id, reason, seconds)
        SELECT campaign_id,
               day,
               agent_id,
               reason,
               sum(seconds)
        FROM changed WHERE state = 'paused'
        GROUP BY 1, 2, 3, 4 HAVING sum(seconds) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (campaign_id, day, agent_id, reason) DO UPDATE SET
            seconds = r.seconds + EXCLUDED.seconds;
    ELSIF TG_OP = 'DELETE' THEN
        WITH changed AS (
            SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   -1 * extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   -1 * (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM old_rows s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL
        ), u0 AS (
            INSERT INTO report_agent_days AS r (campaign_id, day, agent_id, calls, talk_s, wrap_s, reserved_s, ready_s, paused_s)
            SELECT campaign_id,
                   day,
                   agent_id,
                   coalesce(sum(entries) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'wrap_up'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'reserved'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'ready'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'paused'), 0)
            FROM changed WHERE state IN ('on_call', 'wrap_up', 'reserved', 'ready', 'paused')
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (campaign_id, day, agent_id) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls,
                talk_s = r.talk_s + EXCLUDED.talk_s,
                wrap_s = r.wrap_s + EXCLUDED.wrap_s,
                reserved_s = r.reserved_s + EXCLUDED.reserved_s,
                ready_s = r.ready_s + EXCLUDED.ready_s,
                paused_s = r.paused_s + EXCLUDED.paused_s
            RETURNING 1
        )
        INSERT INTO report_agent_pause_days AS r (campaign_id, day, agent_id, reason, seconds)
        SELECT campaign_id,
               day,
               agent_id,
               reason,
               sum(seconds)
        FROM changed WHERE state = 'paused'
        GROUP BY 1, 2, 3, 4 HAVING sum(seconds) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (campaign_id, day, agent_id, reason) DO UPDATE SET
            seconds = r.seconds + EXCLUDED.seconds;
    ELSE
        WITH changed AS (
            SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM new_rows s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL
            UNION ALL
            SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   -1 * extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   -1 * (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM old_rows s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL
        ), u0 AS (
            INSERT INTO report_agent_days AS r (campaign_id, day, agent_id, calls, talk_s, wrap_s, reserved_s, ready_s, paused_s)
            SELECT campaign_id,
                   day,
                   agent_id,
                   coalesce(sum(entries) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'on_call'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'wrap_up'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'reserved'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'ready'), 0),
                   coalesce(sum(seconds) FILTER (WHERE state = 'paused'), 0)
            FROM changed WHERE state IN ('on_call', 'wrap_up', 'reserved', 'ready', 'paused')
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (campaign_id, day, agent_id) DO UPDATE SET
                calls = r.calls + EXCLUDED.calls,
                talk_s = r.talk_s + EXCLUDED.talk_s,
                wrap_s = r.wrap_s + EXCLUDED.wrap_s,
                reserved_s = r.reserved_s + EXCLUDED.reserved_s,
                ready_s = r.ready_s + EXCLUDED.ready_s,
                paused_s = r.paused_s + EXCLUDED.paused_s
            RETURNING 1
        )
        INSERT INTO report_agent_pause_days AS r (campaign_id, day, agent_id, reason, seconds)
        SELECT campaign_id,
               day,
               agent_id,
               reason,
               sum(seconds)
        FROM changed WHERE state = 'paused'
        GROUP BY 1, 2, 3, 4 HAVING sum(seconds) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (campaign_id, day, agent_id, reason) DO UPDATE SET
            seconds = r.seconds + EXCLUDED.seconds;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_agent_states_inserted AFTER INSERT ON agent_state_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_agent_states();
CREATE TRIGGER report_agent_states_updated AFTER UPDATE ON agent_state_history
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_fold_agent_states();
CREATE TRIGGER report_agent_states_deleted AFTER DELETE ON agent_state_history
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_agent_states();

CREATE FUNCTION report_fold_inbound_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Static SQL per event: each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        WITH changed AS (
            SELECT coalesce(queue_id, 0) AS queue_id, offered_at, outcome, wait, talk, 1 AS n
            FROM new_rows CROSS JOIN LATERAL (SELECT
                greatest(extract(epoch FROM coalesce(answered_at, abandoned_at, ended_at)
                                 - offered_at), 0)::double precision AS wait,
                greatest(coalesce(extract(epoch FROM ended_at - answered_at), 0), 0)
                    ::double precision AS talk) AS t
            WHERE outcome IS NOT NULL
        )
        INSERT INTO report_inbound_hours AS r (queue_id, hour, outcome, wait_step, calls, wait_s, talk_s)
        SELECT queue_id,
               date_trunc('hour', offered_at, 'UTC'),
               outcome,
               least(floor(wait / 5), 60)::integer,
               sum(n),
               sum(n * wait),
               sum(n * talk)
        FROM changed
        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (queue_id, hour, outcome, wait_step) DO UPDATE SET
            calls = r.calls + EXCLUDED.calls,
            wait_s = r.wait_s + EXCLUDED.wait_s,
            talk_s = r.talk_s + EXCLUDED.talk_s;
    ELSIF TG_OP = 'DELETE' THEN
        WITH changed AS (
            SELECT coalesce(queue_id, 0) AS queue_id, offered_at, outcome, wait, talk, -1 AS n
            FROM old_rows CROSS JOIN LATERAL (SELECT
                greatest(extract(epoch FROM coalesce(answered_at, abandoned_at, ended_at)
                                 - offered_at), 0)::double precision AS wait,
                greatest(coalesce(extract(epoch FROM ended_at - answered_at), 0), 0)
                    ::double precision AS talk) AS t
            WHERE outcome IS NOT NULL
        )
        INSERT INTO report_inbound_hours AS r (queue_id, hour, outcome, wait_step, calls, wait_s, talk_s)
        SELECT queue_id,
               date_trunc('hour', offered_at, 'UTC'),
               outcome,
               least(floor(wait / 5), 60)::integer,
               sum(n),
               sum(n * wait),
               sum(n * talk)
        FROM changed
        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (queue_id, hour, outcome, wait_step) DO UPDATE SET
            calls = r.calls + EXCLUDED.calls,
            wait_s = r.wait_s + EXCLUDED.wait_s,
            talk_s = r.talk_s + EXCLUDED.talk_s;
    ELSE
        WITH changed AS (
            SELECT coalesce(queue_id, 0) AS queue_id, offered_at, outcome, wait, talk, 1 AS n
            FROM new_rows CROSS JOIN LATERAL (SELECT
                greatest(extract(epoch FROM coalesce(answered_at, abandoned_at, ended_at)
                                 - offered_at), 0)::double precision AS wait,
                greatest(coalesce(extract(epoch FROM ended_at - answered_at), 0), 0)
                    ::double precision AS talk) AS t
            WHERE outcome IS NOT NULL
            UNION ALL
            SELECT coalesce(queue_id, 0) AS queue_id, offered_at, outcome, wait, talk, -1 AS n
            FROM old_rows CROSS JOIN LATERAL (SELECT
                greatest(extract(epoch FROM coalesce(answered_at, abandoned_at, ended_at)
                                 - offered_at), 0)::double precision AS wait,
                greatest(coalesce(extract(epoch FROM ended_at - answered_at), 0), 0)
                    ::double precision AS talk) AS t
            WHERE outcome IS NOT NULL
        )
        INSERT INTO report_inbound_hours AS r (queue_id, hour, outcome, wait_step, calls, wait_s, talk_s)
        SELECT queue_id,
               date_trunc('hour', offered_at, 'UTC'),
               outcome,
               least(floor(wait / 5), 60)::integer,
               sum(n),
               sum(n * wait),
               sum(n * talk)
        FROM changed
        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (queue_id, hour, outcome, wait_step) DO UPDATE SET
            calls = r.calls + EXCLUDED.calls,
            wait_s = r.wait_s + EXCLUDED.wait_s,
            talk_s = r.talk_s + EXCLUDED.talk_s;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_inbound_calls_inserted AFTER INSERT ON inbound_calls
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_inbound_calls();
CREATE TRIGGER report_inbound_calls_updated AFTER UPDATE ON inbound_calls
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_fold_inbound_calls();
CREATE TRIGGER report_inbound_calls_deleted AFTER DELETE ON inbound_calls
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_inbound_calls();

CREATE FUNCTION report_fold_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Static SQL per event: each branch names only the transition tables its event has.
    IF TG_OP = 'INSERT' THEN
        WITH changed AS (
            SELECT list_id, campaign_id, state, attempts, 1 AS n FROM new_rows
        )
        INSERT INTO report_list_contacts AS r (list_id, state, attempts, campaign_id, contacts)
        SELECT list_id,
               state,
               attempts,
               min(campaign_id),
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (list_id, state, attempts) DO UPDATE SET
            contacts = r.contacts + EXCLUDED.contacts;
    ELSIF TG_OP = 'DELETE' THEN
        WITH changed AS (
            SELECT list_id, campaign_id, state, attempts, -1 AS n FROM old_rows
        )
        INSERT INTO report_list_contacts AS r (list_id, state, attempts, campaign_id, contacts)
        SELECT list_id,
               state,
               attempts,
               min(campaign_id),
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (list_id, state, attempts) DO UPDATE SET
            contacts = r.contacts + EXCLUDED.contacts;
    ELSE
        WITH changed AS (
            SELECT list_id, campaign_id, state, attempts, 1 AS n FROM new_rows
            UNION ALL
            SELECT list_id, campaign_id, state, attempts, -1 AS n FROM old_rows
        )
        INSERT INTO report_list_contacts AS r (list_id, state, attempts, campaign_id, contacts)
        SELECT list_id,
               state,
               attempts,
               min(campaign_id),
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (list_id, state, attempts) DO UPDATE SET
            contacts = r.contacts + EXCLUDED.contacts;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_contacts_inserted AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_contacts();
CREATE TRIGGER report_contacts_updated AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_fold_contacts();
CREATE TRIGGER report_contacts_deleted AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_fold_contacts();

-- Day rows follow the campaign's time zone: when it changes, recount that campaign's days.
CREATE FUNCTION report_campaign_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_attempt_days WHERE campaign_id = NEW.id;
    DELETE FROM report_agent_days WHERE campaign_id = NEW.id;
    DELETE FROM report_agent_pause_days WHERE campaign_id = NEW.id;
    WITH changed AS (
        SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, 1 AS n
            FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL AND a.campaign_id = NEW.id
    )
    INSERT INTO report_attempt_days AS r (campaign_id, day, outcome, disposition, amd_machine, attempts)
    SELECT campaign_id,
           (queued_at AT TIME ZONE timezone)::date,
           outcome,
           disposition,
           amd_machine,
           sum(n)
    FROM changed
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    WITH changed AS (
        SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM agent_state_history s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL AND k.campaign_id = NEW.id
    ), u0 AS (
        INSERT INTO report_agent_days AS r (campaign_id, day, agent_id, calls, talk_s, wrap_s, reserved_s, ready_s, paused_s)
        SELECT campaign_id,
               day,
               agent_id,
               coalesce(sum(entries) FILTER (WHERE state = 'on_call'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'on_call'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'wrap_up'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'reserved'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'ready'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'paused'), 0)
        FROM changed WHERE state IN ('on_call', 'wrap_up', 'reserved', 'ready', 'paused')
        GROUP BY 1, 2, 3
        RETURNING 1
    )
    INSERT INTO report_agent_pause_days AS r (campaign_id, day, agent_id, reason, seconds)
    SELECT campaign_id,
           day,
           agent_id,
           reason,
           sum(seconds)
    FROM changed WHERE state = 'paused'
    GROUP BY 1, 2, 3, 4 HAVING sum(seconds) <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER report_campaign_zone_changed AFTER UPDATE OF timezone ON campaigns
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION report_campaign_zone_changed();

-- Recompute every rollup from the raw tables: for repairs after manual edits with triggers off,
-- and the oracle the tests compare the incremental rollups with.
CREATE FUNCTION report_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_attempt_hours;
    DELETE FROM report_attempt_days;
    DELETE FROM report_agent_days;
    DELETE FROM report_agent_pause_days;
    DELETE FROM report_inbound_hours;
    DELETE FROM report_list_contacts;
    WITH changed AS (
        SELECT a.campaign_id, a.queued_at, c.timezone, a.outcome,
                   coalesce(a.disposition, '') AS disposition,
                   coalesce(a.amd_result = 'machine', false) AS amd_machine, 1 AS n
            FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id
            WHERE a.outcome IS NOT NULL
    ), u0 AS (
        INSERT INTO report_attempt_hours AS r (campaign_id, hour, outcome, disposition, amd_machine, attempts)
        SELECT campaign_id,
               date_trunc('hour', queued_at, 'UTC'),
               outcome,
               CASE WHEN amd_machine THEN disposition ELSE '' END,
               amd_machine,
               sum(n)
        FROM changed
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
        RETURNING 1
    )
    INSERT INTO report_attempt_days AS r (campaign_id, day, outcome, disposition, amd_machine, attempts)
    SELECT campaign_id,
           (queued_at AT TIME ZONE timezone)::date,
           outcome,
           disposition,
           amd_machine,
           sum(n)
    FROM changed
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    WITH changed AS (
        SELECT k.campaign_id, d.day::date AS day, s.agent_id,
                   s.state, coalesce(s.reason, '') AS reason,
                   extract(epoch FROM least(s.ended_at, z.next_start)
                                  - greatest(s.started_at, z.day_start))::double precision
                       / cardinality(w.ids) AS seconds,
                   (s.started_at >= z.day_start AND s.started_at < z.next_start)::int
                       AS entries
            FROM agent_state_history s
            CROSS JOIN LATERAL (SELECT CASE
                WHEN s.campaign_id IS NOT NULL THEN ARRAY[s.campaign_id]
                WHEN cardinality(s.campaigns) > 0 THEN s.campaigns
                ELSE ARRAY[0::bigint] END AS ids) AS w
            CROSS JOIN LATERAL unnest(w.ids) AS k (campaign_id)
            LEFT JOIN campaigns c ON c.id = k.campaign_id
            CROSS JOIN LATERAL (SELECT coalesce(c.timezone, 'UTC') AS tz) AS t
            CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE t.tz)::date::timestamp,
                (s.ended_at AT TIME ZONE t.tz)::date::timestamp, interval '1 day') AS d (day)
            CROSS JOIN LATERAL (SELECT d.day AT TIME ZONE t.tz AS day_start,
                (d.day + interval '1 day') AT TIME ZONE t.tz AS next_start) AS z
            WHERE s.ended_at IS NOT NULL
    ), u0 AS (
        INSERT INTO report_agent_days AS r (campaign_id, day, agent_id, calls, talk_s, wrap_s, reserved_s, ready_s, paused_s)
        SELECT campaign_id,
               day,
               agent_id,
               coalesce(sum(entries) FILTER (WHERE state = 'on_call'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'on_call'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'wrap_up'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'reserved'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'ready'), 0),
               coalesce(sum(seconds) FILTER (WHERE state = 'paused'), 0)
        FROM changed WHERE state IN ('on_call', 'wrap_up', 'reserved', 'ready', 'paused')
        GROUP BY 1, 2, 3
        RETURNING 1
    )
    INSERT INTO report_agent_pause_days AS r (campaign_id, day, agent_id, reason, seconds)
    SELECT campaign_id,
           day,
           agent_id,
           reason,
           sum(seconds)
    FROM changed WHERE state = 'paused'
    GROUP BY 1, 2, 3, 4 HAVING sum(seconds) <> 0;
    WITH changed AS (
        SELECT coalesce(queue_id, 0) AS queue_id, offered_at, outcome, wait, talk, 1 AS n
            FROM inbound_calls CROSS JOIN LATERAL (SELECT
                greatest(extract(epoch FROM coalesce(answered_at, abandoned_at, ended_at)
                                 - offered_at), 0)::double precision AS wait,
                greatest(coalesce(extract(epoch FROM ended_at - answered_at), 0), 0)
                    ::double precision AS talk) AS t
            WHERE outcome IS NOT NULL
    )
    INSERT INTO report_inbound_hours AS r (queue_id, hour, outcome, wait_step, calls, wait_s, talk_s)
    SELECT queue_id,
           date_trunc('hour', offered_at, 'UTC'),
           outcome,
           least(floor(wait / 5), 60)::integer,
           sum(n),
           sum(n * wait),
           sum(n * talk)
    FROM changed
    GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;
    WITH changed AS (
        SELECT list_id, campaign_id, state, attempts, 1 AS n FROM contacts
    )
    INSERT INTO report_list_contacts AS r (list_id, state, attempts, campaign_id, contacts)
    SELECT list_id,
           state,
           attempts,
           min(campaign_id),
           sum(n)
    FROM changed
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
END $$;
