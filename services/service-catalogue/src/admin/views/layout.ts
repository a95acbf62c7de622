import { html, type HtmlValue, type SafeHtml } from '@ndi-mesh/kernel';
import type { Person } from '../session.ts';
import { STYLESHEET_PATH } from './stylesheet.ts';

export interface Chrome {
  readonly person?: Person;
  readonly csrf?: string;
  /** Links the person's roles give: [href, label]. */
  readonly nav?: readonly (readonly [string, string])[];
}

/** Every page: language, title, skip link, who is signed in and how to sign out, then the content. */
export function layout(title: string, chrome: Chrome, content: HtmlValue): SafeHtml {
  const { person, csrf, nav = [] } = chrome;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Service catalogue administration</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header>
          <a class="title" href="/admin">Service catalogue administration</a>
          ${
            nav.length
              ? html`<nav aria-label="Main">
                  <ul>
                    ${nav.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}
                  </ul>
                </nav>`
              : ''
          }
          ${
            person
              ? html`<div>
                  <span class="who">${person.name} · ${person.organisationName ?? person.organisationHsaId}</span>
                  <form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${csrf}" /><button type="submit">Sign out</button></form>
                </div>`
              : ''
          }
        </header>
        <main id="main" tabindex="-1">${content}</main>
      </body>
    </html>`;
}
