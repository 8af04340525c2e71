/** An invitation's story and the last days' figures, read from the invitations and their audit trails (pure: the
 * flows and the admin API load them). Stats carry ids and counts only, never an address. */
import { type Invitation, type InvitationState, STATES, type StoredAuditEntry } from './model.js';

export const STATS_DAYS = 30;

/** When each step happened, if it did, and who did what along the way (oldest first). */
export interface Story {
  invitationId: string;
  createdAt: string;
  /** The first delivery (the platform's email, the bot's email, SMS or link). */
  sentAt?: string;
  /** The first time the acceptance page was opened. */
  openedAt?: string;
  /** How many visitors opened it (each counted once). */
  visitors: number;
  /** The account was created (the acceptance page) or noticed on the platform. */
  arrivedAt?: string;
  events: { at: string; action: string; actor: string }[];
}

export function storyOf(inv: Invitation, trail: readonly StoredAuditEntry[]): Story {
  const first = (action: string) => trail.find((e) => e.action === action)?.at;
  return {
    invitationId: inv.id,
    createdAt: inv.createdAt,
    sentAt: first('delivered'),
    openedAt: first('link_opened'),
    visitors: trail.filter((e) => e.action === 'link_opened').length,
    arrivedAt: inv.arrivedAt ?? first('arrived'),
    events: trail.map((e) => ({ at: e.at, action: e.action, actor: e.actor })),
  };
}

export interface Stats {
  since: string;
  until: string;
  total: number;
  byState: Record<InvitationState, number>;
  arrived: number;
  /** Of the invitations sent in the window, the share that arrived (0 to 1), or null when none was sent. */
  arrivedShare: number | null;
  /** Median time from sent to arrived, in milliseconds, or null when nobody arrived. */
  medianSentToArrivedMs: number | null;
  /** Opened but never finished: still `sent` after someone opened the link. */
  openedNotFinished: { invitationId: string; platform: string; workspaceId: string; openedAt: string }[];
}

/** The figures of the invitations created since `since` (each with its trail). */
export function statsOf(
  items: readonly { inv: Invitation; trail: readonly StoredAuditEntry[] }[],
  since: Date,
  now: Date,
): Stats {
  const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<InvitationState, number>;
  const durations: number[] = [];
  const openedNotFinished: Stats['openedNotFinished'] = [];
  let sent = 0;
  const inWindow = items.filter(({ inv }) => new Date(inv.createdAt) >= since && new Date(inv.createdAt) <= now);
  for (const { inv, trail } of inWindow) {
    byState[inv.state]++;
    const story = storyOf(inv, trail);
    if (story.sentAt) sent++;
    if (story.sentAt && story.arrivedAt && inv.state === 'arrived')
      durations.push(new Date(story.arrivedAt).getTime() - new Date(story.sentAt).getTime());
    if (story.openedAt && inv.state === 'sent')
      openedNotFinished.push({
        invitationId: inv.id,
        platform: inv.platform,
        workspaceId: inv.workspaceId,
        openedAt: story.openedAt,
      });
  }
  return {
    since: since.toISOString(),
    until: now.toISOString(),
    total: inWindow.length,
    byState,
    arrived: byState.arrived,
    arrivedShare: sent ? byState.arrived / sent : null,
    medianSentToArrivedMs: median(durations),
    openedNotFinished,
  };
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
