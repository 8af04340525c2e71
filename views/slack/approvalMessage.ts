/** The approval request as Slack blocks: the request with Approve / Deny buttons while it waits, then the same
 * request with the outcome and no buttons. Button values carry the invitation id only; Slack signs the click and
 * the clicker's rights are checked when it arrives. Texts are mrkdwn, already escaped by the caller. */
import type { types } from '@slack/bolt';
import { buttonLabel } from '../../src/core/messages.js';

export const APPROVE_ACTION = 'approval.approve';
export const DENY_ACTION = 'approval.deny';

export function approvalBlocks(summary: string, invitationId: string, outcome?: string[]): types.KnownBlock[] {
  const request: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: summary.slice(0, 3000) } };
  if (outcome)
    return [
      request,
      { type: 'context', elements: outcome.map((line) => ({ type: 'mrkdwn' as const, text: line.slice(0, 3000) })) },
    ];
  const button = (action_id: string, text: string, style: 'primary' | 'danger') => ({
    type: 'button' as const,
    action_id,
    value: invitationId,
    style,
    text: { type: 'plain_text' as const, text },
  });
  return [
    request,
    {
      type: 'actions',
      block_id: 'approval',
      elements: [
        button(APPROVE_ACTION, buttonLabel('approve'), 'primary'),
        button(DENY_ACTION, buttonLabel('deny'), 'danger'),
      ],
    },
  ];
}
