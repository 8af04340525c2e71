/** Every message the bot writes about an invitation, platform-neutral (the Writer words it for its reader and
 * escapes for the platform). */

import type { Words } from '../i18n.js';
import type { Invitation, Skipped } from '../model.js';
import type { Writer } from '../writer.js';
import { roleLabel } from './refusals.js';

export interface ArrivedUser {
  id: string;
  username: string;
  displayName: string;
}

/** A placeholder that may be missing, with its selector (`hasReason: 'yes'`): user text never picks a branch. */
export function optional(name: string, text: string | undefined, f: Writer): Record<string, string> {
  const cap = name[0]!.toUpperCase() + name.slice(1);
  return { [name]: text ? f.escape(text) : '', [`has${cap}`]: text ? 'yes' : 'no' };
}

/** The invitee as the bot names them: name and address, or the address. */
export function who(f: Writer, inv: Invitation): string {
  const email = f.escape(inv.email);
  return inv.name ? f.t('invitation.who', { name: f.escape(inv.name), email }) : email;
}

export function arrivalAnnouncement(f: Writer, inv: Invitation, user: ArrivedUser): string {
  const named = user.displayName && user.displayName !== user.username;
  return f.t('arrival.announcement', {
    named: named ? 'yes' : 'no',
    name: named ? f.escape(user.displayName) : '',
    user: f.mention(user),
    role: roleLabel(f, inv.role),
    inviter: f.mention(inv.inviter),
  });
}

export function arrivalNoticeToInviter(f: Writer, inv: Invitation, user: ArrivedUser): string {
  return f.t('arrival.noticeToInviter', { who: who(f, inv), user: f.mention(user) });
}

export function approvalRequest(f: Writer, inv: Invitation, channelNames: string[]): string {
  const lines = [
    f.t('approval.request', { inviter: f.mention(inv.inviter), who: who(f, inv), role: roleLabel(f, inv.role) }),
    channelNames.length
      ? f.t('approval.channels', { channels: f.list(channelNames.map((c) => f.escape(c))) })
      : f.t('approval.noChannels'),
  ];
  if (inv.kdriveRight !== 'none') lines.push(f.t('approval.kdrive', { right: f.t(`kdrive.${inv.kdriveRight}`) }));
  if (inv.message) lines.push(f.t('approval.message', { message: f.escape(inv.message) }));
  return lines.join('\n');
}

export function decisionLine(f: Writer, inv: Invitation): string {
  const d = inv.decision;
  if (!d) return '';
  const values = { by: f.mention(d.by), when: f.dateTime(d.at), ...optional('reason', d.reason, f) };
  return d.approved ? f.t('approval.approvedBy', values) : f.t('approval.deniedBy', values);
}

export function decisionNoticeToInviter(f: Writer, inv: Invitation): string {
  const d = inv.decision!;
  const values = { who: who(f, inv), by: f.mention(d.by), ...optional('reason', d.reason, f) };
  return d.approved ? f.t('decision.approvedNotice', values) : f.t('decision.deniedNotice', values);
}

export function deliveryFailedNotice(f: Writer, inv: Invitation): string {
  return f.t('delivery.failedNotice', { who: who(f, inv), ...optional('error', inv.lastError, f) });
}

export function stateLabel(w: Words, inv: Invitation): string {
  return w.t(`state.${inv.state}`);
}

/** What the inviter is told right after submitting the wizard. `perHour`: the platform's email pace, if any. */
export function submissionSummary(
  f: Writer,
  created: Invitation[],
  skipped: Skipped[],
  needsApproval: boolean,
  perHour?: number,
): string {
  const lines: string[] = [];
  const count = created.length;
  if (count) {
    const values = { count, email: f.escape(created[0]!.email) };
    lines.push(f.t(needsApproval ? 'submission.waitsForApproval' : 'submission.onItsWay', values));
    if (perHour && count > perHour && created[0]!.delivery === 'platform_email') {
      lines.push(f.t('submission.paced', { perHour, hours: Math.ceil(count / perHour) - 1 }));
    }
  }
  for (const s of skipped) lines.push(f.t('submission.skipped', { email: f.escape(s.email), reason: s.reason(f) }));
  return lines.join('\n');
}

export function revokedNoticeToInviter(f: Writer, inv: Invitation, by: string | undefined): string {
  return f.t('revoked.noticeToInviter', { who: who(f, inv), hasBy: by ? 'yes' : 'no', by: by ?? '' });
}

