/** The pending list, its buttons, and what a click on one of them answers. */

import type { Words } from '../i18n.js';
import type { Invitation } from '../model.js';
import type { Writer } from '../writer.js';
import { type ButtonAction, stateLabel } from './invitation.js';
import { roleLabel } from './refusals.js';

export type { ButtonAction };
/** The label of each button the bot shows, by action (the list's, the approval post's and the forms'). */
export const buttonLabel = (w: Words, action: ButtonAction) => w.t(`button.${action}`);

export const listEmpty = (w: Words, page: number) => w.t(page > 1 ? 'list.noMore' : 'list.empty');
export const listHeading = (f: Writer, everyone: boolean, page: number) =>
  f.t('list.heading', { everyone: everyone ? 'yes' : 'no', page });
export const listMore = (w: Words, trigger: string, nextPage: number) =>
  w.t('list.more', { command: `\`/${trigger} list ${nextPage}\`` });

function age(w: Words, fromIso: string, now: Date): string {
  const hours = Math.floor((now.getTime() - Date.parse(fromIso)) / 3600_000);
  return hours < 48 ? w.t('list.hoursAgo', { hours }) : w.t('list.daysAgo', { days: Math.floor(hours / 24) });
}

/** One invitation's lines in the list; `why`: what the backend says about its buttons, if anything. */
export function listEntryText(f: Writer, inv: Invitation, now: Date, why?: string): string {
  const facts = f.t('list.facts', {
    role: roleLabel(f, inv.role),
    channels: inv.channelIds.length,
    inviter: f.mention(inv.inviter),
    age: age(f, inv.createdAt, now),
    expires: inv.expiresAt ? f.date(inv.expiresAt) : 'never',
  });
  return [
    `${f.bold(f.escape(inv.name))} (${f.escape(inv.email)}): ${stateLabel(f, inv)}`,
    facts,
    ...(inv.lastError ? [`:warning: ${f.escape(inv.lastError)}`] : []),
    ...(inv.state === 'sent' && why ? [`_${f.escape(why)}_`] : []),
  ].join('\n');
}

export const approvedGoesOut = (f: Writer, email: string) => f.t('list.approved', { email: f.escape(email) });
export const revokedNoLongerWorks = (f: Writer, email: string) => f.t('list.revoked', { email: f.escape(email) });
export const linkComingByDm = (w: Words) => w.t('list.linkComingByDm');
export const retrying = (f: Writer, email: string) => f.t('list.retrying', { email: f.escape(email) });
export const resentOnItsWay = (f: Writer, email: string) => f.t('list.resent', { email: f.escape(email) });
