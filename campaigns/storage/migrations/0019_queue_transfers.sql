-- Transfer to an inbound queue (issue 11): an outbound call's customer passed by its agent to
-- one of the campaign's queues arrives there as an inbound call; the row names the attempt it
-- came from (dialer.queue_transfer), so the queue's agent and the reports can follow the call.
ALTER TABLE inbound_calls
    ADD COLUMN transferred_attempt_id bigint REFERENCES call_attempts (id) ON DELETE SET NULL;
