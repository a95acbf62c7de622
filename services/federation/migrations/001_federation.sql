-- The anchor's subordinates: what onboarding registered about each entity.
CREATE TABLE IF NOT EXISTS fed_entity (
  entity_id text PRIMARY KEY,
  jwks jsonb NOT NULL,
  entity_types text[] NOT NULL,
  hsa_id text,
  metadata jsonb,
  metadata_policy jsonb,
  registered_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every trust mark issued, kept after revocation so the status endpoint can say "revoked".
CREATE TABLE IF NOT EXISTS fed_trust_mark (
  hash text PRIMARY KEY,
  trust_mark_type text NOT NULL,
  sub text NOT NULL,
  jwt text NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX IF NOT EXISTS fed_trust_mark_sub_idx ON fed_trust_mark (sub, trust_mark_type, issued_at DESC);
CREATE INDEX IF NOT EXISTS fed_trust_mark_type_idx ON fed_trust_mark (trust_mark_type) WHERE revoked_at IS NULL;
