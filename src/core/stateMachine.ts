/** Which events move an invitation from which state to which. The store applies a transition only
 * when the invitation is still in one of the `from` states (compare-and-set), so a double click,
 * two approvers at once or a replayed callback change the invitation exactly once. */
import type { InvitationState } from './model.js';

export const TRANSITIONS = {
  approve: { from: ['pending_approval'], to: 'sending' },
  deny: { from: ['pending_approval'], to: 'denied' },
  delivered: { from: ['sending'], to: 'sent' },
  deliveryFailed: { from: ['sending'], to: 'failed' },
  retry: { from: ['failed'], to: 'sending' },
  arrive: { from: ['sending', 'sent', 'failed'], to: 'arrived' },
  expire: { from: ['pending_approval', 'sent'], to: 'expired' },
  revoke: { from: ['pending_approval', 'sending', 'sent', 'failed'], to: 'revoked' },
  /** The invitee turned the invitation down on the platform's side (kChat: Infomaniak status `rejected`). */
  decline: { from: ['sending', 'sent'], to: 'failed' },
  /** A guest's access ends: on its date, or when their sponsor or an admin removes them. */
  endAccess: { from: ['arrived'], to: 'ended' },
} as const satisfies Record<string, { from: readonly InvitationState[]; to: InvitationState }>;

export type InvitationEvent = keyof typeof TRANSITIONS;

export function canApply(event: InvitationEvent, state: InvitationState): boolean {
  return (TRANSITIONS[event].from as readonly InvitationState[]).includes(state);
}

/** States in which the invitation still waits for something: the invitee can still arrive. */
export const OPEN_STATES: readonly InvitationState[] = ['pending_approval', 'sending', 'sent', 'failed'];

/** States from which an account with the invited email counts as the invitee's arrival (approved, so the
 * invitation went out or is going out). */
export const AWAITING_ARRIVAL: readonly InvitationState[] = OPEN_STATES.filter((s) => s !== 'pending_approval');

export function isOpen(state: InvitationState): boolean {
  return OPEN_STATES.includes(state);
}
