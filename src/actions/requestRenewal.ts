/** "Ask for a new invitation" from a dead acceptance link: an audit entry and one notice to the inviter, in one
 * write. The notice's dedupe key makes repeated clicks send one message (the outbox keeps finished jobs a week). */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { renewalRequestJob } from '../lifecycle/renewalRequest.js';
import type { Store } from '../store/store.js';

/** Per invitation, counted on its audit trail: the inviter is told once anyway, and the trail stays short. */
export const RENEWALS_PER_HOUR = 3;

/** Refused (nothing recorded) when the invitee already asked RENEWALS_PER_HOUR times within the hour. */
export async function requestRenewal(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
  const now = deps.clock.now();
  const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
  const trail = await deps.store.auditTrail(inv.id);
  const recent = trail.filter((a) => a.action === 'renewal_requested' && a.at > hourAgo);
  if (recent.length >= RENEWALS_PER_HOUR) return { ok: false, retryAt: new Date(Date.parse(recent[0]!.at) + 3600_000) };
  const audit = { at: now.toISOString(), invitationId: inv.id, actor: 'invitee', action: 'renewal_requested' } as const;
  await deps.store.patchInvitation(inv.id, {}, { ...audit, detail: { state: inv.state } }, [renewalRequestJob(inv)]);
  return { ok: true };
}
