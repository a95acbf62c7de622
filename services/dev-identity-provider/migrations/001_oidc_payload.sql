-- oidc-provider's short-lived models (sessions, interactions, authorization codes, tokens,
-- grants), one row each, so a restart or a second replica keeps people signed in. `expires_at`
-- null means the model does not expire; consumed codes keep their row until they expire, so a
-- replayed code is recognised (and its grant revoked) rather than unknown.
CREATE TABLE IF NOT EXISTS oidc_payload (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX IF NOT EXISTS oidc_payload_grant_idx ON oidc_payload (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_payload_uid_idx ON oidc_payload (uid) WHERE uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_payload_user_code_idx ON oidc_payload (user_code) WHERE user_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_payload_expires_idx ON oidc_payload (expires_at);
