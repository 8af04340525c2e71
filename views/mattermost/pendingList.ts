/** The pending list as a Mattermost ephemeral answer: the heading (and how to see the next page) as its text, one
 * attachment per invitation with its buttons, made by the caller, which signs them. Texts are markdown, already
 * escaped by the flow. */
import type { ListAction, ListMessage } from '../../src/flows/pendingList.js';

export type ListButtonMaker = (
  invitationId: string,
  action: ListAction,
  label: string,
  style?: 'primary' | 'danger',
) => Record<string, unknown>;

export function pendingListAnswer(list: ListMessage, button: ListButtonMaker): Record<string, unknown> {
  const text = list.more ? `${list.text}\n${list.more}` : list.text;
  if (!list.entries.length) return { response_type: 'ephemeral', text };
  const attachments = list.entries.map((e) => ({
    text: e.text,
    actions: e.buttons.map((b) => button(e.invitationId, b.action, b.label, b.style)),
  }));
  return { response_type: 'ephemeral', text, attachments };
}
