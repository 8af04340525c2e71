/** The bot's own invitation email (text and HTML parts). Every value may come from a user or an operator and
 * is escaped in the HTML part; the subject is kept on one line. */
import { oneLine } from '../../src/core/format.js';
import { utcDate } from '../dates.js';
import { html, httpUrl } from '../html.js';

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

export function invitationEmail(c: InvitationEmailContent): { subject: string; text: string; html: string } {
  const expiry = c.expiresAt
    ? `This invitation expires on ${utcDate(c.expiresAt)}.`
    : 'This invitation does not expire.';
  const subject = oneLine(`${c.inviterName} invited you to join ${c.orgName}`).slice(0, 200);
  // In the text part every user value stays on its own line's remainder: no line of it can pass for the bot's own
  // (a second "Accept the invitation:" line, say).
  const [invitee, inviter, org, message] = [c.inviteeName, c.inviterName, c.orgName, c.message ?? ''].map(oneLine);
  const text = [
    `Hello ${invitee},`,
    '',
    `${inviter} invited you to join ${org} as ${c.roleLabel.toLowerCase()}.`,
    ...(message ? ['', `Their message: “${message}”`] : []),
    '',
    `Accept the invitation: ${c.link}`,
    '',
    `Register with this email address: ${c.email}`,
    expiry,
    '',
    'If you did not expect this invitation, you can ignore this email.',
  ].join('\n');
  const link = httpUrl(c.link) ?? '';
  const role = c.roleLabel.toLowerCase();
  const viewport = html`<meta name="viewport" content="width=device-width, initial-scale=1">`;
  const bodyStyle =
    'margin:0;padding:24px;background:#f4f5f7;' +
    'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328';
  const quoteStyle = 'margin:16px 0;padding:8px 16px;border-left:4px solid #d0d7de;color:#57606a';
  const buttonStyle =
    'display:inline-block;background:#1c58d9;color:#fff;padding:12px 20px;border-radius:6px;' +
    'text-decoration:none;font-weight:600';
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">${viewport}<title>${subject}</title></head>
<body style="${bodyStyle}">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<h1 style="font-size:20px;margin:0 0 16px">You are invited to join ${c.orgName}</h1>
<p>Hello ${c.inviteeName},</p>
<p><strong>${c.inviterName}</strong> invited you to join <strong>${c.orgName}</strong> as ${role}.</p>
${c.message ? html`<blockquote style="${quoteStyle}">${c.message}</blockquote>` : ''}
<p style="margin:24px 0"><a href="${link}" style="${buttonStyle}">Accept the invitation</a></p>
<p>Register with this email address: <strong>${c.email}</strong></p>
<p>${expiry}</p>
<p style="color:#57606a;font-size:13px">If the button does not work, copy this address into your browser:<br>${link}</p>
<p style="color:#57606a;font-size:13px">If you did not expect this invitation, you can ignore this email.</p>
</div></body></html>`;
  return { subject, text, html: body.value };
}
