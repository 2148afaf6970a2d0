-- Hourly attempt rollups keep the disposition of connected calls too (before: an AMD machine's
-- only). A connected call whose disposition has the `human` flag off is a machine an agent heard
-- (AMD off, a HUMAN verdict on voicemail, a machine passed to agents): not a live answer
-- (COMPLIANCE.md). The daily rollups, and so the abandonment report and the wallboard, already
-- left those out; the hourly ones could not tell them apart, so the best-time-to-call answer rate
-- counted them as live answers. An hour now holds a row per connected disposition as well.
--
-- Which dispositions an hour keeps is this one function; the fold trigger and the rebuild below
-- are 0004's with the expression replaced by a call to it (inlined by the planner).
CREATE FUNCTION report_hour_disposition(outcome text, disposition text, amd_machine boolean)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN amd_machine OR outcome = 'connected' THEN disposition ELSE '' END;

CREATE OR REPLACE FUNCTION report_fold_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
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
                   report_hour_disposition(outcome, disposition, amd_machine),
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
                   report_hour_disposition(outcome, disposition, amd_machine),
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
                   report_hour_disposition(outcome, disposition, amd_machine),
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

CREATE OR REPLACE FUNCTION report_rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
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
               report_hour_disposition(outcome, disposition, amd_machine),
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

-- Recount the hours that can hold a connected call's disposition (connected rows only: the other
-- outcomes' keys are unchanged), instead of rebuilding every rollup of a large database.
DELETE FROM report_attempt_hours WHERE outcome = 'connected';
INSERT INTO report_attempt_hours (campaign_id, hour, outcome, disposition, amd_machine, attempts)
SELECT campaign_id,
       date_trunc('hour', queued_at, 'UTC'),
       outcome,
       report_hour_disposition(outcome, coalesce(disposition, ''), coalesce(amd_result = 'machine', false)),
       coalesce(amd_result = 'machine', false),
       count(*)
FROM call_attempts
WHERE outcome = 'connected'
GROUP BY 1, 2, 3, 4, 5;
