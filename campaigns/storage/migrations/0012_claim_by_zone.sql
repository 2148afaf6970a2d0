-- The claim walks each kind of contact zone list by zone list (claim_store._kind_by_zones), so
-- its indexes lead with time_zones: the due contacts of a region whose calling window is closed
-- are skipped in one probe instead of being stepped over row by row on every tick.
DROP INDEX contacts_claim_retry;
CREATE INDEX contacts_claim_retry ON contacts (campaign_id, time_zones, next_eligible_at)
    WHERE state = 'dialable' AND attempts > 0;
DROP INDEX contacts_claim_fresh;
CREATE INDEX contacts_claim_fresh ON contacts (campaign_id, time_zones, id)
    WHERE state = 'dialable' AND attempts = 0;

-- Every claim and every call's end rewrites contact rows, and the claim's partial indexes keep
-- an entry for each old version until vacuum: at the default scale factor (20 %) a table of 10
-- million contacts waits for 2 million dead rows. Vacuum and analyze it after 1 %.
ALTER TABLE contacts SET (autovacuum_vacuum_scale_factor = 0.01,
                          autovacuum_analyze_scale_factor = 0.01);
