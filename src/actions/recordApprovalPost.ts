/** Where an approval request was posted, kept so that every later decision updates it (and a retried job does not
 * post it twice). */
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';

export async function recordApprovalPost(
  deps: { store: Store },
  inv: Invitation,
  post: Invitation['approvalPosts'][number],
): Promise<Invitation> {
  const patched = await deps.store.patchInvitation(inv.id, { approvalPosts: [...inv.approvalPosts, post] });
  return patched ?? inv;
}
