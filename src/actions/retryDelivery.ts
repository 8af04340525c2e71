/** Retrying a failed delivery: an approver sends it again. The failed → sending compare-and-set stores a fresh
 * deliver job with it, so two clicks retry once. */

import type { Clock } from '../core/clock.js';
import { newId } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { invitationGone, notFailed, onlyAdminsRetry } from '../core/messages.js';
import type { Person } from '../core/model.js';
import { type InviterLevel, mayApprove } from '../core/policy.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export async function retryDelivery(
  deps: { store: Store; clock: Clock },
  input: { invitationId: string; by: Person; byLevel: InviterLevel },
): Promise<{ ok: true; email: string } | { ok: false; reason: Phrase }> {
  if (!mayApprove(input.byLevel)) return { ok: false, reason: onlyAdminsRetry };
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS.retry,
    patch: { lastError: undefined },
    audit: { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: input.by.id, action: 'retry' },
    // A fresh key: the earlier deliver job, dead, keeps its own.
    jobs: [jobFor(inv, JOB.deliver, {}, `retry:${newId()}`)],
  });
  return updated ? { ok: true, email: inv.email } : { ok: false, reason: notFailed };
}
