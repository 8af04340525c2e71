/** A newcomer wrote to the bot: their reply is passed on to their sponsor. One store write: the audit entry, the
 * forward and, when due, the newcomer's acknowledgement. Both jobs are keyed by the platform's message id, so a
 * redelivered event never forwards twice. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export interface ReplyToForward {
  /** The platform's id of the message (unique on the platform). */
  messageId: string;
  /** Already cut to its limits (cutReply). */
  text: string;
  /** Whether the newcomer is told it was passed on (not after every message). */
  acknowledge: boolean;
}

export async function forwardReply(deps: { store: Store; clock: Clock }, inv: Invitation, r: ReplyToForward) {
  const key = `${inv.platform}:${r.messageId}`;
  const forward = jobFor(inv, JOB.forwardReply, { messageId: r.messageId, text: r.text });
  const jobs = [{ ...forward, dedupeKey: `${JOB.forwardReply}:${key}` }];
  if (r.acknowledge) jobs.push({ ...jobFor(inv, JOB.ackReply), dedupeKey: `${JOB.ackReply}:${key}` });
  const updated = await deps.store.patchInvitation(
    inv.id,
    {},
    {
      at: deps.clock.now().toISOString(),
      invitationId: inv.id,
      actor: inv.arrivedUserId ?? 'newcomer',
      action: 'reply_forwarded',
      detail: { messageId: r.messageId, chars: r.text.length },
    },
    jobs,
  );
  return !!updated;
}
