import { html, type SafeHtml } from '@ndi-mesh/kernel';
import { layout, type Chrome } from './layout.ts';

export function signInPage(message?: string): SafeHtml {
  return layout(
    'Sign in',
    {},
    html`<h1>Sign in</h1>
      ${message ? html`<div class="refusal" role="alert"><p>${message}</p></div>` : ''}
      <p>Organisations manage their entries in the national service catalogue here: which APIs they offer, for which kinds of health information, and where.</p>
      <p>
        Sign in with your organisation's account. You need the role of catalogue administrator for your organisation, or be one of the agency's support staff.
      </p>
      <p><a class="button" href="/admin/login">Sign in</a></p>`,
  );
}

/** A refusal page: what happened, why, and what the person can do; the server's code for support. */
export function refusalPage(chrome: Chrome, title: string, explanation: string, code?: string, detail?: string): SafeHtml {
  return layout(
    title,
    chrome,
    html`<h1>${title}</h1>
      <div class="refusal" role="alert">
        <p>${explanation}</p>
        ${
          code
            ? html`<p>
                <small>Reference for support: <code>${code}</code>${detail ? html` — ${detail}` : ''}</small>
              </p>`
            : ''
        }
      </div>
      <p><a href="/admin">Back to the start page</a></p>`,
  );
}
