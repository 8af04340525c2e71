/** An invitation past its expiry ends: the state change, the inviter's notice, the job that undoes the platform's
 * side and the approval post's update, in one compare-and-set write (a second pass changes nothing). */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor, notifyInviter } from './jobs.js';

export async function expireInvitation(deps: { store: Store; clock: Clock }, inv: Invitation): Promise<boolean> {
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS.expire,
    audit: { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', action: 'expired' },
    jobs: [
      notifyInviter(inv, 'expired'),
      jobFor(inv, JOB.withdraw),
      ...(inv.approvalPosts.length ? [jobFor(inv, JOB.updateApproval, {}, 'expired')] : []),
    ],
  });
  return !!updated;
}
