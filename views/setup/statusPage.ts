/** GET / on a deployment without the playground: what runs here, for the operator who opens the bot's address.
 * Names and states only: no server address, token or count of anything. */
import { html } from '../html.js';
import { type Org, page } from '../pages/layout.js';

export interface StatusView {
  version: string;
  platforms: { name: string; connected: boolean }[];
  /** Where the setup page is, when it is on for everyone (no platform configured). */
  setupUrl?: string;
}

export function statusPage(org: Org, view: StatusView): string {
  const platforms = view.platforms.length
    ? html`<ul class="facts">
${view.platforms.map(
  (p) => html`<li><strong>${p.name}</strong>: ${p.connected ? 'connected' : 'configured, not connected yet'}</li>`,
)}
</ul>`
    : html`<p>No chat platform is configured yet.</p>`;
  return page({
    title: 'Guestlist is running',
    org,
    body: html`<section class="card">
<h1>Guestlist is running</h1>
<p class="muted">Version ${view.version}</p>
<h2>Platforms</h2>
${platforms}
${view.setupUrl ? html`<p><a class="button" href="${view.setupUrl}">Connect a platform</a></p>` : ''}
</section>`,
  });
}
