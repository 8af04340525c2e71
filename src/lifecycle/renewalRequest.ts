/** "Ask for a new invitation" from a dead acceptance link: the notice the inviter gets, an ordinary notify-inviter
 * job whose `about` is 'renewal-request' (recorded by actions/requestRenewal.ts). */

import { JOB, jobFor } from '../actions/jobs.js';
import type { Invitation } from '../core/model.js';
import type { NewJob } from '../store/store.js';

export const RENEWAL_REQUEST = 'renewal-request';

export function renewalRequestJob(inv: Invitation): NewJob {
  return jobFor(inv, JOB.notifyInviter, { about: RENEWAL_REQUEST }, RENEWAL_REQUEST);
}
