import { readFileSync } from 'node:fs';
import { checkHsaId, seededRng, syntheticHsaId, type Rng } from '@ndi-mesh/kernel';

/** The roles the mesh's web UIs act on; a real IdP maps its own role attributes onto these. */
export const ROLE = {
  /** An organisation's administrator of its entries in the service catalogue. */
  catalogueAdmin: 'ntk-admin',
  /** The agency's support staff: read every organisation and the change history. */
  agencySupport: 'agency-support',
} as const;

export interface DirectoryOrganisation {
  readonly hsaId: string;
  readonly name: string;
}

export interface DirectoryPerson {
  /** The OpenID Connect subject: the person's HSA-id, stable across restarts. */
  readonly sub: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly hsaId: string;
  readonly organisationHsaId: string;
  readonly organisationName: string;
  readonly roles: readonly string[];
  /** What the person does, shown on the sign-in page so a tester picks the right one. */
  readonly description: string;
}

export interface Directory {
  readonly organisations: readonly DirectoryOrganisation[];
  readonly people: readonly DirectoryPerson[];
}

/**
 * The synthetic directory: two care providers with a catalogue administrator each, the agency
 * with a support officer, and a clinician with no catalogue role (whom the catalogue refuses).
 * Every HSA-id is synthetic (kernel `syntheticHsaId`) and staff share their organisation's prefix.
 */
export function syntheticDirectory(seed: number): Directory {
  const rng = seededRng(seed);
  const org = (name: string): DirectoryOrganisation => ({ hsaId: syntheticHsaId('organisation', rng), name });
  const region = org('Region Exempelland');
  const clinic = org('Vårdbolaget Prov AB');
  const agency = org('Nationella tjänstekatalogen, förvaltning (demo)');
  const person = (givenName: string, familyName: string, at: DirectoryOrganisation, roles: string[], description: string): DirectoryPerson => {
    const hsaId = syntheticHsaId('person', rng, at.hsaId);
    return { sub: hsaId, givenName, familyName, hsaId, organisationHsaId: at.hsaId, organisationName: at.name, roles, description };
  };
  return {
    organisations: [region, clinic, agency],
    people: [
      person('Alva', 'Lindqvist', region, [ROLE.catalogueAdmin], `Catalogue administrator for ${region.name}`),
      person('Björn', 'Ekström', clinic, [ROLE.catalogueAdmin], `Catalogue administrator for ${clinic.name}`),
      person('Cecilia', 'Holm', agency, [ROLE.agencySupport], "The agency's support staff: sees every organisation and the change history"),
      person('David', 'Berg', region, [], `Physician at ${region.name}, with no catalogue role`),
    ],
  };
}

/** Reads a directory file, refusing people whose HSA-ids are malformed or whose organisation is missing. */
export function loadDirectory(path: string): Directory {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Directory;
  const problems: string[] = [];
  const orgs = new Set((parsed.organisations ?? []).map((o) => o.hsaId));
  for (const o of parsed.organisations ?? []) if (!checkHsaId(o.hsaId).ok) problems.push(`organisation ${o.name}: ${o.hsaId} is not an HSA-id`);
  for (const p of parsed.people ?? []) {
    if (!checkHsaId(p.hsaId).ok) problems.push(`${p.givenName} ${p.familyName}: ${p.hsaId} is not an HSA-id`);
    if (!orgs.has(p.organisationHsaId)) problems.push(`${p.givenName} ${p.familyName}: organisation ${p.organisationHsaId} is not in the file`);
    if (!Array.isArray(p.roles)) problems.push(`${p.givenName} ${p.familyName}: roles must be a list`);
  }
  if (!parsed.people?.length) problems.push('the file lists no people');
  if (problems.length) throw new Error(`DEV_IDP_DIRECTORY ${path}:\n  ${problems.join('\n  ')}`);
  return { organisations: parsed.organisations, people: parsed.people.map((p) => ({ ...p, sub: p.sub ?? p.hsaId })) };
}

/** The claims the identity provider releases about a person (scope `hsa` for the HSA ones). */
export function claimsOf(p: DirectoryPerson): Record<string, unknown> {
  return {
    sub: p.sub,
    name: `${p.givenName} ${p.familyName}`,
    given_name: p.givenName,
    family_name: p.familyName,
    hsa_id: p.hsaId,
    organization_hsa_id: p.organisationHsaId,
    organization_name: p.organisationName,
    roles: [...p.roles],
  };
}
