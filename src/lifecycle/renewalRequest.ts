/** "Ask for a new invitation" from a dead acceptance link: the notice the inviter gets, an ordinary notify-inviter
 * job whose `about` is 'renewal-request' (recorded by actions/requestRenewal.ts). */

import { JOB, jobFor } from '../actions/jobs.js';
import type { TextFormat } from '../core/format.js';
import type { Invitation } from '../core/model.js';
import type { NewJob } from '../store/store.js';

export const RENEWAL_REQUEST = 'renewal-request';

export function renewalRequestJob(inv: Invitation): NewJob {
  return jobFor(inv, JOB.notifyInviter, { about: RENEWAL_REQUEST }, RENEWAL_REQUEST);
}

/** The direct message the inviter gets. */
export function renewalRequestNotice(inv: Invitation, f: TextFormat): string {
  const why =
    {
      arrived: 'was already used',
      revoked: 'was revoked',
      pending_approval: 'is not active yet',
      denied: 'was denied',
    }[inv.state as string] ?? 'has expired';
  const who = inv.name ? `${f.escape(inv.name)} (${f.escape(inv.email)})` : f.escape(inv.email);
  return (
    `${who} opened their invitation link, which ${why}, and asks you for a new invitation. ` +
    'If they should still join, invite them again.'
  );
}
