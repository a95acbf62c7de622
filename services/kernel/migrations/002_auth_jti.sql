-- Client assertion ids seen by the token endpoint (RFC 7523 §3, `jti`): one row per issuer and
-- jti until the assertion expires, shared by every replica, so a replay is refused anywhere.
CREATE TABLE IF NOT EXISTS auth_jti (
  issuer text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX IF NOT EXISTS auth_jti_expires_idx ON auth_jti (expires_at);
