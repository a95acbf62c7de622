-- A feed row per provider a change is for (NSF-R16): a revoke that names blocks goes only to the
-- owners of those blocks, one row each, instead of one row for every provider. A version may
-- therefore have several rows, one per recipient; the national feed reads each version once.
ALTER TABLE consent_change DROP CONSTRAINT IF EXISTS consent_change_consent_id_version_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS consent_change_version_owner_key ON consent_change (consent_id, version_id, owner);
