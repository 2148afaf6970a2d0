-- Supervisor listen/whisper/barge (issue 11). The worker holding a call rings the supervisor's
-- own softphone into it: the URI is set per user by an admin (`dialer user phone`), never
-- taken from a request, so the dashboard cannot be used to make the workers call anywhere.
ALTER TABLE users
    ADD COLUMN sip_uri text CHECK (sip_uri ~ '^sips?:[^\s<>"]{3,250}$');
