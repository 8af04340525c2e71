/** Gives an invitation a fresh acceptance link: its hash replaces (and so revokes) any earlier one, with an audit
 * entry, in one write. Returns the only copy of the token: hand it to the delivery, never to a log or the store. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import { newLinkToken } from '../lifecycle/inviteTokens.js';
import type { Store } from '../store/store.js';

export async function issueLinkToken(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
  actor: string,
): Promise<{ token: string; invitation: Invitation } | undefined> {
  const { token, hash } = newLinkToken();
  const at = deps.clock.now().toISOString();
  const audit = { at, invitationId: inv.id, actor, action: 'link_issued' } as const;
  const invitation = await deps.store.patchInvitation(inv.id, { linkTokenHash: hash }, audit);
  return invitation && { token, invitation };
}
