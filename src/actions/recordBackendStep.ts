/** A step the platform's own side took on an invitation, outside its state machine (kChat: the organization's
 * invitation created or cancelled, a right set, failing or given up, a guest invitation cancelled): what it
 * learnt, its audit entry and the jobs it leads to, in one write. The state is left alone, so a step never undoes
 * a decision or a revoke made meanwhile. */
import type { Clock } from '../core/clock.js';
import type { AuditAction, Invitation } from '../core/model.js';
import type { NewJob, Store } from '../store/store.js';

export interface BackendStep {
  /** The invitation's `external` record as it now stands (it replaces the stored one). */
  external?: Record<string, string>;
  /** An error to show on the invitation (free of addresses and numbers: core/redact.ts), or null to clear it. */
  lastError?: string | null;
  /** Left out only for a mark that keeps a step from being taken twice, which is no event of its own. */
  audit?: { action: AuditAction; detail?: Record<string, unknown> };
  jobs?: NewJob[];
}

export async function recordBackendStep(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
  step: BackendStep,
): Promise<Invitation | undefined> {
  const patch = {
    ...(step.external && { external: step.external }),
    ...(step.lastError !== undefined && { lastError: step.lastError ?? undefined }),
  };
  const audit = step.audit && { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', ...step.audit };
  return deps.store.patchInvitation(inv.id, patch, audit, step.jobs ?? []);
}
