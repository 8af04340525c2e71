/** The approval request as Slack blocks: the request with Approve / Deny buttons while it waits, then the same
 * request with the outcome and no buttons. Button values carry the invitation id only; Slack signs the click and
 * the clicker's rights are checked when it arrives. Texts are mrkdwn, already escaped by the caller. */
import type { types } from '@slack/bolt';
import type { ChatMessage } from '../../src/core/messages.js';

export const APPROVE_ACTION = 'approval.approve';
export const DENY_ACTION = 'approval.deny';

/** The request with its outcome once decided, or with Approve / Deny (worded in `msg`) while it waits. */
export function approvalBlocks(msg: ChatMessage): types.KnownBlock[] {
  const request: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: msg.text.slice(0, 3000) } };
  const ask = msg.approvalButtons;
  if (!ask) {
    const lines = msg.outcome ?? [];
    return [
      request,
      { type: 'context', elements: lines.map((line) => ({ type: 'mrkdwn', text: line.slice(0, 3000) })) },
    ];
  }
  const button = (action_id: string, text: string, style: 'primary' | 'danger') => ({
    type: 'button' as const,
    action_id,
    value: ask.invitationId,
    style,
    text: { type: 'plain_text' as const, text },
  });
  const elements = [button(APPROVE_ACTION, ask.approve, 'primary'), button(DENY_ACTION, ask.deny, 'danger')];
  return [request, { type: 'actions', block_id: 'approval', elements }];
}
