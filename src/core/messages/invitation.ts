/** Every message the bot writes about an invitation, platform-neutral (the TextFormat does the escaping). */

import type { TextFormat } from '../format.js';
import type { Invitation, Skipped } from '../model.js';
import { ROLE_LABELS } from './refusals.js';

export interface ArrivedUser {
  id: string;
  username: string;
  displayName: string;
}

/** The invitee as the bot names them: name and address, or the address. */
export function who(inv: Invitation, f: TextFormat): string {
  return inv.name ? `${f.escape(inv.name)} (${f.escape(inv.email)})` : f.escape(inv.email);
}

export function arrivalAnnouncement(inv: Invitation, user: ArrivedUser, f: TextFormat): string {
  const shown = user.displayName && user.displayName !== user.username ? `${f.escape(user.displayName)} ` : '';
  return (
    `:wave: Please welcome ${shown}${f.mention(user)}, who joined as ${ROLE_LABELS[inv.role].toLowerCase()} ` +
    `at the invitation of ${f.mention(inv.inviter)}.`
  );
}

export function arrivalNoticeToInviter(inv: Invitation, user: ArrivedUser, f: TextFormat): string {
  return `${who(inv, f)} accepted your invitation and is now here as ${f.mention(user)}.`;
}

export function approvalRequest(inv: Invitation, f: TextFormat, channelNames: string[]): string {
  const lines = [
    `${f.mention(inv.inviter)} asks to invite ${who(inv, f)} as ${f.bold(ROLE_LABELS[inv.role])}.`,
    channelNames.length ? `Channels: ${channelNames.map((c) => f.escape(c)).join(', ')}` : 'Channels: none',
  ];
  if (inv.kdriveRight !== 'none') lines.push(`kDrive: ${inv.kdriveRight}`);
  if (inv.message) lines.push(`Message: ${f.escape(inv.message)}`);
  return lines.join('\n');
}

export function decisionLine(inv: Invitation, f: TextFormat): string {
  const d = inv.decision;
  if (!d) return '';
  const when = d.at.replace('T', ' ').slice(0, 16) + ' UTC';
  return d.approved
    ? `:white_check_mark: Approved by ${f.mention(d.by)} on ${when}.`
    : `:no_entry_sign: Denied by ${f.mention(d.by)} on ${when}${d.reason ? `: ${f.escape(d.reason)}` : '.'}`;
}

export function decisionNoticeToInviter(inv: Invitation, f: TextFormat): string {
  const d = inv.decision!;
  return d.approved
    ? `Your invitation for ${who(inv, f)} was approved by ${f.mention(d.by)} and is on its way.`
    : `Your invitation for ${who(inv, f)} was denied by ${f.mention(d.by)}` +
        `${d.reason ? `: ${f.escape(d.reason)}` : '.'}`;
}

export function deliveryFailedNotice(inv: Invitation, f: TextFormat): string {
  return (
    `The invitation for ${who(inv, f)} could not be delivered` +
    `${inv.lastError ? ` (${f.escape(inv.lastError)})` : ''}. An administrator can retry it from the pending list.`
  );
}

export function stateLabel(inv: Invitation): string {
  return {
    pending_approval: 'waiting for approval',
    denied: 'denied',
    sending: 'being sent',
    sent: 'sent',
    arrived: 'arrived',
    expired: 'expired',
    revoked: 'revoked',
    failed: 'failed',
  }[inv.state];
}

/** What the inviter is told right after submitting the wizard. `perHour`: the platform's email pace, if any. */
export function submissionSummary(
  created: Invitation[],
  skipped: Skipped[],
  needsApproval: boolean,
  f: TextFormat,
  perHour?: number,
): string {
  const lines: string[] = [];
  const n = created.length;
  if (n) {
    const who = n === 1 ? f.escape(created[0]!.email) : `${n} people`;
    lines.push(
      needsApproval
        ? `Your invitation for ${who} is waiting for an administrator’s approval. I will tell you the outcome.`
        : `Your invitation for ${who} is on its way.`,
    );
    if (perHour && n > perHour && created[0]!.delivery === 'platform_email') {
      const hours = Math.ceil(n / perHour) - 1;
      lines.push(
        `The server sends at most ${perHour} invitation emails an hour, ` +
          `so the last ones go out in about ${hours} hour${hours === 1 ? '' : 's'}. I will report progress.`,
      );
    }
  }
  for (const s of skipped) lines.push(`Not invited: ${f.escape(s.email)} ${s.reason}.`);
  return lines.join('\n');
}

