/** What the bot does with each kind of Slack request. Commands and clicks are acknowledged first and worked on
 * after (their answers go through `respond`, the request's response_url); a view submission is answered in its
 * ack, since that is where Slack takes field errors and the next step. Events are acknowledged by Bolt. */
import type { App, BlockButtonAction, RespondFn, types } from '@slack/bolt';
import { helpText, parseCommand } from '../../../commands/invitePeople.js';
import { DenyForm, ResendForm, readForm } from '../../core/userInput.js';
import { APPROVE_ACTION, DENY_ACTION } from '../../../views/slack/approvalMessage.js';
import { LIST_ACTIONS } from '../../../views/slack/pendingListBlocks.js';
import { RESEND_CALLBACK } from '../../../views/slack/resendModal.js';
import { readViewValues } from '../../../views/slack/wizardModal.js';
import type { ApprovalFlow } from '../../flows/approvals.js';
import type { ArrivalFlow } from '../../flows/arrivals.js';
import { onMemberJoinedChannel, onTeamJoin } from './arrivals.js';
import type { SlackContext } from './context.js';
import type { ListActions } from './listActions.js';
import { pendingList } from './pendingList.js';
import type { SlackEvent } from './scopes.js';
import type { WizardFlow } from './wizardFlow.js';

const SORRY = 'Something went wrong on my side. Please try again in a moment.';

/** The user of a click or submission as the flows know people (Slack mentions by id; the name is for records). */
const person = (user: { id: string; username?: string; name?: string }) => ({ id: user.id, username: user.username ?? user.name ?? user.id });

export function registerListeners(bolt: App, ctx: SlackContext, parts: { wizard: WizardFlow; approvals: ApprovalFlow; arrivals: ArrivalFlow; listActions: ListActions }): void {
  const { wizard, approvals, arrivals, listActions } = parts;
  const tell = (respond: RespondFn, text: string, blocks?: types.KnownBlock[]) =>
    respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }).catch((err: Error) => ctx.log.warn({ err: err.message }, 'could not answer through response_url'));

  bolt.command(`/${ctx.settings.trigger}`, async ({ command, ack, respond }) => {
    const intent = parseCommand(command.text);
    if (intent.kind === 'help') return void (await ack({ response_type: 'ephemeral', text: helpText(ctx.settings.trigger, intent.unknown) }));
    await ack();
    try {
      if (intent.kind === 'list') {
        const list = await pendingList(ctx, listActions, command.team_id, command.user_id, intent.page);
        await tell(respond, list.text, list.blocks);
      } else {
        // Slack has no bulk page: its modal takes as many addresses as its field holds.
        const answer = await wizard.open(command, intent.kind === 'wizard' ? intent.prefill : undefined);
        if (answer) await tell(respond, answer);
      }
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'slash command failed');
      await tell(respond, SORRY);
    }
  });

  bolt.view(/^invite-/, async ({ ack, body, view }) => {
    try {
      await ack(await wizard.submit(body.user.id, view));
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'wizard submission failed');
      await ack({ response_action: 'errors', errors: { [view.blocks.find((b) => b.type === 'input')?.block_id ?? 'emails']: 'Something went wrong on my side; nothing was saved. Please submit again.' } });
    }
  });

  bolt.view('deny-reason', async ({ ack, body, view }) => {
    const form = readForm(DenyForm, readViewValues(view.state.values));
    if (!form.ok) return void (await ack({ response_action: 'errors', errors: form.errors }));
    const answer = await approvals.deny(view.private_metadata, person(body.user), form.values.reason).catch((err: Error) => {
      ctx.log.error({ err: err.message }, 'deny failed');
      return { ok: false as const, notice: SORRY };
    });
    await ack(answer.ok ? undefined : { response_action: 'errors', errors: { reason: answer.notice ?? SORRY } });
  });

  for (const [actionId, kind] of [[APPROVE_ACTION, 'approve'], [DENY_ACTION, 'deny']] as const) {
    bolt.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      try {
        const click = { invitationId: action.value ?? '', action: kind, user: person(body.user), trigger: body.trigger_id };
        const answer = await approvals.click(click);
        if (answer.notice) await tell(respond, answer.notice);
      } catch (err) {
        ctx.log.error({ err: (err as Error).message }, 'approval click failed');
        await tell(respond, SORRY);
      }
    });
  }

  for (const actionId of LIST_ACTIONS) {
    bolt.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      try {
        const answer = await listActions.click(actionId, action.value ?? '', body.user.id, body.trigger_id);
        if (answer) await tell(respond, answer);
      } catch (err) {
        ctx.log.error({ err: (err as Error).message }, 'list button failed');
        await tell(respond, SORRY);
      }
    });
  }

  bolt.view(RESEND_CALLBACK, async ({ ack, body, view }) => {
    try {
      const form = readForm(ResendForm, readViewValues(view.state.values));
      await ack(form.ok ? await listActions.submitResend(view.private_metadata, body.user.id, form.values) : { response_action: 'errors', errors: form.errors });
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'resend failed');
      await ack({ response_action: 'errors', errors: { method: SORRY } });
    }
  });

  bolt.event('team_join' satisfies SlackEvent, async ({ event }) => {
    await onTeamJoin(arrivals, ctx.log, event.user).catch((err: Error) => ctx.log.warn({ err: err.message }, 'arrival check failed'));
  });

  bolt.event('member_joined_channel' satisfies SlackEvent, async ({ event }) => {
    await onMemberJoinedChannel(arrivals, event.user, event.team).catch((err: Error) => ctx.log.warn({ err: err.message }, 'arrival check failed'));
  });

  bolt.error(async (err) => void ctx.log.error({ err: err.message }, 'Slack request failed'));
}
