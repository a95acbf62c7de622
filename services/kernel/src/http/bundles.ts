import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../storage/resource-store.ts';

export function resourceUrl(fhirBase: string, r: { resourceType: string; id?: string }): string {
  return `${fhirBase}/${r.resourceType}/${r.id}`;
}

export function searchsetBundle(
  fhirBase: string,
  type: string,
  query: URLSearchParams,
  matches: readonly Resource[],
  includes: readonly Resource[],
  next: string | undefined,
  total: number | undefined,
): Bundle {
  const self = new URLSearchParams(query);
  self.delete('_cursor');
  const link = [{ relation: 'self', url: withQuery(`${fhirBase}/${type}`, query) }];
  if (next) {
    const nextQuery = new URLSearchParams(self);
    nextQuery.set('_cursor', next);
    link.push({ relation: 'next', url: withQuery(`${fhirBase}/${type}`, nextQuery) });
  }
  const entry: BundleEntry[] = [
    ...matches.map((r) => ({ fullUrl: resourceUrl(fhirBase, r), resource: r, search: { mode: 'match' as const } })),
    ...includes.map((r) => ({ fullUrl: resourceUrl(fhirBase, r), resource: r, search: { mode: 'include' as const } })),
  ];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined ? { total } : {}),
    link,
    entry,
  };
}

export function historyBundle(fhirBase: string, type: string, selfUrl: string, versions: readonly StoredVersion[], nextUrl?: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    link: [{ relation: 'self', url: selfUrl }, ...(nextUrl ? [{ relation: 'next', url: nextUrl }] : [])],
    entry: versions.map((v) => ({
      fullUrl: `${fhirBase}/${type}/${v.id}`,
      ...(v.resource ? { resource: v.resource } : {}),
      request: v.deleted
        ? { method: 'DELETE' as const, url: `${type}/${v.id}` }
        : v.versionId === 1
          ? { method: 'POST' as const, url: type }
          : { method: 'PUT' as const, url: `${type}/${v.id}` },
      response: { status: v.deleted ? '204' : v.versionId === 1 ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
    })),
  };
}

export function withQuery(url: string, query: URLSearchParams): string {
  const q = query.toString();
  return q ? `${url}?${q}` : url;
}
