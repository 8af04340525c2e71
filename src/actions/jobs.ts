/** The outbox jobs that state changes schedule. A job's kind names its platform, whose adapter runs it; what each
 * kind carries is in jobPayloads.ts. */
import type { Invitation } from '../core/model.js';
import { PermanentError } from '../outbox/errors.js';
import type { NewJob, OutboxJob, Store } from '../store/store.js';

/** A job as the actions and backends make it (see jobFor). */
export type { NewJob };

import type { JobPayload, JobWhat, NoticeAbout, NoticePayload } from './jobPayloads.js';

export type { JobWhat };

export const JOB = {
  requestApproval: 'request-approval',
  updateApproval: 'update-approval',
  deliver: 'deliver',
  notifyInviter: 'notify-inviter',
  announce: 'announce',
  applyRole: 'apply-role',
  welcome: 'welcome',
  /** One right set on the platform after delivery (kChat: kSuite, kChat, kDrive), retried on its own. */
  grantRight: 'grant-right',
  /** Undo the platform's side of a revoked invitation (kChat: cancel the Infomaniak invitation). */
  withdraw: 'withdraw',
  /** Sending a `sent` invitation again, by a method chosen at the time. */
  resend: 'resend',
  /** The one reminder an invitee gets before their invitation expires. */
  remindInvitee: 'remind-invitee',
  /** A workspace's requests that have waited more than a day, sent to its approvers. */
  approvalDigest: 'approval-digest',
  /** The sponsor's direct message a week, then a day, before their guest's access ends. */
  remindSponsor: 'remind-sponsor',
  /** Ending an arrived guest's access on the platform (out of the bot's channels, deactivated or removed). */
  endAccess: 'end-access',
  /** Telling the sponsor that their guest's access has ended. */
  accessEnded: 'access-ended',
  /** The guest's new end date on a platform that keeps one itself (Slack Enterprise Grid's expiration). */
  setAccessEnd: 'set-access-end',
  /** Asking the admins to adopt a guest whose sponsor left. */
  askAdoption: 'ask-adoption',
  /** A newcomer's reply to the bot, passed on to their sponsor. */
  forwardReply: 'forward-reply',
  /** The newcomer's "passed on" answer, at most one in a while. */
  ackReply: 'ack-reply',
} as const satisfies Record<string, JobWhat>;

/** The notices that carry nothing but what they are about. */
export type InviterNotice = {
  [A in NoticeAbout]: { about: A } extends Extract<NoticePayload, { about: A }> ? A : never;
}[NoticeAbout];

/** A payload is optional only for the kinds whose payload may be empty. */
type PayloadArgs<W extends JobWhat> =
  {} extends JobPayload<W> ? [payload?: JobPayload<W>, key?: string] : [payload: JobPayload<W>, key?: string];

export function jobKind(platform: string, what: JobWhat): string {
  return `${platform}.${what}`;
}

/** One job for one invitation; `key` makes it unique when the same kind runs several times (e.g. per channel). */
export function jobFor<W extends JobWhat>(inv: Invitation, what: W, ...[payload, key = '']: PayloadArgs<W>): NewJob {
  return {
    kind: jobKind(inv.platform, what),
    invitationId: inv.id,
    dedupeKey: `${what}:${inv.id}${key ? `:${key}` : ''}`,
    payload: payload ?? {},
  };
}

/** The newcomer's welcome: keyed by the person and the workspace, so that it goes once even when several
 * invitations brought them, or several paths noticed their arrival. */
export function welcomeJob(inv: Invitation, userId: string): NewJob {
  return { ...jobFor(inv, JOB.welcome), dedupeKey: `welcome:${inv.platform}:${inv.workspaceId}:${userId}` };
}

export function notifyInviter(inv: Invitation, about: InviterNotice, key = ''): NewJob {
  return jobFor(inv, JOB.notifyInviter, { about }, `${about}${key ? `:${key}` : ''}`);
}

/** The invitation a job is about; a job whose invitation is gone can never succeed. */
export async function invitationOf(store: Store, job: OutboxJob): Promise<Invitation> {
  const inv = job.invitationId ? await store.getInvitation(job.invitationId) : undefined;
  if (!inv) throw new PermanentError(`invitation ${job.invitationId} not found`);
  return inv;
}
