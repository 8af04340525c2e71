/** A link that can no longer be used (already accepted, expired, withdrawn, or not active), with a button that
 * asks the inviter for a new invitation. The form posts back to the page's own address with intent=renew. */
import type { Words } from '../../src/core/i18n.js';
import { html } from '../html.js';
import { type Org, page } from './layout.js';
import { pageText } from './pageText.js';

export interface LinkDeadView {
  words: Words;
  org: Org;
  status: 'used' | 'expired' | 'revoked' | 'unavailable';
  inviterName: string;
  email: string;
  expiresAt: string | null;
  csrf: string;
  /** Where an existing account signs in (shown for `used`). */
  loginUrl?: string;
}

export function linkDeadPage(v: LinkDeadView): string {
  const w = v.words;
  const title = w.t(`dead.${v.status}.title`);
  const date = v.expiresAt ? w.dateTime(v.expiresAt) : 'unknown';
  const secondary = v.status === 'used' ? html` class="secondary"` : '';
  const inviter = { inviter: v.inviterName };
  const signIn =
    v.status === 'used' && v.loginUrl
      ? html`<a class="button" href="${v.loginUrl}">${pageText(w, 'dead.signIn')}</a>`
      : '';
  const body = html`<section class="card">
<h1>${title}</h1>
<p>${pageText(w, `dead.${v.status}.lead`, { email: v.email, date })}</p>
${signIn}
</section>
<section class="card">
<h2>${pageText(w, v.status === 'used' ? 'dead.notYou' : 'dead.stillJoin')}</h2>
<p>${pageText(w, 'dead.askInviter', inviter)}</p>
<form method="post">
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="intent" value="renew">
<button type="submit"${secondary}>${pageText(w, 'dead.askButton', inviter)}</button>
</form>
</section>`;
  return page({ title, org: v.org, body, language: w.language, switchLanguage: true });
}
