/** The bot's own invitation email (text and HTML parts), in the invitation's language. Every value may come from
 * a user or an operator: the HTML part escapes it, the text part and the subject keep it on one line. */
import { htmlText, plainText } from '../../src/core/format.js';
import type { Words } from '../../src/core/i18n.js';
import { writer } from '../../src/core/writer.js';
import { html, httpUrl, SafeHtml } from '../html.js';

export interface InvitationEmailContent {
  /** The address the invitee must register with (also the recipient). */
  email: string;
  inviteeName: string;
  inviterName: string;
  orgName: string;
  roleLabel: string;
  /** ISO date, or null: the invitation does not expire. */
  expiresAt: string | null;
  /** The acceptance link. */
  link: string;
  /** The inviter's personal message, if any. */
  message?: string;
}

export function invitationEmail(w: Words, c: InvitationEmailContent): { subject: string; text: string; html: string } {
  const plain = writer(plainText, w);
  const rich = writer(htmlText, w);
  const values = (f: typeof plain) => ({
    name: f.escape(c.inviteeName),
    inviter: f.escape(c.inviterName),
    org: f.escape(c.orgName),
    role: f.escape(c.roleLabel),
    email: f.escape(c.email),
    message: f.escape(c.message ?? ''),
  });
  const [p, h] = [values(plain), values(rich)];
  const expiry = (f: typeof plain) =>
    c.expiresAt ? f.t('email.expires', { date: f.dateTime(c.expiresAt) }) : f.t('email.noExpiry');
  const subject = plain.t('email.subject', p).slice(0, 200);
  // In the text part every user value stays on its own line's remainder: no line of it can pass for the bot's own
  // (a second "Accept the invitation:" line, say).
  const text = [
    plain.t('email.hello', p),
    '',
    plain.t('email.invited', p),
    ...(p.message ? ['', plain.t('email.theirMessage', p)] : []),
    '',
    plain.t('email.acceptLine', { link: c.link }),
    '',
    plain.t('email.registerWith', p),
    expiry(plain),
    '',
    plain.t('email.ignore'),
  ].join('\n');
  const link = httpUrl(c.link) ?? '';
  const said = (key: Parameters<typeof rich.t>[0]) => new SafeHtml(rich.t(key, h));
  const viewport = html`<meta name="viewport" content="width=device-width, initial-scale=1">`;
  const bodyStyle =
    'margin:0;padding:24px;background:#f4f5f7;' +
    'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328';
  const quoteStyle = 'margin:16px 0;padding:8px 16px;border-left:4px solid #d0d7de;color:#57606a';
  const buttonStyle =
    'display:inline-block;background:#1c58d9;color:#fff;padding:12px 20px;border-radius:6px;' +
    'text-decoration:none;font-weight:600';
  const body = html`<!doctype html>
<html lang="${w.language}"><head><meta charset="utf-8">${viewport}<title>${subject}</title></head>
<body style="${bodyStyle}">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">${said('email.heading')}</h1>
<p>${said('email.hello')}</p>
<p>${said('email.invited')}</p>
${c.message ? html`<blockquote style="${quoteStyle}">${c.message}</blockquote>` : ''}
<p style="margin:24px 0"><a href="${link}" style="${buttonStyle}">${said('email.accept')}</a></p>
<p>${said('email.registerWith')}</p>
<p>${new SafeHtml(expiry(rich))}</p>
<p style="color:#57606a;font-size:13px">${said('email.buttonFallback')}<br>${link}</p>
<p style="color:#57606a;font-size:13px">${said('email.ignore')}</p>
</div></body></html>`;
  return { subject, text, html: body.value };
}
