/** A message about an invitation as a Mattermost post: the approval request with Approve / Deny buttons while it
 * waits (buttons made by the caller, which signs them), then the request with its outcome and no buttons. Any
 * other message is its text alone. Texts are markdown, already escaped by the caller. */
import type { ButtonAction, ChatMessage } from '../../src/core/messages.js';

export type ApprovalButton = (
  action: Exclude<ButtonAction, 'cancel'>,
  label: string,
  style?: 'primary' | 'danger',
) => Record<string, unknown>;

export function mattermostPost(
  msg: ChatMessage,
  button: ApprovalButton,
): { message: string; props?: Record<string, unknown> } {
  const ask = msg.approvalButtons;
  if (ask) {
    const actions = [button('approve', ask.approve, 'primary'), button('deny', ask.deny, 'danger')];
    return { message: msg.text, props: { attachments: [{ text: ask.question, actions }] } };
  }
  const acts = msg.actionButtons;
  if (acts) {
    const actions = acts.buttons.flatMap((b) => (b.action === 'cancel' ? [] : [button(b.action, b.label, b.style)]));
    return { message: msg.text, props: { attachments: [{ actions }] } };
  }
  if (msg.outcome) return { message: `${msg.text}\n\n${msg.outcome.join('\n')}`, props: { attachments: [] } };
  return { message: msg.text };
}
