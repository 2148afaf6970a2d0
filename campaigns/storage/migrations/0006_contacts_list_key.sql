-- Contacts name their list (and through it their campaign) with set-based checks instead of two
-- foreign keys (issue 3, bulk imports). A foreign key is a trigger run once per inserted row: the
-- two of them cost a quarter of inserting a million contacts. The statement-level checks below
-- keep what the keys guaranteed (the list exists; deleting a list or its campaign deletes its
-- contacts; a list cannot vanish under an insert) and add one: a contact's campaign is its
-- list's campaign.

ALTER TABLE contacts
    DROP CONSTRAINT contacts_campaign_id_fkey,
    DROP CONSTRAINT contacts_list_id_fkey;

-- After each INSERT statement: every (list, campaign) the new contacts name exists, locked FOR
-- KEY SHARE as a foreign key would lock it, so a concurrent delete of the list waits for us.
CREATE FUNCTION contacts_check_lists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM contact_lists l
    WHERE l.id IN (SELECT DISTINCT list_id FROM new_contacts)
    FOR KEY SHARE;
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT list_id, campaign_id FROM new_contacts) n
        WHERE NOT EXISTS (
            SELECT 1 FROM contact_lists l WHERE l.id = n.list_id AND l.campaign_id = n.campaign_id)
    ) THEN
        RAISE foreign_key_violation
            USING MESSAGE = 'contacts must name an existing list of their own campaign';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contacts_check_lists AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_check_lists();

-- Updates that move a contact (rare, never on the dialing path) are checked row by row.
CREATE FUNCTION contacts_check_list_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM contact_lists l
    WHERE l.id = NEW.list_id AND l.campaign_id = NEW.campaign_id
    FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE foreign_key_violation
            USING MESSAGE = 'contacts must name an existing list of their own campaign';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER contacts_check_list_change BEFORE UPDATE OF list_id, campaign_id ON contacts
    FOR EACH ROW
    WHEN (OLD.list_id IS DISTINCT FROM NEW.list_id OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
    EXECUTE FUNCTION contacts_check_list_change();

-- Deleting lists (directly, or through their campaign's ON DELETE CASCADE) deletes their
-- contacts, in one statement.
CREATE FUNCTION contact_lists_delete_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contacts c USING old_lists o WHERE c.list_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_lists_delete_contacts AFTER DELETE ON contact_lists
    REFERENCING OLD TABLE AS old_lists
    FOR EACH STATEMENT EXECUTE FUNCTION contact_lists_delete_contacts();

-- A list keeps its id and campaign while it has contacts.
CREATE FUNCTION contact_lists_keep_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM contacts WHERE list_id = OLD.id) THEN
        RAISE foreign_key_violation
            USING MESSAGE = 'a list with contacts keeps its id and campaign';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER contact_lists_keep_keys BEFORE UPDATE OF id, campaign_id ON contact_lists
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
    EXECUTE FUNCTION contact_lists_keep_keys();
