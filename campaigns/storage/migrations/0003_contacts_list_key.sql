-- One foreign key per contact instead of two (issue 3, bulk imports): contacts referenced both
-- campaigns and contact_lists, and each reference is a trigger run per inserted row, a quarter of
-- the cost of inserting a million contacts. The list already belongs to one campaign, so one
-- composite key checks both, and also that the two agree (before, a contact could name a list of
-- another campaign). Deleting a campaign still deletes its contacts, through its lists.

ALTER TABLE contact_lists ADD CONSTRAINT contact_lists_id_campaign_key UNIQUE (id, campaign_id);
ALTER TABLE contacts
    DROP CONSTRAINT contacts_campaign_id_fkey,
    DROP CONSTRAINT contacts_list_id_fkey,
    ADD CONSTRAINT contacts_list_campaign_fkey FOREIGN KEY (list_id, campaign_id)
        REFERENCES contact_lists (id, campaign_id) ON DELETE CASCADE;