/** The invitee or someone on the platform's side ended the invitation there (kChat: in the Infomaniak Manager). */
export function declinedNoticeToInviter(f: Writer, inv: Invitation, how: 'rejected' | 'cancelled'): string {
  return f.t(how === 'rejected' ? 'declined.rejected' : 'declined.cancelled', { who: who(f, inv) });
}

/** The acceptance link, for the inviter to pass on. Links are shown, never logged. */
export function linkNoticeToInviter(f: Writer, inv: Invitation, url: string): string {
  return [
    f.t('link.notice', { who: who(f, inv) }),
    '',
    url,
    '',
    f.t('link.onlyFor', { email: f.escape(inv.email) }),
  ].join('\n');
}

/** The invitee opened a dead link and asks for a new invitation ("Ask for a new invitation" on the page). */
export function renewalRequestNotice(f: Writer, inv: Invitation): string {
  return f.t('renewal.notice', { who: who(f, inv), why: inv.state });
}

export function expiredNoticeToInviter(f: Writer, inv: Invitation): string {
  return f.t('expired.noticeToInviter', { who: who(f, inv) });
}

/** The reminder for a link only the inviter could pass on: the bot has no other way to reach the invitee. */
export function linkReminderToInviter(f: Writer, inv: Invitation): string {
  const expires = inv.expiresAt ? f.date(inv.expiresAt) : 'never';
  return f.t('reminder.linkToInviter', { who: who(f, inv), expires });
}

export function approvalDigest(f: Writer, invitations: Invitation[]): string {
  const lines = invitations.map((inv) =>
    f.t('digest.line', {
      who: who(f, inv),
      role: roleLabel(f, inv.role),
      inviter: f.mention(inv.inviter),
      date: f.date(inv.createdAt),
    }),
  );
  return [f.t('digest.heading', { count: invitations.length }), ...lines].join('\n');
}

/** A message about one invitation: text in the platform's markup, the outcome lines once it is decided, and the
 * Approve / Deny buttons while it waits. Each platform renders it (views/<platform>/). */
export interface ChatMessage {
  text: string;
  outcome?: string[];
  /** The buttons' words come with them: the post is in its reader's language. */
  approvalButtons?: { invitationId: string; question: string; approve: string; deny: string };
  /** Buttons that act on one invitation as the pending list's do (a guest's Extend / Remove now / Adopt). */
  actionButtons?: { invitationId: string; buttons: ActionButton[] };
}

/** What a button of the bot does. */
export type ButtonAction =
  | 'approve'
  | 'deny'
  | 'resend'
  | 'showlink'
  | 'retry'
  | 'revoke'
  | 'cancel'
  | 'extend30'
  | 'extend90'
  | 'endaccess'
  | 'adopt';

/** A button of the list or of a direct message, by the action it names (the adapter signs it). */
export interface ActionButton {
  action: ButtonAction;
  label: string;
  style?: 'primary' | 'danger';
}

/** The approval request: its buttons while it waits, then who decided and what became of it. */
export function approvalMessage(f: Writer, inv: Invitation, channelNames: string[]): ChatMessage {
  const text = approvalRequest(f, inv, channelNames);
  if (inv.state === 'pending_approval') {
    const buttons = { question: f.t('approval.question'), approve: f.t('button.approve'), deny: f.t('button.deny') };
    return { text, approvalButtons: { invitationId: inv.id, ...buttons } };
  }
  const decided = decisionLine(f, inv);
  const now = f.t('approval.nowInState', { state: stateLabel(f, inv) });
  const outcome = [decided || now];
  if (decided && ['revoked', 'failed', 'expired'].includes(inv.state)) outcome.push(now);
  // A right still being retried, or why the invitation failed: approvers see it until it is resolved.
  if (inv.lastError) outcome.push(`:warning: ${f.escape(inv.lastError)}`);
  return { text, outcome };
}

/** Progress of a bulk request; `perHour`: the platform's pace, when it has one. */
export function bulkProgressNotice(w: Words, inv: Invitation, done: number, now: Date, perHour?: number): string {
  const size = inv.batch?.size ?? done;
  const left = size - done;
  if (left <= 0) return w.t('bulk.finished', { size });
  if (!perHour) return w.t('bulk.progress', { done, size });
  const eta = new Date(now.getTime() + Math.ceil(left / perHour) * 3600_000);
  return w.t('bulk.progressPaced', { done, size, perHour, eta: w.dateTime(eta) });
}

/** Kept as the invitation's last error when the invitee declined it on the platform's side. */
export const inviteeDeclined = (w: Words) => w.t('declined.lastError');
