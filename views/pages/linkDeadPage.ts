/** A link that can no longer be used (already accepted, expired, withdrawn, or not active), with a button that
 * asks the inviter for a new invitation. The form posts back to the page's own address with intent=renew. */
import { utcDate } from '../dates.js';
import { html } from '../html.js';
import { type Org, page } from './layout.js';

export interface LinkDeadView {
  org: Org;
  status: 'used' | 'expired' | 'revoked' | 'unavailable';
  inviterName: string;
  email: string;
  expiresAt: string | null;
  csrf: string;
  /** Where an existing account signs in (shown for `used`). */
  loginUrl?: string;
}

const TEXT: Record<LinkDeadView['status'], { title: string; lead: (v: LinkDeadView) => ReturnType<typeof html> }> = {
  used: {
    title: 'This invitation was already accepted',
    lead: (v) => html`<p>An account was already created with <strong>${v.email}</strong>. Sign in with it instead.</p>`,
  },
  expired: {
    title: 'This invitation has expired',
    lead: (v) => {
      const what = v.expiresAt ? html`expired on ${utcDate(v.expiresAt)}` : 'has expired';
      return html`<p>The invitation for <strong>${v.email}</strong> ${what}.</p>`;
    },
  },
  revoked: {
    title: 'This invitation was withdrawn',
    lead: (v) => html`<p>The invitation for <strong>${v.email}</strong> was withdrawn and can no longer be used.</p>`,
  },
  unavailable: {
    title: 'This invitation is not active',
    lead: (v) => html`<p>The invitation for <strong>${v.email}</strong> cannot be accepted at the moment.</p>`,
  },
};

export function linkDeadPage(v: LinkDeadView): string {
  const t = TEXT[v.status];
  const secondary = v.status === 'used' ? html` class="secondary"` : '';
  const body = html`<section class="card">
<h1>${t.title}</h1>
${t.lead(v)}
${v.status === 'used' && v.loginUrl ? html`<a class="button" href="${v.loginUrl}">Sign in</a>` : ''}
</section>
<section class="card">
<h2>${v.status === 'used' ? 'Not you?' : 'Still want to join?'}</h2>
<p>Ask <strong>${v.inviterName}</strong> for a new invitation: we will pass your request on.</p>
<form method="post">
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="intent" value="renew">
<button type="submit"${secondary}>Ask ${v.inviterName} for a new invitation</button>
</form>
</section>`;
  return page({ title: t.title, org: v.org, body });
}
