/** "Ask for a new invitation" from a dead acceptance link: an audit entry and one notice to the inviter. The notice
 * is an ordinary notify-inviter job whose `about` is 'renewal-request'; its dedupe key makes repeated clicks send
 * one message (the outbox keeps finished jobs for a week). */
import type { Clock } from '../core/clock.js';
import type { TextFormat } from '../core/format.js';
import type { Invitation } from '../core/model.js';
import { JOB, jobFor } from '../actions/jobs.js';
import type { NewJob, Store } from '../store/store.js';

export const RENEWAL_REQUEST = 'renewal-request';

export function renewalRequestJob(inv: Invitation): NewJob {
  return jobFor(inv, JOB.notifyInviter, { about: RENEWAL_REQUEST }, RENEWAL_REQUEST);
}

/** Per invitation, counted on its audit trail: the inviter is told once anyway, and the trail stays short. */
export const RENEWALS_PER_HOUR = 3;

/** Refused (nothing recorded) when the invitee already asked RENEWALS_PER_HOUR times within the hour. */
export async function requestRenewal(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
  const now = deps.clock.now();
  const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
  const recent = (await deps.store.auditTrail(inv.id)).filter((a) => a.action === 'renewal_requested' && a.at > hourAgo);
  if (recent.length >= RENEWALS_PER_HOUR) return { ok: false, retryAt: new Date(Date.parse(recent[0]!.at) + 3600_000) };
  const at = now.toISOString();
  await deps.store.patchInvitation(inv.id, {}, { at, invitationId: inv.id, actor: 'invitee', action: 'renewal_requested', detail: { state: inv.state } });
  await deps.store.enqueue([renewalRequestJob(inv)]);
  return { ok: true };
}

/** The direct message the inviter gets. */
export function renewalRequestNotice(inv: Invitation, f: TextFormat): string {
  const why = { arrived: 'was already used', revoked: 'was revoked', pending_approval: 'is not active yet', denied: 'was denied' }[inv.state as string] ?? 'has expired';
  const who = inv.name ? `${f.escape(inv.name)} (${f.escape(inv.email)})` : f.escape(inv.email);
  return `${who} opened their invitation link, which ${why}, and asks you for a new invitation. If they should still join, invite them again.`;
}
