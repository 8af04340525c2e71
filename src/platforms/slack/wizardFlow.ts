/** The wizard's modal on Slack: each view submission is answered in its ack as Slack expects (errors on the
 * step's blocks, the next view, or a closing notice). The view carries a signed draft id, nothing else. */
import type { types, ViewOutput } from '@slack/bolt';
import { noticeView, readViewValues, stepView } from '../../../views/slack/wizardModal.js';
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import { formExpired, invitedTitle, wizardTitle } from '../../core/messages.js';
import type { FieldErrors, Step } from '../../core/wizard.js';
import type { WizardFlow } from '../../flows/wizard.js';
import type { SlackContext } from './context.js';

/** What a view submission is answered with, in its ack (Slack waits 3 s for it). */
export type ViewAnswer =
  | { response_action: 'errors'; errors: FieldErrors }
  | { response_action: 'update'; view: types.ModalView };

export class SlackWizard {
  constructor(
    private readonly ctx: SlackContext,
    private readonly flow: WizardFlow,
  ) {}

  /** A step's submission, answered in its ack. */
  async submit(user: { id: string; username: string }, view: ViewOutput): Promise<ViewAnswer> {
    const signed = this.ctx.signer.verify(view.private_metadata, this.ctx.clock.now().getTime(), 'wizard');
    const w = this.flow.readers.known(user.id);
    if (!signed) return update(noticeView(w, wizardTitle(w, 'who'), formExpired(w, 'command')));
    const step = view.callback_id === 'invite-who' ? 'who' : 'access';
    const reply = await this.flow.submit(signed.d, user, step, readViewValues(view.state.values));
    switch (reply.kind) {
      case 'errors':
        return { response_action: 'errors', errors: onStep(reply.step, reply.errors) };
      case 'refused':
        return update(noticeView(w, wizardTitle(w, 'who'), mrkdwn.escape(reply.text)));
      case 'next':
        return update(
          stepView({
            step: reply.form.steps[0]!,
            privateMetadata: reply.form.state,
            submitLabel: reply.form.submitLabel,
            words: w,
          }),
        );
      case 'done':
        return update(noticeView(w, invitedTitle(w, reply.anyone), reply.summary));
    }
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
