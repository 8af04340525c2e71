/** What the platform's own invitation says now (kChat: the Infomaniak invitation's status, read by the status
 * poll), kept on the invitation with its audit entry. Where it ends the invitation (cancelled there, declined by
 * the invitee, past its expiry) the state moves with the inviter's notice and the approval post's update, in the
 * same write. `accepted` only records the status: the arrival is its own change (recordArrival), made once the
 * account exists. */

import type { Clock } from '../core/clock.js';
import type { Locales } from '../core/i18n.js';
import { inviteeDeclined } from '../core/messages.js';
import type { AuditEntry, Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

/** `gone`: the platform no longer has the invitation (for kChat, the email reconciliation then decides). */
export const EXTERNAL_STATUSES = ['accepted', 'cancelled', 'rejected', 'expired', 'gone'] as const;
export type ExternalStatus = (typeof EXTERNAL_STATUSES)[number];

export function isExternalStatus(value: string): value is ExternalStatus {
  return (EXTERNAL_STATUSES as readonly string[]).includes(value);
}

export interface ExternalReport {
  status: ExternalStatus;
  /** The invitation's `external` record with the status in it. */
  external: Record<string, string>;
  /** Who reported it, for the audit entry (e.g. `infomaniak`). */
  actor: string;
}

export async function recordExternalStatus(
  deps: { store: Store; clock: Clock; locales: Locales },
  inv: Invitation,
  report: ExternalReport,
): Promise<Invitation | undefined> {
  const { status, external } = report;
  const at = deps.clock.now().toISOString();
  const audit = (action: AuditEntry['action']) => ({
    at,
    invitationId: inv.id,
    actor: report.actor,
    action,
    detail: { status },
  });
  const approvalUpdate = inv.approvalPosts.length
    ? [jobFor(inv, JOB.updateApproval, {}, `${report.actor}:${status}`)]
    : [];
  switch (status) {
    case 'accepted':
      return deps.store.patchInvitation(inv.id, { external }, audit('accepted'));
    case 'gone':
      return deps.store.patchInvitation(inv.id, { external }, audit('infomaniak_invitation_gone'));
    case 'cancelled':
      return deps.store.transition(inv.id, {
        ...TRANSITIONS.revoke,
        patch: { external },
        audit: audit('revoked'),
        jobs: [jobFor(inv, JOB.notifyInviter, { about: 'declined', how: 'cancelled' }, 'declined'), ...approvalUpdate],
      });
    case 'rejected':
      return deps.store.transition(inv.id, {
        ...TRANSITIONS.decline,
        patch: { external, lastError: inviteeDeclined(deps.locales.org) },
        audit: audit('declined'),
        jobs: [jobFor(inv, JOB.notifyInviter, { about: 'declined', how: 'rejected' }, 'declined'), ...approvalUpdate],
      });
    case 'expired':
      return deps.store.transition(inv.id, {
        ...TRANSITIONS.expire,
        patch: { external },
        audit: audit('expired'),
        jobs: [jobFor(inv, JOB.notifyInviter, { about: 'expired' }, 'expired'), ...approvalUpdate],
      });
  }
}
