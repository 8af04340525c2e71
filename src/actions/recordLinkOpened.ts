/** The acceptance page was opened: one audit entry per visitor, the first time they open it. A visitor is a hash
 * (of the link, the client's address and browser) made by the page: no raw address is stored. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';

/** Beyond this many visitors an invitation's opens are no longer counted: a link passed around (or a client
 * changing its browser string) cannot grow the audit trail without end. */
export const MAX_VISITORS = 20;

export async function recordLinkOpened(
  deps: { store: Store; clock: Clock },
  inv: Invitation,
  visitor: string,
): Promise<boolean> {
  const opens = (await deps.store.auditTrail(inv.id)).filter((e) => e.action === 'link_opened');
  if (opens.length >= MAX_VISITORS || opens.some((e) => e.detail?.visitor === visitor)) return false;
  const at = deps.clock.now().toISOString();
  const audit = { at, invitationId: inv.id, actor: 'invitee', action: 'link_opened' as const, detail: { visitor } };
  return !!(await deps.store.patchInvitation(inv.id, {}, audit));
}
