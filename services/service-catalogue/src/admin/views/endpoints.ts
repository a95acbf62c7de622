import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { html, type HtmlValue, type SafeHtml } from '@ndi-mesh/kernel';
import { fieldsFromEndpoint, type EndpointFields, type FieldName } from '../endpoint-form.ts';
import type { FieldMessage } from '../outcome-messages.ts';
import { CONNECTION_TYPES, STATUSES, type Choice } from '../vocabulary.ts';
import { layout, type Chrome } from './layout.ts';

const label = (choices: readonly Choice[], code: string) => choices.find((c) => c.code === code)?.display ?? code;

export function statusBadge(status: string | undefined): SafeHtml {
  const s = status ?? 'unknown';
  return html`<span class="status status-${s.replace(/[^a-z-]/g, '')}">${s}</span>`;
}

function period(ep: Endpoint): string {
  const f = fieldsFromEndpoint(ep);
  if (!f.periodStart && !f.periodEnd) return 'Always';
  return `${f.periodStart || '…'} – ${f.periodEnd || '…'}`;
}

/** The organisation's endpoints; `informationTypes` gives the display of each code. */
export function endpointsTable(endpoints: readonly Endpoint[], informationTypes: readonly Choice[], link: (ep: Endpoint) => string | undefined): SafeHtml {
  if (endpoints.length === 0) return html`<p>No endpoints are registered yet.</p>`;
  return html`<table>
    <caption class="skip">
      Endpoints
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Status</th>
        <th scope="col">Information types</th>
        <th scope="col">Address</th>
        <th scope="col">Valid</th>
      </tr>
    </thead>
    <tbody>
      ${endpoints.map((ep) => {
        const href = link(ep);
        const name = ep.name || '(no name)';
        return html`<tr>
          <td>${href ? html`<a href="${href}">${name}</a>` : name}</td>
          <td>${statusBadge(ep.status)}</td>
          <td>
            ${
              fieldsFromEndpoint(ep)
                .informationTypes.map((c) => label(informationTypes, c))
                .join(', ') || '—'
            }
          </td>
          <td><code>${ep.address}</code></td>
          <td>${period(ep)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function myEndpointsPage(
  chrome: Chrome,
  org: Organization,
  endpoints: readonly Endpoint[],
  informationTypes: readonly Choice[],
  notice?: string,
): SafeHtml {
  return layout(
    'Your endpoints',
    chrome,
    html`<h1>Endpoints of ${org.name}</h1>
      ${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
      <p>The APIs your organisation offers in the national service catalogue. Choose an endpoint to change it.</p>
      ${endpointsTable(endpoints, informationTypes, (ep) => `/admin/endpoints/${ep.id}`)}
      <p class="actions"><a class="button" href="/admin/endpoints/new">Add an endpoint</a></p>`,
  );
}

function errorFor(messages: readonly FieldMessage[], field: FieldName): FieldMessage | undefined {
  return messages.find((m) => m.field === field);
}

function describedBy(id: string, hint: boolean, error: boolean): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

function textField(f: {
  id: FieldName;
  label: string;
  value: string;
  type?: string;
  hint?: string;
  messages: readonly FieldMessage[];
  required?: boolean;
  autocomplete?: string;
}): SafeHtml {
  const error = errorFor(f.messages, f.id);
  const by = describedBy(f.id, !!f.hint, !!error);
  return html`<div class="field${error ? ' invalid' : ''}">
    <label for="${f.id}">${f.label}</label>
    ${f.hint ? html`<span class="hint" id="${f.id}-hint">${f.hint}</span>` : ''}
    ${error ? html`<span class="error-message" id="${f.id}-error">${error.message}</span>` : ''}
    <input
      type="${f.type ?? 'text'}"
      id="${f.id}"
      name="${f.id}"
      value="${f.value}"
      ${by ? html` aria-describedby="${by}"` : ''}${error ? html` aria-invalid="true"` : ''}${f.required ? html` required` : ''}
      autocomplete="off"
    />
  </div>`;
}

function selectField(id: FieldName, text: string, value: string, choices: readonly Choice[], messages: readonly FieldMessage[]): SafeHtml {
  const error = errorFor(messages, id);
  return html`<div class="field${error ? ' invalid' : ''}">
    <label for="${id}">${text}</label>
    ${error ? html`<span class="error-message" id="${id}-error">${error.message}</span>` : ''}
    <select id="${id}" name="${id}" ${error ? html` aria-describedby="${id}-error" aria-invalid="true"` : ''}>
      ${choices.map((c) => html`<option value="${c.code}" ${c.code === value ? html` selected` : ''}>${c.display}</option>`)}
      ${value && !choices.some((c) => c.code === value) ? html`<option value="${value}" selected>${value}</option>` : ''}
    </select>
  </div>`;
}

export interface FormPage {
  readonly chrome: Chrome;
  readonly org: Organization;
  readonly fields: EndpointFields;
  readonly messages: readonly FieldMessage[];
  readonly informationTypes: readonly Choice[];
  /** Absent for a new endpoint. */
  readonly id?: string;
  readonly version?: string;
}

export function endpointFormPage(p: FormPage): SafeHtml {
  const { fields: f, messages } = p;
  const title = p.id ? `Change ${f.name || 'endpoint'}` : 'Add an endpoint';
  const typesError = errorFor(messages, 'informationTypes');
  const summary: HtmlValue = messages.length
    ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
        <h2>The endpoint was not saved</h2>
        <ul>
          ${messages.map((m) => html`<li>${m.field ? html`<a href="#${m.field === 'informationTypes' ? 'informationType-0' : m.field}">${m.message}</a>` : m.message}</li>`)}
        </ul>
      </div>`
    : '';
  return layout(
    title,
    p.chrome,
    html`<h1>${title}</h1>
      <p>For ${p.org.name}.</p>
      ${summary}
      <form class="edit" method="post" action="${p.id ? `/admin/endpoints/${p.id}` : '/admin/endpoints'}" novalidate>
        <input type="hidden" name="_csrf" value="${p.chrome.csrf}" />
        ${p.version ? html`<input type="hidden" name="version" value="${p.version}" />` : ''}
        ${textField({ id: 'name', label: 'Name', value: f.name, hint: 'How people recognise the API, e.g. "Patient summary API".', messages })}
        ${selectField('status', 'Status', f.status, STATUSES, messages)}
        ${textField({ id: 'address', label: 'Address', type: 'url', value: f.address, hint: 'The base URL that systems call, starting with https://.', messages, required: true })}
        ${selectField('connectionType', 'Connection type', f.connectionType, CONNECTION_TYPES, messages)}
        <fieldset class="${typesError ? 'invalid' : ''}" ${typesError ? html` aria-describedby="informationTypes-error"` : ''}>
          <legend>Information types</legend>
          ${typesError ? html`<span class="error-message" id="informationTypes-error">${typesError.message}</span>` : ''}
          ${p.informationTypes.map(
            (t, i) =>
              html`<label for="informationType-${i}"
                ><input
                  type="checkbox"
                  id="informationType-${i}"
                  name="informationType"
                  value="${t.code}"
                  ${f.informationTypes.includes(t.code) ? html` checked` : ''}
                />
                ${t.display}</label
              >`,
          )}
        </fieldset>
        <fieldset>
          <legend>Valid</legend>
          <span class="hint">Leave empty for no limit.</span>
          <div class="dates">
            ${textField({ id: 'periodStart', label: 'First day', type: 'date', value: f.periodStart, messages })}
            ${textField({ id: 'periodEnd', label: 'Last day', type: 'date', value: f.periodEnd, messages })}
          </div>
        </fieldset>
        ${textField({ id: 'guide', label: 'Implementation guide', type: 'url', value: f.guide, hint: 'The web address of the guide the API follows.', messages })}
        ${textField({ id: 'guideVersion', label: 'Guide version', value: f.guideVersion, messages })}
        <div class="actions">
          <button type="submit">${p.id ? 'Save changes' : 'Add endpoint'}</button>
          <a class="button secondary" href="/admin/endpoints">Cancel</a>
          ${p.id ? html`<a href="/admin/endpoints/${p.id}/history">Change history</a>` : ''}
        </div>
      </form>`,
  );
}
