/** The pending list as Slack blocks: one section per invitation with its buttons under it. Button values are
 * signed tokens made by the caller; texts are mrkdwn, already escaped by the flow. A message holds at most 50
 * blocks, so a page of 15 invitations (two blocks each) plus its header and footer fits. */
import type { types } from '@slack/bolt';
import { LIST_ACTIONS, type ListAction, type ListMessage } from '../../src/flows/pendingList.js';

/** Action ids of the list's buttons; the signed value names the same id, so no other button's value passes. */
export const listActionId = (action: ListAction) => `gl_list_${action}` as const;
export const LIST_ACTION_IDS = LIST_ACTIONS.map(listActionId);
export type ListActionId = ReturnType<typeof listActionId>;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const section = (text: string): types.KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, 3000) },
});

/** `bare`: entries whose buttons go straight under the heading, without a section of their own (a message about
 * one invitation, e.g. a sponsor's reminder). */
export function pendingListMessage(
  list: ListMessage,
  value: (invitationId: string, actionId: ListActionId) => string,
  bare: ListMessage['entries'] = [],
): { text: string; blocks?: types.KnownBlock[] } {
  const text = [list.text, ...list.entries.map((e) => e.text), ...(list.more ? [list.more] : [])].join('\n');
  if (!list.entries.length && !bare.length) return { text };
  const blocks: types.KnownBlock[] = [section(list.text)];
  [...list.entries, ...bare].forEach((entry, n) => {
    if (entry.text) blocks.push(section(entry.text));
    blocks.push({
      type: 'actions',
      block_id: `gl_list_${n}`,
      elements: entry.buttons.map((b) => ({
        type: 'button' as const,
        action_id: listActionId(b.action),
        value: value(entry.invitationId, listActionId(b.action)),
        text: { type: 'plain_text' as const, text: b.label },
        ...(b.style ? { style: b.style } : {}),
      })),
    });
  });
  if (list.more) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(list.more, 3000) }] });
  return { text, blocks };
}
