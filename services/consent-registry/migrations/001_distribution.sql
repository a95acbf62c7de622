-- The change feed of blocks (NSF distribution): one row per stored Consent version, numbered in
-- commit order (rows are appended under one advisory lock), so a local block service that keeps
-- the last `seq` it saw (its cursor) can catch up without loss with $changes?since=<seq>.
CREATE TABLE IF NOT EXISTS consent_change (
  seq bigserial PRIMARY KEY,
  consent_id text NOT NULL,
  version_id integer NOT NULL,
  -- The owner's HSA-id, or 'all-providers' for a general block: who receives the change.
  owner text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (consent_id, version_id)
);
CREATE INDEX IF NOT EXISTS consent_change_owner_idx ON consent_change (owner, seq);
