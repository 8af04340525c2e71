/** GET /join/:token: who invites whom, with which address, to what; and the registration form. The form has no
 * action: it posts back to the page's own address, so the link token never appears in the HTML. */
import { utcDate } from '../dates.js';
import { html, httpUrl } from '../html.js';
import { type Org, page } from './layout.js';

export type RegistrationField = 'firstName' | 'lastName' | 'username' | 'password';

export interface JoinView {
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
  label: string,
  attrs: { type: string; autocomplete: string; hint?: string; extra?: ReturnType<typeof html> },
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
  const afterwards = 'Once you are in, you are added to the channels listed above.';
  return html`<section class="card">
<h2>Join</h2>
<p>Sign up on the next page with <strong>${v.email}</strong>: that is how we recognise you. ${afterwards}</p>
<a class="button" href="${httpUrl(url) ?? '#'}" rel="noreferrer">Continue to sign up</a>
</section>`;
}

export function joinPage(v: JoinView): string {
  const r = v.rules;
  const invitee = v.inviteeName ? html`<strong>${v.inviteeName}</strong>` : 'you';
  const usernameAttrs = html` autocapitalize="none" spellcheck="false" pattern="[a-z][a-z0-9.\\-_]*"`;
  const body = html`<section class="card">
<h1>You are invited to join ${v.org.name}</h1>
<p><strong>${v.inviterName}</strong> invited ${invitee} to join ${v.org.name}.</p>
${v.message ? html`<blockquote>${v.message}</blockquote>` : ''}
<p>Your account will use this email address:</p>
<span class="email" id="invited-email">${v.email}</span>
<p class="muted">Only this address can accept this invitation.</p>
</section>
<section class="card">
<h2>What you get</h2>
<ul class="facts">
<li><strong>Role:</strong> ${v.roleLabel}. ${v.roleNote}</li>
<li><strong>Channels:</strong> ${v.channels.length ? v.channels.join(', ') : 'the team’s default channels'}</li>
<li><strong>Valid until:</strong> ${v.expiresAt ? utcDate(v.expiresAt) : 'no expiry'}</li>
</ul>
</section>
${
  v.signUpUrl
    ? signUpSection(v, v.signUpUrl)
    : html`<section class="card">
<h2>Create your account</h2>
${v.errors.form ? html`<div class="alert" role="alert">${v.errors.form}</div>` : ''}
<form method="post">
<input type="hidden" name="csrf" value="${v.csrf}">
<div class="row">
${field(v, 'firstName', 'First name', {
  type: 'text',
  autocomplete: 'given-name',
  extra: html` required maxlength="64"`,
})}
${field(v, 'lastName', 'Last name', { type: 'text', autocomplete: 'family-name', extra: html` maxlength="64"` })}
</div>
${field(v, 'username', 'Username', {
  type: 'text',
  autocomplete: 'username',
  hint:
    `${r.usernameMin}–${r.usernameMax} characters: ` +
    'lower-case letters, digits, “.”, “-” or “_”, starting with a letter.',
  extra: html` required minlength="${r.usernameMin}" maxlength="${r.usernameMax}"${usernameAttrs}`,
})}
${field(v, 'password', 'Password', {
  type: 'password',
  autocomplete: 'new-password',
  hint: r.passwordHint,
  extra: html` required minlength="${r.passwordMin}" maxlength="${r.passwordMax}"`,
})}
<button type="submit">Create my account</button>
</form>
</section>`
}`;
  return page({ title: 'Your invitation', org: v.org, body });
}
