/** The invitation's story and the last days' figures, loaded from the store: the chat's history and stats
 * commands and the admin API read the same. */

import type { Invitation } from '../core/model.js';
import { STATS_DAYS, type Stats, type Story, statsOf, storyOf } from '../core/story.js';
import type { Store } from '../store/store.js';

export async function loadStory(store: Store, inv: Invitation): Promise<Story> {
  return storyOf(inv, await store.auditTrail(inv.id));
}

/** Invitations created in the last `days` (newest first, read a page at a time until older ones come). */
export async function loadStats(
  store: Store,
  where: { platform?: string; workspaceId?: string },
  now: Date,
  days = STATS_DAYS,
): Promise<Stats> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const items: { inv: Invitation; trail: Awaited<ReturnType<Store['auditTrail']>> }[] = [];
  const PAGE = 500;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listInvitations({ ...where, limit: PAGE, offset });
    const recent = page.filter((inv) => new Date(inv.createdAt) >= since);
    for (const inv of recent) items.push({ inv, trail: await store.auditTrail(inv.id) });
    if (page.length < PAGE || recent.length < page.length) break;
  }
  return statsOf(items, since, now);
}
