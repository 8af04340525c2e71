/** The wizard's dialogs on Mattermost: each dialog submission is answered as Mattermost expects (field errors, the
 * next step as a form, or a closing error). The outcome goes to the command's response URL, which only ever points
 * at the configured server. */

import { CHANNEL_SLOTS, readSubmission, renderDialog } from '../../../views/mattermost/dialog.js';
import { fieldError } from '../../core/messages.js';
import type { FieldErrors } from '../../core/wizard.js';
import type { StepName, WizardFlow } from '../../flows/wizard.js';
import type { MattermostContext } from './context.js';
import { ephemeral } from './ephemeral.js';

/** Mattermost's command response URLs: `/hooks/commands/{26-character id}`. */
const COMMAND_HOOK_PATH = /^\/hooks\/commands\/[a-z0-9]{1,64}$/i;
const CONFIRM_TIMEOUT_MS = 5000;

export interface DialogSubmission {
  callback_id: string;
  user_id: string;
  submission: Record<string, unknown>;
}

type DialogAnswer = Record<string, unknown>;

export class MattermostWizard {
  constructor(
    private readonly ctx: MattermostContext,
    private readonly flow: WizardFlow,
  ) {}

  /** The command's response URL, on the configured server only: a command hook's path is kept, any other host
   * or path is dropped, so no request can make the bot post somewhere else. */
  commandResponseUrl(given: string | undefined): string | undefined {
    const path = given && URL.canParse(given) ? new URL(given).pathname : undefined;
    return path && COMMAND_HOOK_PATH.test(path) ? `${this.ctx.settings.serverUrl}${path}` : undefined;
  }

  /** A dialog submission; `draftId` comes from the verified state. */
  async submit(sub: DialogSubmission, draftId: string): Promise<DialogAnswer> {
    const multistep = this.ctx.dialogFeatures().multistep;
    const byCallback: Record<string, StepName> = { 'invite-who': 'who', 'invite-access': 'access' };
    const step = multistep ? (byCallback[sub.callback_id] ?? 'all') : 'all';
    const user = { id: sub.user_id, username: '' };
    const reply = await this.flow.submit(draftId, user, step, readSubmission(sub.submission));
    switch (reply.kind) {
      case 'errors':
        return { errors: this.fieldErrors(reply.errors, sub.user_id) };
      case 'refused':
        return { error: reply.text };
      case 'next': {
        const { steps, state, submitLabel } = reply.form;
        const callbackId = `invite-${steps[0]!.id}`;
        return {
          type: 'form',
          form: renderDialog({ callbackId, state, steps, submitLabel, features: this.ctx.dialogFeatures() }),
        };
      }
      case 'done':
        this.confirm(reply);
        return {};
    }
  }

  /** Errors on the slotted channel selects are shown on the first one. */
  private fieldErrors(errors: FieldErrors, userId: string): FieldErrors {
    if (errors.channels && !this.ctx.dialogFeatures().multiselect) {
      const w = this.flow.readers.known(userId);
      return { ...errors, channels: fieldError.slots(w, errors.channels, CHANNEL_SLOTS) };
    }
    return errors;
  }

  /** Tells the inviter what happened, through the command's response URL (ephemeral, no extra permission). */
  confirm({ responseUrl, summary }: { responseUrl?: string; summary: string }): void {
    if (responseUrl && summary) void this.post(responseUrl, summary);
  }

  private async post(responseUrl: string, text: string): Promise<void> {
    try {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(ephemeral(text)),
        signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS),
        redirect: 'error',
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'could not confirm the invitation to the inviter');
    }
  }
}
