import type { Identifier } from '@medplum/fhirtypes';
import { auditSearchColumns, buildAuditEvent, type AuditFacts } from '../src/audit/audit-event.ts';
import { auditRow } from '../src/audit/audit-store.ts';
import { auditEventType } from '../src/audit/audit-type.ts';
import { extractSearchColumns } from '../src/fhir/extract.ts';
import type { Caller } from '../src/http/context.ts';
import { PERSONNUMMER_SYSTEM, SAMORDNINGSNUMMER_SYSTEM } from '../src/identifiers/index.ts';

// The audit rows' search columns are read straight from the AuditEvent, not through FHIRPath.
// They must be exactly what the search parameters' FHIRPath gives, or audit searches would miss
// records: every shape buildAuditEvent makes is compared with extractSearchColumns here.
const auditType = auditEventType();
const params = [...auditType.params.values()];

const callers: Record<string, Caller> = {
  anonymous: { authenticated: false, trustMarks: [] },
  'system only': { authenticated: true, trustMarks: [], entityId: 'https://journal.example.se', clientAddress: '10.0.0.7' },
  'with organisation': {
    authenticated: true,
    trustMarks: [],
    entityId: 'https://journal.example.se',
    organisation: { hsaId: 'SE2321000016-A1B2', name: 'Region Testland' },
    purposeOfUse: 'TREAT',
  },
  'person with HSA-id': {
    authenticated: true,
    trustMarks: [],
    entityId: 'https://journal.example.se',
    organisation: { hsaId: 'SE2321000016-A1B2', name: 'Region Testland' },
    person: { hsaId: 'SE2321000016-P001', name: 'Doktor Test', role: 'läkare' },
  },
  'person without HSA-id': {
    authenticated: true,
    trustMarks: [],
    entityId: 'https://invanare.example.se',
    person: { name: 'Anna Invånare' },
  },
  'person sharing the organisation HSA-id': {
    authenticated: true,
    trustMarks: [],
    entityId: 'https://journal.example.se',
    organisation: { hsaId: 'SE2321000016-SAME' },
    person: { hsaId: 'SE2321000016-SAME' },
  },
};

const patientSets: Record<string, Identifier[]> = {
  'no patient': [],
  'one patient': [{ system: PERSONNUMMER_SYSTEM, value: '191212121212' }],
  'two patients': [
    { system: PERSONNUMMER_SYSTEM, value: '191212121212' },
    { system: SAMORDNINGSNUMMER_SYSTEM, value: '197010632391' },
  ],
  'patients without system or value': [{ value: '191212121212' }, { system: PERSONNUMMER_SYSTEM }],
};

const targets: Record<string, Pick<AuditFacts, 'what' | 'query'>> = {
  nothing: {},
  resource: { what: 'Patient/abc-123' },
  version: { what: 'Patient/abc-123/_history/4' },
  'non-FHIR reference': { what: 'urn:uuid:3f0c2b9e-4d1a-4a51-9a3e-1f5f7c0b8e21' },
  query: { query: 'identifier=http://electronichealth.se/identifier/personnummer|191212121212&_count=10' },
  'resource and query': { what: 'Consent/c1', query: 'patient=x' },
};

const actions: AuditFacts['action'][] = ['C', 'R', 'U', 'D', 'E'];
const outcomes: AuditFacts['outcome'][] = ['success', 'refused', 'failed'];
const interactions = ['read', 'vread', 'search-type', 'create', 'operation'];

const cases: [string, Caller, AuditFacts][] = [];
let n = 0;
for (const [callerName, caller] of Object.entries(callers))
  for (const [patientsName, patients] of Object.entries(patientSets))
    for (const [targetName, target] of Object.entries(targets)) {
      const facts: AuditFacts = {
        interaction: interactions[n % interactions.length]!,
        action: actions[n % actions.length]!,
        outcome: outcomes[n % outcomes.length]!,
        patients,
        ...target,
        ...(n % 2 ? { description: `case ${n}` } : {}),
      };
      cases.push([`${callerName}, ${patientsName}, ${targetName}, ${facts.action}/${facts.outcome}`, caller, facts]);
      n++;
    }

test('the table covers every action and outcome', () => {
  expect(new Set(cases.map(([, , f]) => f.action))).toEqual(new Set(actions));
  expect(new Set(cases.map(([, , f]) => f.outcome))).toEqual(new Set(outcomes));
});

test.each(cases)('%s: the direct columns equal the FHIRPath ones', (_name, caller, facts) => {
  const event = buildAuditEvent('audit-columns-test', 'http://127.0.0.1:8080/fhir', caller, facts);
  expect(auditSearchColumns(event)).toEqual(extractSearchColumns(params, event));
});

test('a stored row carries the columns of its stamped event', () => {
  const [, caller, facts] = cases.find(([name]) => name.startsWith('person with HSA-id, two patients, resource and query'))!;
  const row = auditRow(buildAuditEvent('audit-columns-test', 'http://127.0.0.1:8080/fhir', caller, facts));
  expect(row.event.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(row.event.meta).toEqual({ versionId: '1', lastUpdated: expect.any(String) });
  expect(row.columns).toEqual(extractSearchColumns(params, row.event));
  expect(row.columns['sp_patient_identifier']).toEqual(expect.arrayContaining([`${SAMORDNINGSNUMMER_SYSTEM}|197010632391`]));
  expect(row.columns['sp_agent_identifier']).toEqual(expect.arrayContaining(['urn:ietf:rfc:3986|https://journal.example.se']));
});

// Every read writes one: time-ordered ids insert at the right edge of the primary key index instead of a random page.
test('a record id is a UUID version 7 that begins with the time the record was stamped', async () => {
  const [, caller, facts] = cases[0]!;
  const stamp = () => auditRow(buildAuditEvent('audit-columns-test', 'http://127.0.0.1:8080/fhir', caller, facts)).event;
  const first = stamp();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const later = stamp();
  for (const e of [first, later]) {
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = parseInt(e.id!.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(millis - Date.parse(e.meta!.lastUpdated!))).toBeLessThanOrEqual(1);
  }
  expect(later.id! > first.id!).toBe(true);
});
