/** A page that only tells something: an unknown link, a request passed on, a failure. */
import type { Language } from '../../src/core/i18n.js';
import { html, type SafeHtml } from '../html.js';
import { type Org, page } from './layout.js';

export function noticePage(org: Org, title: string, lines: (string | SafeHtml)[], language?: Language): string {
  return page({
    title,
    org,
    language,
    body: html`<section class="card"><h1>${title}</h1>${lines.map((l) => html`<p>${l}</p>`)}</section>`,
  });
}
