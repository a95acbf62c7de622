-- NTK-R13: the routing table behind Endpoint/$lookup. One row per active endpoint and information
-- type it serves, with the managing organisation's HSA-id copied in (an organisation's HSA-id never
-- changes, NTK-R5), so "endpoints of organisation X for type Y valid at T" is one b-tree range scan
-- plus two primary-key joins. Maintained in the write's own transaction (afterWrite).
CREATE TABLE IF NOT EXISTS ntk_lookup (
  endpoint_id text NOT NULL,
  information_type text NOT NULL,
  hsa_id text NOT NULL,
  organization_id text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_to timestamptz NOT NULL,
  PRIMARY KEY (endpoint_id, information_type)
);
CREATE INDEX IF NOT EXISTS ntk_lookup_route_idx ON ntk_lookup (hsa_id, information_type, valid_from);
-- The overlap check (NTK-R11) reads an organisation's active endpoints through this b-tree rather
-- than the generic GIN search column, whose pending list makes lookups slow under bulk writes.
CREATE INDEX IF NOT EXISTS ntk_lookup_organization_idx ON ntk_lookup (organization_id);

-- NTK-R6: which organisation holds an HSA-id (one each), kept beside the organisations for the
-- same reason.
CREATE TABLE IF NOT EXISTS ntk_hsa (
  hsa_id text PRIMARY KEY,
  organization_id text NOT NULL
);

-- NTK-R14: the catalogue's version, for $snapshot. Every write marks its resources in ntk_change
-- with a NULL version; a deferred constraint trigger stamps them at COMMIT with the next value of
-- the single-row counter. The counter's row lock is taken only at commit and held until the commit
-- is visible, so versions are handed out in commit order: whoever reads version N also sees every
-- change stamped N or lower, and a change that commits later always gets a higher number. (A plain
-- sequence drawn during the transaction would not do: a slow writer could commit number 7 after a
-- reader had already been told 8, and the change would never appear in a delta.)
CREATE TABLE IF NOT EXISTS ntk_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO ntk_version (singleton, version) VALUES (true, 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS ntk_change (
  resource_type text NOT NULL,
  id text NOT NULL,
  version bigint,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX IF NOT EXISTS ntk_change_version_idx ON ntk_change (version);

CREATE OR REPLACE FUNCTION ntk_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  next_version bigint;
BEGIN
  -- Several writes of one resource in a transaction queue several events; one stamp is enough.
  PERFORM 1 FROM ntk_change WHERE resource_type = NEW.resource_type AND id = NEW.id AND version IS NULL;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE ntk_version SET version = version + 1 WHERE singleton RETURNING version INTO next_version;
  UPDATE ntk_change SET version = next_version WHERE resource_type = NEW.resource_type AND id = NEW.id;
  RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS ntk_change_stamp ON ntk_change;
CREATE CONSTRAINT TRIGGER ntk_change_stamp AFTER INSERT OR UPDATE ON ntk_change
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.version IS NULL) EXECUTE FUNCTION ntk_stamp_change();

-- A catalogue that already holds endpoints (written before this migration) gets its routing rows
-- from the search columns the kernel keeps. On a new database the resource tables do not exist yet.
DO $backfill$
BEGIN
  IF to_regclass('res_organization') IS NOT NULL THEN
    INSERT INTO ntk_hsa (hsa_id, organization_id)
    SELECT substr(h.key, length('urn:oid:1.2.752.129.2.1.4.1|') + 1), o.id
    FROM res_organization o CROSS JOIN LATERAL unnest(o.sp_identifier) AS h(key)
    WHERE NOT o.deleted AND h.key LIKE 'urn:oid:1.2.752.129.2.1.4.1|_%'
    ON CONFLICT DO NOTHING;
  END IF;
  IF to_regclass('res_endpoint') IS NOT NULL AND to_regclass('res_organization') IS NOT NULL THEN
    INSERT INTO ntk_lookup (endpoint_id, information_type, hsa_id, organization_id, valid_from, valid_to)
    SELECT e.id,
           substr(t.key, length('https://ndi-mesh.se/fhir/CodeSystem/information-type|') + 1),
           substr(h.key, length('urn:oid:1.2.752.129.2.1.4.1|') + 1),
           o.id,
           coalesce(e.sp_period_lo, '-infinity'),
           coalesce(e.sp_period_hi, 'infinity')
    FROM res_endpoint e
    JOIN res_organization o ON 'Organization/' || o.id = e.content -> 'managingOrganization' ->> 'reference'
    CROSS JOIN LATERAL unnest(e.sp_payload_type) AS t(key)
    CROSS JOIN LATERAL unnest(o.sp_identifier) AS h(key)
    WHERE NOT e.deleted AND NOT o.deleted AND e.content ->> 'status' = 'active'
      AND t.key LIKE 'https://ndi-mesh.se/fhir/CodeSystem/information-type|_%'
      AND h.key LIKE 'urn:oid:1.2.752.129.2.1.4.1|_%'
    ON CONFLICT DO NOTHING;
  END IF;
END
$backfill$;
