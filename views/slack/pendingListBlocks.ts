/** The pending list as Slack blocks: one section per invitation with its buttons under it. Button values are
 * signed tokens made by the caller; texts are mrkdwn, already escaped by the caller. A message holds at most 50
 * blocks, so a page of 15 invitations (two blocks each) plus its header and footer fits. */
import type { types } from '@slack/bolt';

/** Action ids of the list's buttons; the signed value names the same action. */
export const LIST_ACTIONS = ['gl_list_approve', 'gl_list_deny', 'gl_list_resend', 'gl_list_showlink', 'gl_list_retry', 'gl_list_revoke'] as const;
export type ListAction = (typeof LIST_ACTIONS)[number];

export interface ListButton { action: ListAction; label: string; value: string; style?: 'primary' | 'danger' }
export interface ListRow { text: string; buttons: ListButton[] }

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function pendingListBlocks(header: string, rows: ListRow[], footer?: string): types.KnownBlock[] {
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(header, 3000) } }];
  rows.forEach((row, n) => {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(row.text, 3000) } });
    if (!row.buttons.length) return;
    blocks.push({
      type: 'actions', block_id: `gl_list_${n}`,
      elements: row.buttons.map((b) => ({
        type: 'button' as const, action_id: b.action, value: b.value, text: { type: 'plain_text' as const, text: b.label }, ...(b.style ? { style: b.style } : {}),
      })),
    });
  });
  if (footer) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(footer, 3000) }] });
  return blocks;
}
