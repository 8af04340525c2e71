/** The slash command and the wizard's dialogs on Mattermost: the command's words are run (help, list, bulk, the
 * wizard), the wizard flow opens its dialog within the trigger's lifetime, and each dialog submission is answered as
 * Mattermost expects (field errors, the next step as a form, or a closing error). The outcome goes to the command's
 * response URL, which only ever points at the configured server. */

import { parseCommand } from '../../../commands/invitePeople.js';
import { CHANNEL_SLOTS, readSubmission, renderDialog } from '../../../views/mattermost/dialog.js';
import { fieldError, guestsCannotInvite, helpText } from '../../core/messages.js';
import type { FieldErrors, Option } from '../../core/wizard.js';
import type { ChatPort } from '../../flows/chatPort.js';
import type { Draft, StepName, WizardFlow } from '../../flows/wizard.js';
import type { MattermostContext } from './context.js';
import { ephemeral } from './ephemeral.js';
import { webFormOffer } from './webFormLink.js';

/** Mattermost's command response URLs: `/hooks/commands/{26-character id}`. */
const COMMAND_HOOK_PATH = /^\/hooks\/commands\/[a-z0-9]{1,64}$/i;
const CONFIRM_TIMEOUT_MS = 5000;

export interface CommandRequest {
  team_id: string;
  channel_id: string;
  user_id: string;
  user_name: string;
  text: string;
  trigger_id: string;
  response_url?: string;
}

export interface DialogSubmission {
  callback_id: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  submission: Record<string, unknown>;
  cancelled: boolean;
}

type DialogAnswer = Record<string, unknown>;

export class MattermostWizard {
  constructor(
    private readonly ctx: MattermostContext,
    private readonly flow: WizardFlow,
    private readonly port: ChatPort,
  ) {}

  async command(cmd: CommandRequest): Promise<Record<string, unknown>> {
    const intent = parseCommand(cmd.text);
    if (intent.kind === 'help') return ephemeral(helpText(this.ctx.settings.trigger, intent.unknown, true));
    const start = {
      workspaceId: cmd.team_id,
      channelId: cmd.channel_id,
      user: { id: cmd.user_id, username: cmd.user_name },
      trigger: cmd.trigger_id,
      responseUrl: this.commandResponseUrl(cmd.response_url),
      prefill: intent.kind === 'wizard' ? intent.prefill : undefined,
    };
    if (intent.kind === 'bulk') {
      // The wizard as a web page, whose address field takes far more than a dialog's 3,000 characters.
      if ((await this.flow.formLevel(cmd.team_id, cmd.user_id)) === 'guest') return this.guestsCannotInvite();
      return ephemeral(webFormOffer(this.ctx, (await this.flow.newDraft(start)).id, cmd.user_id, 'bulk'));
    }
    const opened = await this.flow.open(start);
    if (opened.kind === 'notice') return ephemeral(opened.text);
    // Refused outright (kChat may not serve dialogs): the same wizard as a web page, for this user only.
    if (opened.kind === 'refused') return ephemeral(webFormOffer(this.ctx, opened.draftId, cmd.user_id));
    return {};
  }

  private guestsCannotInvite() {
    return ephemeral(guestsCannotInvite());
  }

  /** The command's response URL, on the configured server only: a command hook's path is kept, any other host
   * or path is dropped, so no request can make the bot post somewhere else. */
  private commandResponseUrl(given: string | undefined): string | undefined {
    const path = given && URL.canParse(given) ? new URL(given).pathname : undefined;
    return path && COMMAND_HOOK_PATH.test(path) ? `${this.ctx.settings.serverUrl}${path}` : undefined;
  }

  /** The web form's draft: open, this user's, on this platform. */
  draft(draftId: string, userId: string): Promise<Draft | undefined> {
    return this.flow.openDraftOf(draftId, userId);
  }

  /** The channels the web form offers. */
  channelOptions(teamId: string, userId: string, currentChannelId: string): Promise<Option[]> {
    return this.port.channelOptions(teamId, userId, currentChannelId);
  }

  /** A dialog (or web form) submission; `draftId` comes from the verified state. */
  async submit(sub: DialogSubmission, draftId: string): Promise<DialogAnswer> {
    const multistep = this.ctx.dialogFeatures().multistep;
    const byCallback: Record<string, StepName> = { 'invite-who': 'who', 'invite-access': 'access' };
    const step = multistep ? (byCallback[sub.callback_id] ?? 'all') : 'all';
    const user = { id: sub.user_id, username: '' };
    const reply = await this.flow.submit(draftId, user, step, readSubmission(sub.submission));
    switch (reply.kind) {
      case 'errors':
        return { errors: this.fieldErrors(reply.errors) };
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
        void this.confirm(reply.responseUrl, reply.summary);
        return {};
    }
  }

  /** Errors on the slotted channel selects are shown on the first one. */
  private fieldErrors(errors: FieldErrors): FieldErrors {
    if (errors.channels && !this.ctx.dialogFeatures().multiselect)
      return { ...errors, channels: fieldError.slots(errors.channels, CHANNEL_SLOTS) };
    return errors;
  }

  /** Tells the inviter what happened, through the command's response URL (ephemeral, no extra permission). */
  private async confirm(responseUrl: string | undefined, text: string): Promise<void> {
    if (!responseUrl || !text) return;
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
