/** An approver's Approve or Deny. Rights are re-checked here (the adapter resolves the clicker's level at click
 * time); the state change is a compare-and-set, so concurrent or repeated clicks decide exactly once. */

import type { Clock } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { alreadyDecided, invitationGone } from '../core/messages.js';
import type { Invitation, Person } from '../core/model.js';
import { fourEyes, type InviterLevel, mayManage } from '../core/policy.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor, notifyInviter } from './jobs.js';

export interface DecisionInput {
  invitationId: string;
  approver: Person;
  approverLevel: InviterLevel;
  approved: boolean;
  reason?: string;
  /** Whether someone other than the inviter could decide (four eyes). */
  otherApproverExists: boolean;
}

export type DecisionResult =
  | { ok: true; invitation: Invitation }
  | { ok: false; reason: Phrase; invitation?: Invitation };

export async function decideApproval(
  deps: { store: Store; clock: Clock },
  input: DecisionInput,
): Promise<DecisionResult> {
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  const allowed = mayManage(input.approver.id, input.approverLevel, inv, 'decide');
  if (!allowed.ok) return { ...allowed, invitation: inv };
  const eyes = fourEyes(input.approver.id, inv.inviter.id, input.otherApproverExists);
  if (!eyes.ok) return { ...eyes, invitation: inv };

  const at = deps.clock.now().toISOString();
  const event = input.approved ? 'approve' : 'deny';
  const decision = { by: input.approver, at, approved: input.approved, reason: input.reason || undefined };
  const decided = { ...inv, decision };
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS[event],
    patch: { decision },
    audit: {
      at,
      invitationId: inv.id,
      actor: input.approver.id,
      action: event,
      detail: input.reason ? { reason: input.reason } : undefined,
    },
    jobs: [
      jobFor(decided, JOB.updateApproval),
      notifyInviter(decided, 'decision'),
      ...(input.approved ? [jobFor(decided, JOB.deliver)] : []),
    ],
  });
  if (updated) return { ok: true, invitation: updated };
  const current = await deps.store.getInvitation(inv.id);
  return { ok: false, reason: alreadyDecided, invitation: current };
}
