/** The invitee has an account: mark the invitation arrived (once, whatever path noticed it first) and schedule
 * the channel joins, the announcements and the inviter's notice. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor, notifyInviter, welcomeJob } from './jobs.js';

export async function recordArrival(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
  userId: string,
  via: string,
): Promise<Invitation | undefined> {
  const at = deps.clock.now().toISOString();
  // A guest's access runs from the day they arrive, for as long as the inviter chose.
  const accessEndsAt = inv.accessDays
    ? new Date(deps.clock.now().getTime() + inv.accessDays * 86400_000).toISOString()
    : undefined;
  const patch = { arrivedUserId: userId, arrivedAt: at, ...(accessEndsAt && { accessEndsAt }) };
  const arrived = { ...inv, ...patch };
  return deps.store.transition(inv.id, {
    ...TRANSITIONS.arrive,
    patch,
    audit: { at, invitationId: inv.id, actor: userId, action: 'arrived', detail: { via } },
    jobs: [
      // Only roles above a plain member need anything applied once the account exists.
      ...(inv.role === 'admin' || inv.role === 'legal_representative' ? [jobFor(arrived, JOB.applyRole)] : []),
      ...inv.channelIds.map((channelId) => jobFor(arrived, JOB.announce, { channelId }, channelId)),
      notifyInviter(arrived, 'arrival'),
      // Where the platform keeps a guest's end itself (Slack Enterprise Grid).
      ...(accessEndsAt ? [jobFor(arrived, JOB.setAccessEnd, {}, accessEndsAt)] : []),
      welcomeJob(arrived, userId),
    ],
  });
}
