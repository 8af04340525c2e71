/** The flows' messages, forms and wizard replies in Slack's shapes: a message's text and blocks, a form's modal, and
 * what a wizard step's submission is answered with in its ack (errors on the step's blocks, the next view, or a
 * closing notice). */
import type { types } from '@slack/bolt';
import { slackMrkdwn as mrkdwn } from '../../src/core/format.js';
import type { Words } from '../../src/core/i18n.js';
import { type ChatMessage, invitedTitle, wizardTitle } from '../../src/core/messages.js';
import type { FieldErrors, Step } from '../../src/core/wizard.js';
import type { FormRequest } from '../../src/flows/chatPort.js';
import type { ListAction } from '../../src/flows/pendingList.js';
import type { SubmitReply } from '../../src/flows/wizard.js';
import { approvalBlocks } from './approvalMessage.js';
import { type ListActionId, pendingListMessage } from './pendingListBlocks.js';
import { resendView } from './resendModal.js';
import { denyReasonView, noticeView, stepView } from './wizardModal.js';

/** Text and blocks of a message: an approval request gets its section, buttons or outcome; a message with a
 * guest's buttons gets them signed with `sign` (the list's action ids); any other is text. */
export function slackMessage(
  msg: ChatMessage,
  sign?: (invitationId: string, actionId: ListActionId) => string,
): { text: string; blocks?: types.KnownBlock[] } {
  const acts = msg.actionButtons;
  if (acts && sign) {
    // The same buttons as the list's: its listener verifies and answers them.
    const buttons = acts.buttons.map((b) => ({ ...b, action: b.action as ListAction }));
    return pendingListMessage({ text: msg.text, entries: [] }, sign, [{ ...acts, text: '', buttons }]);
  }
  if (!msg.approvalButtons && !msg.outcome) return { text: msg.text, blocks: undefined };
  const text = msg.outcome ? `${msg.text}\n${msg.outcome.join('\n')}` : msg.text;
  return { text, blocks: approvalBlocks(msg) };
}

/** The modal of a form. */
export function formView(form: FormRequest): types.ModalView {
  switch (form.kind) {
    case 'deny':
      return denyReasonView(form);
    case 'wizard':
      return stepView({
        step: form.steps[0]!,
        privateMetadata: form.state,
        submitLabel: form.submitLabel,
        words: form.words,
      });
    case 'resend':
      return resendView(form);
  }
}

/** What a view submission is answered with, in its ack (Slack waits 3 s for it). */
export type ViewAnswer =
  | { response_action: 'errors'; errors: FieldErrors }
  | { response_action: 'update'; view: types.ModalView };

/** A wizard step's submission, answered in its ack. */
export function wizardAnswer(reply: SubmitReply, w: Words): ViewAnswer {
  switch (reply.kind) {
    case 'errors':
      return { response_action: 'errors', errors: onStep(reply.step, reply.errors) };
    case 'refused':
      return update(noticeView(w, wizardTitle(w, 'who'), mrkdwn.escape(reply.text)));
    case 'next':
      return update(formView({ kind: 'wizard', ...reply.form, words: w }));
    case 'done':
      return update(noticeView(w, invitedTitle(w, reply.anyone), reply.summary));
  }
}

function update(view: types.ModalView): ViewAnswer {
  return { response_action: 'update', view };
}

/** Errors can only be shown on the blocks of the view that was submitted: one about an earlier step (rights that
 * changed in between) goes on this step's first field. */
function onStep(step: Step, errors: FieldErrors): FieldErrors {
  const names = new Set(step.fields.map((f) => f.name));
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const target = names.has(field) ? field : step.fields[0]!.name;
    out[target] = out[target] ? `${out[target]} ${message}` : message;
  }
  return out;
}
