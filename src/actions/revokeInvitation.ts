/** Revoking an invitation: its inviter or an approver ends it. The state change, its audit entry and the jobs
 * that undo the platform's side (kChat: cancel the Infomaniak invitation), refresh the approval post and tell
 * the inviter are stored in one write; the platform calls then run from the outbox. */

import type { Clock } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { alreadyInState, invitationGone, manageRefused } from '../core/messages.js';
import type { Invitation, Person } from '../core/model.js';
import { type InviterLevel, mayApprove } from '../core/policy.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export interface RevokeInput {
  invitationId: string;
  by: Person;
  /** The revoker's level, resolved by the adapter at the time of the request. */
  byLevel: InviterLevel;
  reason?: string;
}

export type RevokeResult =
  | { ok: true; invitation: Invitation }
  | { ok: false; reason: Phrase; invitation?: Invitation };

export async function revokeInvitation(
  deps: { store: Store; clock: Clock },
  input: RevokeInput,
): Promise<RevokeResult> {
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  if (inv.inviter.id !== input.by.id && !mayApprove(input.byLevel)) {
    return { ok: false, reason: (w) => manageRefused(w, 'revoke'), invitation: inv };
  }
  const at = deps.clock.now().toISOString();
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS.revoke,
    audit: {
      at,
      invitationId: inv.id,
      actor: input.by.id,
      action: 'revoked',
      detail: input.reason ? { reason: input.reason } : undefined,
    },
    jobs: [
      jobFor(inv, JOB.withdraw),
      ...(inv.approvalPosts.length ? [jobFor(inv, JOB.updateApproval, {}, 'revoked')] : []),
      ...(inv.inviter.id !== input.by.id
        ? [jobFor(inv, JOB.notifyInviter, { about: 'revoked', by: input.by }, 'revoked')]
        : []),
    ],
  });
  if (updated) return { ok: true, invitation: updated };
  const state = (await deps.store.getInvitation(inv.id))?.state;
  return { ok: false, reason: state ? (w) => alreadyInState(w, state) : invitationGone };
}
