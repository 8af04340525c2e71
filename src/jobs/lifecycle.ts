/** The scheduled side of the lifecycle, platform-neutral: expire what is past its date, remind invitees once
 * before expiry, and send approvers a digest of requests waiting more than a day. Each pass is idempotent
 * (compare-and-set transitions, a reminder mark, one digest job per workspace and day) and catches up after
 * downtime, since it compares with the current time rather than counting ticks. Every change is an action's. */

import { expireInvitation } from '../actions/expireInvitation.js';
import { endAccess, scheduleSponsorReminder } from '../actions/guestAccess.js';
import { queueApprovalDigests } from '../actions/queueApprovalDigests.js';
import { scheduleReminder } from '../actions/scheduleReminder.js';
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';

const DAY_MS = 86400_000;
/** The reminder goes out this long before expiry (or halfway, for invitations shorter than twice this). */
const REMIND_BEFORE_MS = DAY_MS;

export interface LifecycleResult {
  expired: number;
  reminded: number;
  digests: number;
  /** Guests whose access ended on its date, and sponsors' reminders queued. */
  accessEnded: number;
  sponsorsReminded: number;
}

export async function runLifecycle(deps: { store: Store; clock: Clock }): Promise<LifecycleResult> {
  const now = deps.clock.now();
  const result: LifecycleResult = { expired: 0, reminded: 0, digests: 0, accessEnded: 0, sponsorsReminded: 0 };
  const waiting = await deps.store.listInvitations({ states: ['pending_approval', 'sent'] });
  const expired = (inv: Invitation) => !!inv.expiresAt && Date.parse(inv.expiresAt) <= now.getTime();

  for (const inv of waiting) {
    if (expired(inv)) {
      if (await expireInvitation(deps, inv)) result.expired++;
    } else if (inv.state === 'sent' && dueForReminder(inv, now)) {
      if (await scheduleReminder(deps, inv)) result.reminded++;
    }
  }

  const waitedADay = (inv: Invitation) => now.getTime() - Date.parse(inv.createdAt) > DAY_MS;
  const stale = waiting.filter((i) => i.state === 'pending_approval' && waitedADay(i) && !expired(i));
  result.digests = await queueApprovalDigests(deps, stale);
  await guestsPass(deps, now, result);
  return result;
}

/** Guests within a week of their end: the sponsor is reminded a week before and a day before; at the end, it ends. */
async function guestsPass(deps: { store: Store; clock: Clock }, now: Date, result: LifecycleResult): Promise<void> {
  const accessEndsBefore = new Date(now.getTime() + 7 * DAY_MS).toISOString();
  for (const inv of await deps.store.listInvitations({ states: ['arrived'], accessEndsBefore })) {
    const left = Date.parse(inv.accessEndsAt!) - now.getTime();
    if (left <= 0) {
      if ((await endAccess(deps, inv)).ok) result.accessEnded++;
    } else if (left <= DAY_MS && inv.accessReminded !== '1') {
      if (await scheduleSponsorReminder(deps, inv, '1')) result.sponsorsReminded++;
    } else if (left > DAY_MS && !inv.accessReminded) {
      if (await scheduleSponsorReminder(deps, inv, '7')) result.sponsorsReminded++;
    }
  }
}

function dueForReminder(inv: Invitation, now: Date): boolean {
  if (inv.remindedAt || !inv.expiresAt) return false;
  const expires = Date.parse(inv.expiresAt);
  const lead = Math.min(REMIND_BEFORE_MS, (expires - Date.parse(inv.createdAt)) / 2);
  return expires - now.getTime() <= lead;
}
