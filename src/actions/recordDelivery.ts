/** The outcome of a delivery job, whatever the platform: `sending` becomes `sent` (with the jobs the delivery
 * left to do) or, once the outbox gave up, `failed` with the reason and a notice to the inviter. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { NewJob, Store } from '../store/store.js';
import { notifyInviter } from './jobs.js';

type Deps = { store: Store; clock: Clock };

export async function recordDelivered(deps: Deps, inv: Invitation, followUps: NewJob[] = []): Promise<Invitation | undefined> {
  return deps.store.transition(inv.id, {
    ...TRANSITIONS.delivered,
    audit: { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', action: 'delivered', detail: { via: inv.delivery } },
    jobs: followUps,
  });
}

export async function recordDeliveryFailed(deps: Deps, inv: Invitation, error: string): Promise<Invitation | undefined> {
  return deps.store.transition(inv.id, {
    ...TRANSITIONS.deliveryFailed,
    patch: { lastError: error },
    audit: { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', action: 'delivery_failed', detail: { error } },
    jobs: [notifyInviter(inv, 'failed')],
  });
}
