import { html, type SafeHtml } from '@ndi-mesh/kernel';
import type { DirectoryPerson } from './directory.ts';

export const STYLESHEET_PATH = '/assets/dev-idp.css';

export const STYLESHEET = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem; }
.banner { background: #7a1f00; color: #fff; padding: .75rem 1.5rem; font-weight: 600; }
fieldset { border: 1px solid #999; border-radius: 4px; padding: 1rem; }
label { display: block; padding: .5rem; border-radius: 4px; }
label:hover { background: #eee; }
.who { font-weight: 600; }
.detail { display: block; color: #444; font-size: .9rem; margin-left: 1.6rem; }
button { font: inherit; padding: .5rem 1rem; margin: 1rem .5rem 0 0; }
:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
code { font-size: .9rem; }
`;

const DEV_ONLY = 'Development identity provider: synthetic people only. Never use it for real sign-in.';

export function page(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ndi-mesh development identity provider</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <div class="banner" role="note">${DEV_ONLY}</div>
        <main>${body}</main>
      </body>
    </html>`;
}

export function loginPage(uid: string, clientName: string, people: readonly DirectoryPerson[]): SafeHtml {
  return page(
    'Sign in',
    html`<h1>Sign in to ${clientName}</h1>
      <p>Choose the synthetic person to sign in as. Each carries an HSA-id, an organisation and roles, as a real identity provider's assertion would.</p>
      <form method="post" action="/interaction/${uid}/login">
        <fieldset>
          <legend>Synthetic people</legend>
          ${people.map(
            (p, i) =>
              html`<label for="person-${i}"
                ><input type="radio" id="person-${i}" name="account" value="${p.sub}" ${i === 0 ? html` checked` : ''} required />
                <span class="who">${p.givenName} ${p.familyName}</span>
                <span class="detail">${p.description}</span>
                <span class="detail"
                  >HSA-id <code>${p.hsaId}</code> · ${p.organisationName} (<code>${p.organisationHsaId}</code>) · roles:
                  ${p.roles.length ? p.roles.join(', ') : 'none'}</span
                >
              </label>`,
          )}
        </fieldset>
        <button type="submit">Sign in as the chosen person</button>
      </form>
      <form method="post" action="/interaction/${uid}/abort">
        <button type="submit">Cancel</button>
      </form>`,
  );
}

export function errorPage(title: string, message: string): SafeHtml {
  return page(
    title,
    html`<h1>Sign-in failed</h1>
      <p>${message}</p>
      <p><small>(${title})</small></p>`,
  );
}

export function homePage(issuer: string, people: readonly DirectoryPerson[]): SafeHtml {
  return page(
    'About',
    html`<h1>ndi-mesh development identity provider</h1>
      <p>
        An OpenID Connect provider for development and demonstrations. Issuer: <code>${issuer}</code> (discovery at
        <a href="${issuer}/.well-known/openid-configuration">/.well-known/openid-configuration</a>).
      </p>
      <h2>Synthetic people</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">HSA-id</th>
            <th scope="col">Organisation</th>
            <th scope="col">Roles</th>
          </tr>
        </thead>
        <tbody>
          ${people.map(
            (p) =>
              html`<tr>
                <td>${p.givenName} ${p.familyName}</td>
                <td><code>${p.hsaId}</code></td>
                <td>${p.organisationName} (<code>${p.organisationHsaId}</code>)</td>
                <td>${p.roles.join(', ') || '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}
