/** The invitation's story and the last days' figures, loaded from the store: the chat's history and stats
 * commands and the admin API read the same. */

import { statsRefused, statsText, storyNone, storyText } from '../core/messages.js';
import { type Invitation, normalizeEmail, type Person } from '../core/model.js';
import { mayApprove } from '../core/policy.js';
import { STATS_DAYS, type Stats, type Story, statsOf, storyOf } from '../core/story.js';
import type { Writer } from '../core/writer.js';
import type { Store } from '../store/store.js';
import type { ChatPort } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';
import { Readers } from './readers.js';

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

/** `/invite-people history <address>` and `/invite-people stats`: rights read now, through the port. The history
 * is the inviter's or an admin's; the stats are admins' only. */
export class StoryFlow {
  readonly readers: Readers;

  constructor(
    private readonly deps: FlowDeps & { trigger: string },
    private readonly port: ChatPort,
  ) {
    this.readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
  }

  async history(workspaceId: string, user: Person, email: string): Promise<string> {
    const [f, level] = await Promise.all([this.readers.writer(user.id), this.port.level(workspaceId, user.id)]);
    const found = await this.deps.store.listInvitations({
      platform: this.port.platform,
      workspaceId,
      email: normalizeEmail(email),
      limit: 20,
    });
    // Someone else's invitation reads as none: a member learns nothing of who else was invited.
    const visible = found.filter((inv) => mayApprove(level) || inv.inviter.id === user.id).slice(0, HISTORY_MAX);
    if (!visible.length) return storyNone(f, email);
    const texts: string[] = [];
    for (const inv of visible) {
      const story = await loadStory(this.deps.store, inv);
      texts.push(storyText(f, inv, story, await this.actors(f, inv, story)));
    }
    return texts.join('\n\n');
  }

  async stats(workspaceId: string, user: Person): Promise<string> {
    const [f, level] = await Promise.all([this.readers.writer(user.id), this.port.level(workspaceId, user.id)]);
    if (!mayApprove(level)) return statsRefused(f);
    const where = { platform: this.port.platform, workspaceId };
    const stats = await loadStats(this.deps.store, where, this.deps.clock.now());
    const opened = [];
    for (const o of stats.openedNotFinished.slice(0, OPENED_MAX)) {
      const inv = await this.deps.store.getInvitation(o.invitationId);
      if (inv) opened.push({ inv, openedAt: o.openedAt });
    }
    return statsText(f, stats, STATS_DAYS, opened, `/${this.deps.trigger} list`);
  }

  /** The people in the story, mentioned: the inviter and decider as the invitation has them, others looked up. */
  private async actors(f: Writer, inv: Invitation, story: Story): Promise<Map<string, string>> {
    const known = new Map<string, Person>([[inv.inviter.id, inv.inviter]]);
    if (inv.decision) known.set(inv.decision.by.id, inv.decision.by);
    const out = new Map<string, string>();
    for (const id of new Set(story.events.map((e) => e.actor))) {
      const person = known.get(id) ?? (await this.port.user(id).catch(() => undefined));
      if (person) out.set(id, f.mention(person));
    }
    return out;
  }
}

const HISTORY_MAX = 3;
const OPENED_MAX = 20;
