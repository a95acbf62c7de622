import type { Subscription } from '@medplum/fhirtypes';
import { FhirError, isHsaId } from '@ndi-mesh/kernel';
import { ALL_PROVIDERS } from '../domain/index.ts';

/**
 * A local block service subscribes with `Consent?owner=<HSA-id>`: it then receives the changes
 * of every block on its own data and of every general block (NSF-R16), which is all it needs to
 * decide on its own records. A national service that decides for every provider (the patient data
 * index filtering `$locate`) subscribes with `Consent`: every change. The result is the owner the
 * subscriber follows, or `EVERY_OWNER`.
 */
const CRITERIA = /^Consent\?owner=(?:urn:oid:1\.2\.752\.129\.2\.1\.4\.1(?:\||%7C))?([^&]+)$/i;

/** What `Consent` (no owner) subscribes to: the whole feed. Only a national service may. */
export const EVERY_OWNER = '*';

export function subscriberOwner(criteria: string | undefined): string {
  if (criteria === 'Consent') return EVERY_OWNER;
  const m = CRITERIA.exec(criteria ?? '');
  const hsa = m?.[1] ? decodeURIComponent(m[1]) : undefined;
  if (!hsa || !isHsaId(hsa))
    throw new FhirError('MESH-FHIR-008', {
      diagnostics: 'criteria is Consent?owner=<HSA-id of the care provider whose blocks are delivered>, or Consent (every change; national services only)',
      expression: 'Subscription.criteria',
    });
  return hsa;
}

/**
 * Whether a change goes to a subscriber following `subscriber`: `recipients` are the providers it
 * is for (a block's owner; the owners of the blocks a revoke names, see revokeRecipients), or
 * ALL_PROVIDERS.
 */
export function subscriberNeeds(subscriber: string, recipients: readonly string[]): boolean {
  return subscriber === EVERY_OWNER || recipients.includes(subscriber) || recipients.includes(ALL_PROVIDERS);
}

export function checkChannel(sub: Subscription): void {
  if (sub.channel?.type !== 'rest-hook')
    throw new FhirError('MESH-FHIR-008', { diagnostics: 'only rest-hook channels are supported', expression: 'Subscription.channel.type' });
  let url: URL;
  try {
    url = new URL(sub.channel.endpoint ?? '');
  } catch {
    throw new FhirError('MESH-FHIR-008', { diagnostics: 'a rest-hook channel has an absolute endpoint URL', expression: 'Subscription.channel.endpoint' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new FhirError('MESH-FHIR-008', { diagnostics: 'the endpoint is an http(s) URL', expression: 'Subscription.channel.endpoint' });
}
