-- Answering-machine detection thresholds per campaign (issue 9). They live beside the campaign's
-- other AMD choices in its `amd` jsonb column, as "thresholds": {name: value}, holding only the
-- values a supervisor set apart from the tuned defaults (campaigns/amd_thresholds.py), so a
-- campaign that never touched them follows retuned defaults and old rows need no backfill.
-- The application validates names, types and ranges; the database only refuses a shape that the
-- reader could not take (thresholds that are not an object).

ALTER TABLE campaigns ADD CONSTRAINT campaigns_amd_thresholds_check CHECK (
    jsonb_typeof(coalesce(amd -> 'thresholds', '{}'::jsonb)) = 'object'
);
