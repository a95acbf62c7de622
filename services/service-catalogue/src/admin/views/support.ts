import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { html, type SafeHtml } from '@ndi-mesh/kernel';
import type { Change } from '../change-history.ts';
import { hsaIdOf } from '../catalogue-access.ts';
import type { Choice } from '../vocabulary.ts';
import { endpointsTable } from './endpoints.ts';
import { changesTable } from './history.ts';
import { layout, type Chrome } from './layout.ts';

export function organisationsPage(chrome: Chrome, query: string, orgs: readonly Organization[], total: number | undefined): SafeHtml {
  return layout(
    'Organisations',
    chrome,
    html`<h1>Organisations in the catalogue</h1>
      <form class="search" method="get" action="/admin/support" role="search">
        <div class="field"><label for="q">Search by name or HSA-id</label><input type="search" id="q" name="q" value="${query}" /></div>
        <button type="submit">Search</button>
      </form>
      <p role="status">
        ${query ? `${orgs.length} organisation${orgs.length === 1 ? '' : 's'} match “${query}”.` : `${total ?? orgs.length} organisation${(total ?? orgs.length) === 1 ? '' : 's'} in the catalogue${total !== undefined && total > orgs.length ? `; the first ${orgs.length} are shown` : ''}.`}
      </p>
      ${
        orgs.length
          ? html`<table>
              <caption class="skip">
                Organisations
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">HSA-id</th>
                  <th scope="col">Active</th>
                  <th scope="col">Last changed</th>
                </tr>
              </thead>
              <tbody>
                ${orgs.map(
                  (o) =>
                    html`<tr>
                      <td><a href="/admin/support/organisations/${o.id}">${o.name ?? '(no name)'}</a></td>
                      <td><code>${hsaIdOf(o) ?? '—'}</code></td>
                      <td>${o.active === false ? 'No' : 'Yes'}</td>
                      <td>${o.meta?.lastUpdated?.slice(0, 10) ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : ''
      }`,
  );
}

export function organisationPage(
  chrome: Chrome,
  org: Organization,
  endpoints: readonly Endpoint[],
  changes: readonly Change[],
  informationTypes: readonly Choice[],
): SafeHtml {
  return layout(
    org.name ?? 'Organisation',
    chrome,
    html`<p><a href="/admin/support">← All organisations</a></p>
      <h1>${org.name ?? '(no name)'}</h1>
      <dl class="facts">
        <dt>HSA-id</dt>
        <dd><code>${hsaIdOf(org) ?? '—'}</code></dd>
        <dt>Active</dt>
        <dd>${org.active === false ? 'No' : 'Yes'}</dd>
        <dt>Catalogue id</dt>
        <dd><code>Organization/${org.id}</code></dd>
      </dl>
      <h2>Endpoints</h2>
      ${endpointsTable(endpoints, informationTypes, () => undefined)}
      <h2>Change history</h2>
      ${changesTable(changes)}`,
  );
}
