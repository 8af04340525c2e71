/** GET /join/:token: who invites whom, with which address, to what; and the registration form. The form has no
 * action: it posts back to the page's own address, so the link token never appears in the HTML. */
import type { Words } from '../../src/core/i18n.js';
import { html, httpUrl, type SafeHtml } from '../html.js';
import { type Org, page } from './layout.js';
import { pageText } from './pageText.js';

export type RegistrationField = 'firstName' | 'lastName' | 'username' | 'password';

export interface JoinView {
  words: Words;
  org: Org;
  inviterName: string;
  inviteeName: string;
  email: string;
  roleLabel: string;
  /** One sentence on what the role means here. */
  roleNote: string;
  channels: string[];
  expiresAt: string | null;
  message?: string;
  csrf: string;
  values: Partial<Record<Exclude<RegistrationField, 'password'>, string>>;
  errors: Partial<Record<RegistrationField | 'form', string>>;
  rules: { usernameMin: number; usernameMax: number; passwordMin: number; passwordMax: number; passwordHint: string };
  /** Set when the platform creates accounts itself (Slack's join link): a button to it replaces the form. */
  signUpUrl?: string;
}

function field(
  v: JoinView,
  name: RegistrationField,
  label: SafeHtml,
  attrs: { type: string; autocomplete: string; hint?: string | SafeHtml; extra?: SafeHtml },
) {
  const error = v.errors[name];
  const hintId = `${name}-hint`;
  const errorId = `${name}-error`;
  const value = name === 'password' ? '' : (v.values[name] ?? '');
  const describedBy = [attrs.hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  const typed = html`type="${attrs.type}" autocomplete="${attrs.autocomplete}" value="${value}"${attrs.extra ?? ''}`;
  return html`<div>
<label for="${name}">${label}</label>
<input id="${name}" name="${name}" ${typed}${error ? html` aria-invalid="true"` : ''} aria-describedby="${describedBy}">
${attrs.hint ? html`<p class="hint" id="${hintId}">${attrs.hint}</p>` : ''}
${error ? html`<p class="error" id="${errorId}">${error}</p>` : ''}
</div>`;
}

function signUpSection(v: JoinView, url: string) {
  const w = v.words;
  return html`<section class="card">
<h2>${pageText(w, 'join.join')}</h2>
<p>${pageText(w, 'join.signUpWith', { email: v.email })}</p>
<a class="button" href="${httpUrl(url) ?? '#'}" rel="noreferrer">${pageText(w, 'join.continue')}</a>
</section>`;
}

export function joinPage(v: JoinView): string {
  const r = v.rules;
  const w = v.words;
  const org = v.org.name;
  const usernameAttrs = html` autocapitalize="none" spellcheck="false" pattern="[a-z][a-z0-9.\\-_]*"`;
  const validUntil = v.expiresAt
    ? pageText(w, 'join.validUntil', { date: w.dateTime(v.expiresAt) })
    : pageText(w, 'join.noExpiry');
  const invited = { inviter: v.inviterName, invitee: v.inviteeName, named: v.inviteeName ? 'yes' : 'no', org };
  const body = html`<section class="card">
<h1>${pageText(w, 'join.title', { org })}</h1>
<p>${pageText(w, 'join.invited', invited)}</p>
${v.message ? html`<blockquote>${v.message}</blockquote>` : ''}
<p>${pageText(w, 'join.yourAddress')}</p>
<span class="email" id="invited-email">${v.email}</span>
<p class="muted">${pageText(w, 'join.onlyThisAddress')}</p>
</section>
<section class="card">
<h2>${pageText(w, 'join.whatYouGet')}</h2>
<ul class="facts">
<li>${pageText(w, 'join.role', { role: v.roleLabel, note: v.roleNote })}</li>
<li>${
    v.channels.length
      ? pageText(w, 'join.channels', { channels: w.list(v.channels) })
      : pageText(w, 'join.defaultChannels')
  }</li>
<li>${validUntil}</li>
</ul>
</section>
${
  v.signUpUrl
    ? signUpSection(v, v.signUpUrl)
    : html`<section class="card">
<h2>${pageText(w, 'join.createAccount')}</h2>
${v.errors.form ? html`<div class="alert" role="alert">${v.errors.form}</div>` : ''}
<form method="post">
<input type="hidden" name="csrf" value="${v.csrf}">
<div class="row">
${field(v, 'firstName', pageText(w, 'join.firstName'), {
  type: 'text',
  autocomplete: 'given-name',
  extra: html` required maxlength="64"`,
})}
${field(v, 'lastName', pageText(w, 'join.lastName'), {
  type: 'text',
  autocomplete: 'family-name',
  extra: html` maxlength="64"`,
})}
</div>
${field(v, 'username', pageText(w, 'join.username'), {
  type: 'text',
  autocomplete: 'username',
  hint: pageText(w, 'join.usernameHint', { min: r.usernameMin, max: r.usernameMax }),
  extra: html` required minlength="${r.usernameMin}" maxlength="${r.usernameMax}"${usernameAttrs}`,
})}
${field(v, 'password', pageText(w, 'join.password'), {
  type: 'password',
  autocomplete: 'new-password',
  hint: r.passwordHint,
  extra: html` required minlength="${r.passwordMin}" maxlength="${r.passwordMax}"`,
})}
<button type="submit">${pageText(w, 'join.submit')}</button>
</form>
</section>`
}`;
  return page({ title: w.t('join.pageTitle'), org: v.org, body, language: w.language, switchLanguage: true });
}
