/** Approvers' daily digest of requests waiting more than a day: one job per workspace and day (its dedupe key), so
 * running the pass again that day queues nothing more. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import type { NewJob, Store } from '../store/store.js';
import { JOB, jobKind } from './jobs.js';

/** `stale`: the waiting requests, any platform and workspace. Returns how many digests it queued. */
export async function queueApprovalDigests(deps: { store: Store; clock: Clock }, stale: Invitation[]): Promise<number> {
  const day = deps.clock.now().toISOString().slice(0, 10);
  const byWorkspace = new Map<string, Invitation[]>();
  for (const inv of stale) {
    const key = `${inv.platform}:${inv.workspaceId}`;
    byWorkspace.set(key, [...(byWorkspace.get(key) ?? []), inv]);
  }
  const digests: NewJob[] = [...byWorkspace.values()].map((invs) => ({
    kind: jobKind(invs[0]!.platform, JOB.approvalDigest),
    dedupeKey: `${JOB.approvalDigest}:${invs[0]!.platform}:${invs[0]!.workspaceId}:${day}`,
    payload: { workspaceId: invs[0]!.workspaceId, invitationIds: invs.map((i) => i.id) },
  }));
  if (digests.length) await deps.store.enqueue(digests);
  return digests.length;
}
