-- The patient data index (seed 001 §5.1). Both tables are hash-partitioned by the patient's
-- pseudonym: a lookup names one pseudonym, so it touches one partition of each, and the
-- partitions can later be spread over nodes (Citus) without changing a query. No column holds
-- a national identifier (PDI-R9): `pseudonym` is an HMAC made with a key kept outside the
-- database, `local_patient` is sealed with AES-256-GCM, `digest` is a keyed HMAC.

-- The current state per patient, care provider and registering system.
CREATE TABLE index_entry (
  pseudonym          bytea       NOT NULL CHECK (octet_length(pseudonym) = 32),
  care_provider      text        NOT NULL,
  registering_system text        NOT NULL,
  key_id             text        NOT NULL,
  state              text        NOT NULL CHECK (state IN ('active', 'ended')),
  occurred_at        timestamptz NOT NULL,
  end_reason         text,
  local_patient      bytea,
  digest             bytea       NOT NULL CHECK (octet_length(digest) = 32),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pseudonym, care_provider, registering_system),
  -- PDI-R4 and PDI-R10 as the table's own invariants, whatever code writes to it.
  CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
  CHECK (state = 'active' OR local_patient IS NULL)
) PARTITION BY HASH (pseudonym);

-- Every event the index accepted, as received (duplicates excepted, PDI-R1): the patient's and
-- the operator's record of who reported what, when. Append-only.
CREATE TABLE index_event (
  seq                bigserial   NOT NULL,
  pseudonym          bytea       NOT NULL CHECK (octet_length(pseudonym) = 32),
  digest             bytea       NOT NULL CHECK (octet_length(digest) = 32),
  key_id             text        NOT NULL,
  care_provider      text        NOT NULL,
  registering_system text        NOT NULL,
  event_type         text        NOT NULL CHECK (event_type IN ('started', 'ended')),
  occurred_at        timestamptz NOT NULL,
  end_reason         text,
  local_patient      bytea,
  -- Whether the event changed its entry when it arrived, or a later one already decided it (PDI-R2).
  outcome            text        NOT NULL CHECK (outcome IN ('applied', 'superseded')),
  received_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pseudonym, digest),
  CHECK ((event_type = 'ended') = (end_reason IS NOT NULL))
) PARTITION BY HASH (pseudonym);

-- 16 partitions each: ten million patients make some 0.6 million per partition, small enough
-- for fast vacuum and index maintenance. Entries are updated in place (state changes), so their
-- pages keep room for HOT updates; the history is only appended to.
DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format('CREATE TABLE index_entry_p%s PARTITION OF index_entry FOR VALUES WITH (MODULUS 16, REMAINDER %s) WITH (fillfactor = 85)', lpad(i::text, 2, '0'), i);
    EXECUTE format('CREATE TABLE index_event_p%s PARTITION OF index_event FOR VALUES WITH (MODULUS 16, REMAINDER %s)', lpad(i::text, 2, '0'), i);
  END LOOP;
END
$$;

CREATE FUNCTION index_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'index_event is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

-- A row trigger on the partitioned table is cloned onto every partition, so writing to a
-- partition directly is refused too.
CREATE TRIGGER index_event_append_only BEFORE UPDATE OR DELETE ON index_event
  FOR EACH ROW EXECUTE FUNCTION index_event_append_only();
CREATE TRIGGER index_event_no_truncate BEFORE TRUNCATE ON index_event
  FOR EACH STATEMENT EXECUTE FUNCTION index_event_append_only();
