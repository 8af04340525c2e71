/** The invitation's story and the last days' figures, as the chat shows them to the inviter and admins. */
import type { Invitation } from '../model.js';
import type { Stats, Story } from '../story.js';
import type { Writer } from '../writer.js';
import { stateLabel, who } from './invitation.js';

export function storyNone(f: Writer, email: string): string {
  return f.t('story.none', { email: f.escape(email) });
}

/** `actors`: each actor id as the reader sees it (a mention), where it is a person. */
export function storyText(f: Writer, inv: Invitation, story: Story, actors: Map<string, string>): string {
  const lines = [
    f.t('story.heading', { who: who(f, inv), state: stateLabel(f, inv), inviter: f.mention(inv.inviter) }),
  ];
  for (const e of story.events) {
    const actor = actors.get(e.actor) ?? f.escape(e.actor);
    lines.push(f.t('story.event', { when: f.dateTime(e.at), action: e.action, actor }));
  }
  return lines.join('\n');
}

export function statsRefused(f: Writer): string {
  return f.t('stats.refused');
}

/** `opened`: the invitations opened but never finished, with their addresses (the chat shows them to admins). */
export function statsText(
  f: Writer,
  stats: Stats,
  days: number,
  opened: { inv: Invitation; openedAt: string }[],
  command: string,
): string {
  const states = Object.entries(stats.byState)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => f.t('stats.byState', { state: f.t(`state.${state as Invitation['state']}`), count }));
  const lines = [f.t('stats.heading', { days, total: stats.total })];
  if (states.length) lines.push(states.join(' · '));
  lines.push(
    f.t('stats.arrived', { hasShare: stats.arrivedShare === null ? 'no' : 'yes', share: stats.arrivedShare ?? 0 }),
    f.t('stats.median', {
      hasMedian: stats.medianSentToArrivedMs === null ? 'no' : 'yes',
      hours: Math.round(((stats.medianSentToArrivedMs ?? 0) / 3_600_000) * 10) / 10,
    }),
  );
  if (opened.length) {
    lines.push(f.t('stats.openedNotFinished', { count: opened.length, command: f.escape(command) }));
    for (const o of opened) lines.push(f.t('stats.openedLine', { who: who(f, o.inv), when: f.dateTime(o.openedAt) }));
  }
  return lines.join('\n');
}
