-- A national service's copy (the patient data index) may hold no national identifier at rest:
-- it files blocks under a keyed pseudonym and keeps each Consent sealed (AES-256-GCM) instead of
-- as JSON. `active` lets a patient's blocks be read without opening what is not in force.
ALTER TABLE local_block ALTER COLUMN content DROP NOT NULL;
ALTER TABLE local_block ADD COLUMN IF NOT EXISTS sealed bytea;
ALTER TABLE local_block ADD COLUMN IF NOT EXISTS active boolean;
UPDATE local_block SET active = (content->>'status' = 'active') WHERE active IS NULL;
ALTER TABLE local_block ALTER COLUMN active SET NOT NULL;
ALTER TABLE local_block ADD CONSTRAINT local_block_one_form CHECK ((content IS NULL) <> (sealed IS NULL));

-- The Subscription this copy registered at NSF, so a restart catches up instead of subscribing again.
ALTER TABLE local_block_cursor ADD COLUMN IF NOT EXISTS subscription text;
