import type { AuditEvent, Bundle, Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { HSA_ID_SYSTEM, type RequestContext } from '@ndi-mesh/kernel';
import type { CatalogueAccess } from './catalogue-access.ts';
import { fieldsFromEndpoint, type EndpointFields } from './endpoint-form.ts';

/** One version of an organisation or endpoint: when, by whom, and what changed from the one before. */
export interface Change {
  readonly at: string;
  readonly resourceType: 'Organization' | 'Endpoint';
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly kind: 'created' | 'changed' | 'deleted';
  readonly who?: { readonly name?: string; readonly hsaId?: string; readonly organisation?: string; readonly system?: string };
  readonly differences: readonly string[];
}

const FIELD_LABELS: Record<keyof EndpointFields, string> = {
  name: 'name',
  status: 'status',
  address: 'address',
  connectionType: 'connection type',
  informationTypes: 'information types',
  periodStart: 'first day',
  periodEnd: 'last day',
  guide: 'implementation guide',
  guideVersion: 'guide version',
};

function show(v: string | readonly string[]): string {
  const s = Array.isArray(v) ? v.join(', ') : (v as string);
  return s ? `“${s}”` : 'nothing';
}

function endpointDifferences(before: Endpoint | undefined, after: Endpoint): string[] {
  if (!before) return [];
  const a = fieldsFromEndpoint(before);
  const b = fieldsFromEndpoint(after);
  return (Object.keys(FIELD_LABELS) as (keyof EndpointFields)[])
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${FIELD_LABELS[k]}: ${show(a[k])} → ${show(b[k])}`);
}

function organisationDifferences(before: Organization | undefined, after: Organization): string[] {
  if (!before) return [];
  const out: string[] = [];
  if (before.name !== after.name) out.push(`name: ${show(before.name ?? '')} → ${show(after.name ?? '')}`);
  if (before.active !== after.active) out.push(`active: ${String(before.active ?? '—')} → ${String(after.active ?? '—')}`);
  return out;
}

/** Who made each version, from the catalogue's own audit trail (entity `Type/id/_history/n`). */
async function authors(access: CatalogueAccess, ctx: RequestContext, type: string, id: string): Promise<Map<string, Change['who']>> {
  const out = new Map<string, Change['who']>();
  const events = await access.search<AuditEvent>(ctx, 'AuditEvent', { entity: `${type}/${id}`, outcome: '0', _count: '1000' });
  for (const e of events) {
    if (!['C', 'U', 'D'].includes(e.action ?? '')) continue;
    const ref = e.entity?.find((x) => x.what?.reference?.startsWith(`${type}/${id}/_history/`))?.what?.reference;
    const version = ref?.split('/').at(-1);
    if (!version) continue;
    const person = e.agent.find((a) => a.type?.coding?.[0]?.code === '110152');
    const org = e.agent.find((a) => a.type?.coding?.[0]?.code === 'PROV');
    const system = e.agent.find((a) => a.type?.coding?.[0]?.code === '110153');
    out.set(version, {
      name: person?.who?.display,
      hsaId: person?.who?.identifier?.system === HSA_ID_SYSTEM ? person.who.identifier.value : undefined,
      organisation: org?.who?.identifier?.value,
      system: system?.who?.display,
    });
  }
  return out;
}

/** Every version of one resource, newest first. Reading the audit trail needs the catalogue's national-service mark. */
export async function changesOf(access: CatalogueAccess, ctx: RequestContext, type: 'Organization' | 'Endpoint', id: string): Promise<Change[]> {
  const bundle: Bundle<Resource> = await access.history(ctx, type, id);
  const versions = (bundle.entry ?? []).map((e) => ({
    resource: e.resource,
    method: e.request?.method,
    version: e.resource?.meta?.versionId ?? e.response?.etag?.replace(/\D/g, '') ?? '',
  }));
  const who = await authors(access, ctx, type, id).catch(() => new Map<string, Change['who']>());
  // The bundle is newest first: the version before entry i is entry i + 1.
  return versions.map((v, i) => {
    const previous = versions[i + 1]?.resource;
    const r = v.resource;
    const title = r ? (type === 'Endpoint' ? (r as Endpoint).name || `Endpoint ${id}` : (r as Organization).name || `Organization ${id}`) : `${type} ${id}`;
    return {
      at: r?.meta?.lastUpdated ?? '',
      resourceType: type,
      id,
      version: v.version,
      title,
      kind: !r || v.method === 'DELETE' ? 'deleted' : v.version === '1' ? 'created' : 'changed',
      who: who.get(v.version),
      differences: r
        ? type === 'Endpoint'
          ? endpointDifferences(previous as Endpoint | undefined, r as Endpoint)
          : organisationDifferences(previous as Organization | undefined, r as Organization)
        : [],
    };
  });
}

/** The changes to an organisation and all its endpoints, newest first. */
export async function organisationChanges(access: CatalogueAccess, ctx: RequestContext, org: Organization, endpoints: readonly Endpoint[]): Promise<Change[]> {
  const all = [
    await changesOf(access, ctx, 'Organization', org.id!),
    ...(await Promise.all(endpoints.map((ep) => changesOf(access, ctx, 'Endpoint', ep.id!)))),
  ].flat();
  return all.sort((a, b) => b.at.localeCompare(a.at));
}
