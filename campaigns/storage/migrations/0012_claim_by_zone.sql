-- The claim walks each kind of contact zone list by zone list (claim_store._kind_by_zones), so
-- its indexes lead with time_zones: the due contacts of a region whose calling window is closed
-- are skipped in one probe instead of being stepped over row by row on every tick.
DROP INDEX contacts_claim_retry;
CREATE INDEX contacts_claim_retry ON contacts (campaign_id, time_zones, next_eligible_at)
    WHERE state = 'dialable' AND attempts > 0;
DROP INDEX contacts_claim_fresh;
CREATE INDEX contacts_claim_fresh ON contacts (campaign_id, time_zones, id)
    WHERE state = 'dialable' AND attempts = 0;

-- Every claim and every call's end rewrites contact rows, and the claim's indexes keep an entry
-- for each old version until vacuum, at the front of the walk: 22,000 of them made the claim
-- 22 ms instead of 13 on the 10M-contact bench. At the default scale factor (20 %) a table of
-- 10 million contacts waits for 2 million. Vacuum after 20,000 dead rows whatever the size (about
-- 9 s for 10 million contacts here, every few minutes at full dialing speed); analyze after 1 %.
ALTER TABLE contacts SET (autovacuum_vacuum_scale_factor = 0,
                          autovacuum_vacuum_threshold = 20000,
                          autovacuum_analyze_scale_factor = 0.01);
