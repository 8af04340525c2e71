/** The scheduled side of the lifecycle, platform-neutral: expire what is past its date, remind invitees once
 * before expiry, and send approvers a digest of requests waiting more than a day. Each pass is idempotent
 * (compare-and-set transitions, a reminder mark, one digest job per workspace and day) and catches up after
 * downtime, since it compares with the current time rather than counting ticks. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import { JOB, jobFor, jobKind, notifyInviter } from '../actions/jobs.js';
import type { NewJob, Store } from '../store/store.js';

const DAY_MS = 86400_000;
/** The reminder goes out this long before expiry (or halfway, for invitations shorter than twice this). */
const REMIND_BEFORE_MS = DAY_MS;

export interface LifecycleResult { expired: number; reminded: number; digests: number }

export async function runLifecycle(deps: { store: Store; clock: Clock }): Promise<LifecycleResult> {
  const now = deps.clock.now();
  const result: LifecycleResult = { expired: 0, reminded: 0, digests: 0 };
  const waiting = await deps.store.listInvitations({ states: ['pending_approval', 'sent'] });

  for (const inv of waiting) {
    if (inv.expiresAt && Date.parse(inv.expiresAt) <= now.getTime()) {
      if (await expire(deps, inv, now)) result.expired++;
    } else if (inv.state === 'sent' && dueForReminder(inv, now)) {
      // The mark and the job in one write: a crash between them would lose the reminder for good.
      const at = now.toISOString();
      const reminded = await deps.store.transition(inv.id, {
        from: ['sent'], to: 'sent', patch: { remindedAt: at },
        audit: { at, invitationId: inv.id, actor: 'bot', action: 'reminder_scheduled' },
        jobs: [jobFor(inv, JOB.remindInvitee)],
      });
      if (reminded) result.reminded++;
    }
  }

  const day = now.toISOString().slice(0, 10);
  const stale = waiting.filter((i) => i.state === 'pending_approval' && now.getTime() - Date.parse(i.createdAt) > DAY_MS && (!i.expiresAt || Date.parse(i.expiresAt) > now.getTime()));
  const byWorkspace = new Map<string, Invitation[]>();
  for (const inv of stale) byWorkspace.set(`${inv.platform}:${inv.workspaceId}`, [...(byWorkspace.get(`${inv.platform}:${inv.workspaceId}`) ?? []), inv]);
  const digests: NewJob[] = [...byWorkspace.values()].map((invs) => ({
    kind: jobKind(invs[0]!.platform, JOB.approvalDigest),
    dedupeKey: `${JOB.approvalDigest}:${invs[0]!.platform}:${invs[0]!.workspaceId}:${day}`,
    payload: { workspaceId: invs[0]!.workspaceId, invitationIds: invs.map((i) => i.id) },
  }));
  if (digests.length) await deps.store.enqueue(digests);
  result.digests = digests.length;
  return result;
}

function dueForReminder(inv: Invitation, now: Date): boolean {
  if (inv.remindedAt || !inv.expiresAt) return false;
  const expires = Date.parse(inv.expiresAt);
  const lead = Math.min(REMIND_BEFORE_MS, (expires - Date.parse(inv.createdAt)) / 2);
  return expires - now.getTime() <= lead;
}

async function expire(deps: { store: Store }, inv: Invitation, now: Date): Promise<boolean> {
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS.expire,
    audit: { at: now.toISOString(), invitationId: inv.id, actor: 'bot', action: 'expired' },
    jobs: [
      notifyInviter(inv, 'expired'),
      jobFor(inv, JOB.withdraw),
      ...(inv.approvalPosts.length ? [jobFor(inv, JOB.updateApproval, {}, 'expired')] : []),
    ],
  });
  return !!updated;
}
