import { HSA_ID_SYSTEM, luhnCheckDigit, PERSONNUMMER_SYSTEM, type Queryable } from '@ndi-mesh/kernel';
import { ACTOR_ROLE_SYSTEM, CONSENT_KIND_SYSTEM, CONSENT_SCOPE_SYSTEM, PROFILE, RULES_POLICY } from '../src/fhir/codes.ts';

/**
 * BENCHMARK ONLY: `n` distinct well-formed personnummer (valid date and check digit) for a bench
 * database. Skatteverket's test list holds only 2,192 personnummer (kernel synthetic.ts), too few
 * for a million blocks at two a patient; these are born 1890–1899, people who cannot be alive, and
 * only ever stored in a throwaway bench database next to synthetic blocks.
 */
export function benchPersonnummer(n: number): string[] {
  const out: string[] = [];
  const days = 3652;
  for (let i = 0; i < n; i++) {
    const birth = new Date(Date.UTC(1890, 0, 1) + (i % days) * 86_400_000).toISOString();
    const yyyymmdd = `${birth.slice(0, 4)}${birth.slice(5, 7)}${birth.slice(8, 10)}`;
    const number = String(100 + (Math.floor(i / days) % 900)).padStart(3, '0');
    const payload = `${yyyymmdd.slice(2)}${number}`;
    out.push(`${yyyymmdd}${number}${luhnCheckDigit(payload)}`);
  }
  return out;
}

/**
 * BENCHMARK ONLY: fills res_consent with `blocks` block Consents straight in SQL (INSERT …
 * SELECT generate_series), bypassing validation, audit and (unless `feed`) the change feed, so that a million
 * blocks load in seconds rather than hours. Each row has the JSON the service would have stored
 * and the search columns $decide reads (patient-identifier, owner, status), so the measured read
 * path is the real one. Never run against a real register.
 *
 * Each patient gets blocks/patients blocks (two for a million blocks and half a million patients); most are care-provider blocks of
 * owners[i % owners.length] on one category; every 10th is a general block, every 50th an opt-out.
 */
export async function loadBenchBlocks(
  db: Queryable,
  o: { blocks: number; patients: readonly string[]; owners: readonly string[]; chunk?: number; feed?: boolean },
): Promise<void> {
  const perPatient = Math.ceil(o.blocks / o.patients.length);
  const chunk = Math.max(1, Math.floor((o.chunk ?? 100_000) / perPatient));
  for (let from = 0; from < o.patients.length; from += chunk) {
    const slice = o.patients.slice(from, from + chunk);
    await db.query(
      `WITH src AS (
         SELECT i, p,
           ($4::text[])[1 + (i % cardinality($4::text[]))] AS o,
           CASE WHEN i % 50 = 0 THEN 'opt-out' WHEN i % 10 = 0 THEN 'all-providers' ELSE 'care-provider' END AS kind,
           (ARRAY['patient-summary','eprescription','edispensation','laboratory-results','medical-imaging','discharge-report'])[1 + (i % 6)] AS cat
         FROM (SELECT p, ($1::int + (n - 1)::int) * $2::int + k AS i
               FROM unnest($3::text[]) WITH ORDINALITY AS u(p, n), generate_series(0, $2::int - 1) AS k) AS x
         WHERE i < $12::int)
       INSERT INTO res_consent (id, version_id, last_updated, deleted, content, sp_patient_identifier, sp_owner, sp_status)
       SELECT 'bench-' || i, 1, now(), false,
         jsonb_strip_nulls(jsonb_build_object(
           'resourceType', 'Consent', 'id', 'bench-' || i,
           'meta', jsonb_build_object('versionId', '1', 'lastUpdated', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'profile', jsonb_build_array($5::text)),
           'status', 'active',
           'scope', jsonb_build_object('coding', jsonb_build_array(jsonb_build_object('system', $6::text, 'code', 'patient-privacy'))),
           'category', jsonb_build_array(jsonb_build_object('coding', jsonb_build_array(jsonb_build_object('system', $7::text, 'code', kind)))),
           'patient', jsonb_build_object('identifier', jsonb_build_object('system', $8::text, 'value', p)),
           'performer', jsonb_build_array(jsonb_build_object('type', 'Patient', 'identifier', jsonb_build_object('system', $8::text, 'value', p))),
           'policy', jsonb_build_array(jsonb_build_object('uri', $9::text)),
           'provision', jsonb_build_object(
             'type', 'deny',
             'period', jsonb_build_object('start', '2025-01-01T00:00:00Z'),
             'class', CASE WHEN kind = 'care-provider' THEN jsonb_build_array(jsonb_build_object('system', 'https://ndi-mesh.se/fhir/CodeSystem/information-type', 'code', cat)) END,
             'actor', CASE WHEN kind = 'care-provider' THEN jsonb_build_array(jsonb_build_object(
               'role', jsonb_build_object('coding', jsonb_build_array(jsonb_build_object('system', $10::text, 'code', 'owner'))),
               'reference', jsonb_build_object('type', 'Organization', 'identifier', jsonb_build_object('system', $11::text, 'value', o)))) END))),
         ARRAY[$8 || '|' || p, $8 || '|', '*|' || p],
         CASE WHEN kind = 'care-provider' THEN ARRAY[$11 || '|' || o, $11 || '|', '*|' || o] ELSE ARRAY['|all-providers', '*|all-providers'] END,
         ARRAY['http://hl7.org/fhir/consent-state-codes|active', 'http://hl7.org/fhir/consent-state-codes|', '*|active']
       FROM src`,
      [
        from,
        perPatient,
        slice,
        o.owners,
        PROFILE.block,
        CONSENT_SCOPE_SYSTEM,
        CONSENT_KIND_SYSTEM,
        PERSONNUMMER_SYSTEM,
        RULES_POLICY,
        ACTOR_ROLE_SYSTEM,
        HSA_ID_SYSTEM,
        o.blocks,
      ],
    );
  }
  if (o.feed) {
    // What the registry's own writes leave for its copies (the patient data index reads them
    // through Consent/$changes): each block's version in history and in the change feed, its feed
    // owner the provider the block is on, or all-providers for general blocks and opt-outs.
    await db.query(`INSERT INTO res_consent_history (id, version_id, last_updated, deleted, content)
      SELECT id, version_id, last_updated, deleted, content FROM res_consent WHERE id LIKE 'bench-%' ON CONFLICT DO NOTHING`);
    await db.query(`INSERT INTO consent_change (consent_id, version_id, owner)
      SELECT id, version_id, COALESCE(content #>> '{provision,actor,0,reference,identifier,value}', 'all-providers')
      FROM res_consent WHERE id LIKE 'bench-%' ORDER BY id ON CONFLICT DO NOTHING`);
  }
  await db.query('ANALYZE res_consent');
}
