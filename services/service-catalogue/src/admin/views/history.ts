import { html, type SafeHtml } from '@ndi-mesh/kernel';
import type { Change } from '../change-history.ts';

function when(at: string): string {
  return at ? at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—';
}

export function changesTable(changes: readonly Change[]): SafeHtml {
  if (changes.length === 0) return html`<p>No changes recorded.</p>`;
  return html`<table>
    <caption class="skip">
      Change history
    </caption>
    <thead>
      <tr>
        <th scope="col">When</th>
        <th scope="col">What</th>
        <th scope="col">Change</th>
        <th scope="col">By</th>
      </tr>
    </thead>
    <tbody>
      ${changes.map(
        (c) =>
          html`<tr>
            <td>${when(c.at)}</td>
            <td>${c.resourceType === 'Endpoint' ? 'Endpoint' : 'Organisation'} “${c.title}” <small>(version ${c.version})</small></td>
            <td>
              ${
                c.kind === 'created'
                  ? 'Created'
                  : c.kind === 'deleted'
                    ? 'Deleted'
                    : c.differences.length
                      ? html`<ul>
                          ${c.differences.map((d) => html`<li>${d}</li>`)}
                        </ul>`
                      : 'Saved without changes to the fields shown here'
              }
            </td>
            <td>
              ${c.who ? html`${c.who.name ?? c.who.system ?? 'a system'}${c.who.hsaId ? html` <small>(<code>${c.who.hsaId}</code>)</small>` : ''}${c.who.organisation ? html`<br /><small>for <code>${c.who.organisation}</code></small>` : ''}` : '—'}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
