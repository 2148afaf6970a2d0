-- Issue 10: a queued caller is told their place in line (and the estimated wait) every
-- announce_place_s seconds of waiting; 0 never tells them.
ALTER TABLE inbound_queues
    ADD COLUMN announce_place_s integer NOT NULL DEFAULT 30
        CHECK (announce_place_s = 0 OR announce_place_s BETWEEN 10 AND 3600);
