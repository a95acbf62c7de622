-- The current state leaves hash partitioning; the history keeps it. Measured on PostgreSQL 15: the
-- lookup on $locate's hot path, as the prepared statement it is, ran 24,000/s against 16 hash
-- partitions and 57,000/s against one table (pgbench, 300,000 entries, 8 clients): a generic plan
-- locks every partition and its index before it prunes. One B-tree primary key serves ten million
-- patients' entries at the same depth, and a sharded deployment (Citus) distributes by the
-- pseudonym column without native partitions. index_event, appended to by intake and read only
-- for a patient's own view, stays partitioned.
ALTER TABLE index_entry RENAME TO index_entry_partitioned;
ALTER INDEX index_entry_pkey RENAME TO index_entry_partitioned_pkey;

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
  CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
  CHECK (state = 'active' OR local_patient IS NULL)
) WITH (fillfactor = 85);

INSERT INTO index_entry SELECT pseudonym, care_provider, registering_system, key_id, state, occurred_at, end_reason, local_patient, digest, updated_at
  FROM index_entry_partitioned;
DROP TABLE index_entry_partitioned;
