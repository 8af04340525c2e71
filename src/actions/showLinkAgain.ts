/** "Show the link again" for an invitation whose link the platform's side holds (kChat: Infomaniak's acceptance
 * link, read afresh, never stored): the inviter gets it by direct message once more. The inviter or an
 * approver may ask, at any time while the invitation is out. */

import type { Clock } from '../core/clock.js';
import { newId } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { invitationGone, manageRefused, noLinkNotOut } from '../core/messages.js';
import type { Person } from '../core/model.js';
import { type InviterLevel, mayApprove } from '../core/policy.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export async function showLinkAgain(
  deps: { store: Store; clock: Clock },
  input: { invitationId: string; by: Person; byLevel: InviterLevel },
): Promise<{ ok: true } | { ok: false; reason: Phrase }> {
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  if (inv.inviter.id !== input.by.id && !mayApprove(input.byLevel))
    return { ok: false, reason: (w) => manageRefused(w, 'show-link') };
  if (inv.state !== 'sent') return { ok: false, reason: noLinkNotOut };
  const at = deps.clock.now().toISOString();
  const job = jobFor(inv, JOB.notifyInviter, { about: 'link' }, `link:${newId()}`);
  const audit = { at, invitationId: inv.id, actor: input.by.id, action: 'link_requested' } as const;
  await deps.store.patchInvitation(inv.id, {}, audit, [job]);
  return { ok: true };
}
