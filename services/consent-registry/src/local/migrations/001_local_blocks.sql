-- A care provider's local copy of the blocks that concern its data (NSF-R16): its own blocks and
-- every general block, as Consents in the version NSF last sent, plus the blocks registered here
-- that NSF has not confirmed yet. One indexed read per patient decides.
CREATE TABLE IF NOT EXISTS local_block (
  id text PRIMARY KEY,
  version_id integer NOT NULL,
  patient_key text NOT NULL,
  -- The Consent.identifier a block registered here carries, so NSF's copy replaces the local one.
  identifier text,
  -- True until NSF has the block (registered here, not yet seen in NSF's feed).
  pending boolean NOT NULL DEFAULT false,
  content jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS local_block_patient_idx ON local_block (patient_key);
CREATE UNIQUE INDEX IF NOT EXISTS local_block_identifier_idx ON local_block (identifier) WHERE identifier IS NOT NULL;

-- Where the catch-up stands in NSF's change feed ($changes?since=<cursor>).
CREATE TABLE IF NOT EXISTS local_block_cursor (
  national text PRIMARY KEY,
  cursor bigint NOT NULL
);