export function revokedNoticeToInviter(inv: Invitation, by: string | undefined, f: TextFormat): string {
  return `Your invitation for ${who(inv, f)} was revoked${by ? ` by ${by}` : ''}. The invitation link no longer works.`;
}

/** The invitee or someone on the platform's side ended the invitation there (kChat: in the Infomaniak Manager). */
export function declinedNoticeToInviter(inv: Invitation, how: 'rejected' | 'cancelled', f: TextFormat): string {
  return how === 'rejected'
    ? `${who(inv, f)} declined your invitation.`
    : `Your invitation for ${who(inv, f)} was cancelled outside the chat (in the organization's administration), ` +
        'so it is now revoked here too.';
}

/** The acceptance link, for the inviter to pass on. Links are shown, never logged. */
export function linkNoticeToInviter(inv: Invitation, url: string, f: TextFormat): string {
  return [
    `Here is the invitation link for ${who(inv, f)}. Pass it on by a way you trust (SMS, a call, in person):`,
    '',
    url,
    '',
    `It only works for someone who registers with ${f.escape(inv.email)}.`,
  ].join('\n');
}

export function expiredNoticeToInviter(inv: Invitation, f: TextFormat): string {
  return (
    `Your invitation for ${who(inv, f)} expired before it was accepted. ` +
    'Invite them again if they still need access.'
  );
}

/** The reminder for a link only the inviter could pass on: the bot has no other way to reach the invitee. */
export function linkReminderToInviter(inv: Invitation, f: TextFormat): string {
  const by = inv.expiresAt ? ` It expires on ${inv.expiresAt.slice(0, 10)}.` : '';
  return (
    `${who(inv, f)} has not accepted your invitation yet.${by} Remind them to use the link you passed on ` +
    '(Show link in the list gives a new one, and the old one stops working).'
  );
}

export function approvalDigest(invitations: Invitation[], f: TextFormat): string {
  const lines = invitations.map(
    (inv) =>
      `- ${who(inv, f)} as ${ROLE_LABELS[inv.role].toLowerCase()}, ` +
      `asked by ${f.mention(inv.inviter)} on ${inv.createdAt.slice(0, 10)}`,
  );
  return [
    `${invitations.length} invitation request${invitations.length === 1 ? ' has' : 's have'} ` +
      'waited more than a day for a decision:',
    ...lines,
  ].join('\n');
}

/** A message about one invitation: text in the platform's markup, the outcome lines once it is decided, and the
 * Approve / Deny buttons while it waits. Each platform renders it (views/<platform>/). */
export interface ChatMessage {
  text: string;
  outcome?: string[];
  approvalButtons?: { invitationId: string };
}

/** The approval request: its buttons while it waits, then who decided and what became of it. */
export function approvalMessage(inv: Invitation, f: TextFormat, channelNames: string[]): ChatMessage {
  const text = approvalRequest(inv, f, channelNames);
  if (inv.state === 'pending_approval') return { text, approvalButtons: { invitationId: inv.id } };
  const decided = decisionLine(inv, f);
  const outcome = [decided || `This invitation is now ${stateLabel(inv)}.`];
  if (decided && ['revoked', 'failed', 'expired'].includes(inv.state))
    outcome.push(`This invitation is now ${stateLabel(inv)}.`);
  // A right still being retried, or why the invitation failed: approvers see it until it is resolved.
  if (inv.lastError) outcome.push(`:warning: ${f.escape(inv.lastError)}`);
  return { text, outcome };
}

/** Progress of a bulk request; `perHour`: the platform's pace, when it has one. */
export function bulkProgressNotice(inv: Invitation, done: number, now: Date, perHour?: number): string {
  const size = inv.batch?.size ?? done;
  const left = size - done;
  if (left <= 0) return `Bulk invitation finished: all ${size} invitations were processed.`;
  if (!perHour) return `Bulk invitation: ${done} of ${size} sent.`;
  const hours = Math.ceil(left / perHour);
  const eta = new Date(now.getTime() + hours * 3600_000).toISOString().slice(11, 16);
  return (
    `Bulk invitation: ${done} of ${size} sent. ` +
    `The rest go out at ${perHour} an hour; expected done by about ${eta} UTC.`
  );
}

/** Kept as the invitation's last error when the invitee declined it on the platform's side. */
export const inviteeDeclined = () => 'The invitee declined the invitation.';
