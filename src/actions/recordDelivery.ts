/** The outcome of a delivery job, whatever the platform: `sending` becomes `sent` (with the jobs the delivery
 * left to do) or, once the outbox gave up, `failed` with the reason and a notice to the inviter. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { NewJob, Store } from '../store/store.js';
import { JOB, jobFor, notifyInviter } from './jobs.js';

type Deps = { store: Store; clock: Clock };

/** How often a bulk request's progress is reported to its inviter. */
export const PROGRESS_EVERY = 20;

export async function recordDelivered(
  deps: Deps,
  inv: Invitation,
  followUps: NewJob[] = [],
): Promise<Invitation | undefined> {
  return deps.store.transition(inv.id, {
    ...TRANSITIONS.delivered,
    audit: {
      at: deps.clock.now().toISOString(),
      invitationId: inv.id,
      actor: 'bot',
      action: 'delivered',
      detail: { via: inv.delivery },
    },
    jobs: [...followUps, ...(await progressNotice(deps, inv))],
  });
}

/** A progress notice every PROGRESS_EVERY deliveries of a batch and when its last one went out: one job per step
 * (the dedupe key), whichever delivery crossed it. */
async function progressNotice(deps: Deps, inv: Invitation): Promise<NewJob[]> {
  if (!inv.batch) return [];
  const members = await deps.store.listInvitations({ platform: inv.platform, batchId: inv.batch.id });
  // This delivery counts as done: its own transition is the one being written.
  const done = members.filter(
    (i) => i.id === inv.id || (i.state !== 'sending' && i.state !== 'pending_approval'),
  ).length;
  const step = done === inv.batch.size ? 'last' : String(Math.floor(done / PROGRESS_EVERY));
  if (step === '0') return [];
  return [
    { ...jobFor(inv, JOB.notifyInviter, { about: 'progress', done }), dedupeKey: `progress:${inv.batch.id}:${step}` },
  ];
}

export async function recordDeliveryFailed(
  deps: Deps,
  inv: Invitation,
  error: string,
): Promise<Invitation | undefined> {
  return deps.store.transition(inv.id, {
    ...TRANSITIONS.deliveryFailed,
    patch: { lastError: error },
    audit: {
      at: deps.clock.now().toISOString(),
      invitationId: inv.id,
      actor: 'bot',
      action: 'delivery_failed',
      detail: { error },
    },
    jobs: [notifyInviter(inv, 'failed')],
  });
}
