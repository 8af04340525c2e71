/** The pending list, its buttons, and what a click on one of them answers. */

import type { TextFormat } from '../format.js';
import type { Invitation } from '../model.js';
import { stateLabel } from './invitation.js';
import { roleLabel } from './refusals.js';

/** The label of each button the bot shows, by action (the list's, the approval post's and the forms'). */
export const buttonLabel = (action: 'approve' | 'deny' | 'resend' | 'showlink' | 'retry' | 'revoke' | 'cancel') =>
  ({
    approve: 'Approve',
    deny: 'Deny',
    resend: 'Resend',
    showlink: 'Show link',
    retry: 'Retry',
    revoke: 'Revoke',
    cancel: 'Cancel',
  })[action];

export const listEmpty = (page: number) => (page > 1 ? 'No more pending invitations.' : 'No pending invitations.');
export const listHeading = (everyone: boolean, page: number, f: TextFormat) =>
  `${f.bold(`Pending invitations${everyone ? ' (everyone’s)' : ''}`)}, page ${page}`;
export const listMore = (trigger: string, nextPage: number) => `More: \`/${trigger} list ${nextPage}\``;

function age(fromIso: string, now: Date): string {
  const hours = Math.floor((now.getTime() - Date.parse(fromIso)) / 3600_000);
  return hours < 1 ? 'just now' : hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

/** One invitation's lines in the list; `why`: what the backend says about its buttons, if anything. */
export function listEntryText(inv: Invitation, now: Date, f: TextFormat, why?: string): string {
  const channels = `${inv.channelIds.length} channel${inv.channelIds.length === 1 ? '' : 's'}`;
  const invited = `invited by ${f.mention(inv.inviter)} ${age(inv.createdAt, now)}`;
  return [
    `${f.bold(f.escape(inv.name))} (${f.escape(inv.email)}): ${stateLabel(inv)}`,
    `${roleLabel(inv.role)} · ${channels} · ${invited} · expires ${inv.expiresAt?.slice(0, 10) ?? 'never'}`,
    ...(inv.lastError ? [`:warning: ${f.escape(inv.lastError)}`] : []),
    ...(inv.state === 'sent' && why ? [`_${f.escape(why)}_`] : []),
  ].join('\n');
}

export const approvedGoesOut = (email: string, f: TextFormat) =>
  `Approved: the invitation for ${f.escape(email)} goes out now.`;
export const revokedNoLongerWorks = (email: string, f: TextFormat) =>
  `Revoked: the invitation for ${f.escape(email)} no longer works.`;
export const linkComingByDm = () =>
  'I am sending the inviter the link by direct message. Any earlier link of mine stops working.';
export const retrying = (email: string, f: TextFormat) => `Retrying the invitation for ${f.escape(email)}.`;
export const resentOnItsWay = (email: string, f: TextFormat) =>
  `The invitation for ${f.escape(email)} is on its way again.`;
