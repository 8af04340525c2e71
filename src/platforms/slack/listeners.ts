/** What the bot does with each kind of Slack request. Commands and clicks are acknowledged first and worked on
 * after (their answers go through `respond`, the request's response_url); a view submission is answered in its
 * ack, since that is where Slack takes field errors and the next step. Events are acknowledged by Bolt. */
import type { App, BlockButtonAction, RespondFn, types } from '@slack/bolt';
import { z } from 'zod';
import { wizardAnswer } from '../../../views/slack/answers.js';
import { APPROVE_ACTION, DENY_ACTION } from '../../../views/slack/approvalMessage.js';
import { LIST_ACTION_IDS, listActionId, pendingListMessage } from '../../../views/slack/pendingListBlocks.js';
import { RESEND_CALLBACK } from '../../../views/slack/resendModal.js';
import { noticeView, readViewValues } from '../../../views/slack/wizardModal.js';
import { signButtonToken, verifyButtonToken } from '../../actions/buttonToken.js';
import { buttonInvalid, resendTitle, sorry } from '../../core/messages.js';
import { DenyForm, ResendForm, readForm } from '../../core/userInput.js';
import type { Flows } from '../../flows/flows.js';
import { LIST_ACTIONS } from '../../flows/pendingList.js';
import { PLATFORM, type SlackContext } from './context.js';
import type { SlackEvent } from './scopes.js';

/** The user of a click or submission as the flows know people (Slack mentions by id; the name is for records). */
const person = (user: { id: string; username?: string; name?: string }) => ({
  id: user.id,
  username: user.username ?? user.name ?? user.id,
});

/** `user_change` for a deactivated account: who is gone. */
const DeletedUser = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(128).default(''),
  team_id: z.string().max(64).optional(),
  deleted: z.literal(true),
});

/** A message written in the bot's direct messages (`im`); edits, joins and other subtypes are not replies. */
const DirectMessage = z.object({
  channel_type: z.literal('im'),
  subtype: z.undefined().optional(),
  channel: z.string().min(1).max(64),
  user: z.string().min(1).max(64),
  ts: z.string().min(1).max(32),
  text: z.string().max(100_000).default(''),
  bot_id: z.string().max(64).optional(),
  team: z.string().max(64).optional(),
});

export function registerListeners(bolt: App, ctx: SlackContext, parts: Flows): void {
  const { wizard, approvals, arrivals, list, commands } = parts;
  /** The user's words without waiting for a lookup (the organization's until theirs is known). */
  const wordsOf = (userId: string) => commands.readers.known(userId);
  const SORRY = (userId: string) => sorry(wordsOf(userId), 'retry-later');
  const tell = (respond: RespondFn, text: string, blocks?: types.KnownBlock[]) =>
    respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }).catch(
      (err: Error) => ctx.log.warn({ err: err.message }, 'could not answer through response_url'),
    );

  bolt.command(`/${ctx.settings.trigger}`, async ({ command, ack, respond }) => {
    const help = await commands.help(command.text, command.user_id);
    if (help) return void (await ack({ response_type: 'ephemeral', text: help }));
    await ack();
    try {
      const { team_id, channel_id, user_id: id, user_name: username, trigger_id: trigger, text } = command;
      const cmd = { workspaceId: team_id, channelId: channel_id, user: { id, username }, trigger, text };
      const reply = await commands.run(cmd);
      if (reply.kind === 'text') await tell(respond, reply.text);
      else if (reply.kind === 'list') {
        // Each button's value is signed (invitation, action id, expiry): Slack vouches for the clicker, not the value.
        const sign = (invitationId: string, actionId: string) =>
          signButtonToken(ctx.signer, ctx.clock.now(), invitationId, actionId);
        const answer = pendingListMessage(reply.list, sign);
        await tell(respond, answer.text, answer.blocks);
      }
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'slash command failed');
      await tell(respond, SORRY(command.user_id));
    }
  });

  bolt.view(/^invite-/, async ({ ack, body, view }) => {
    try {
      const step = view.callback_id === 'invite-who' ? 'who' : 'access';
      const values = readViewValues(view.state.values);
      const reply = await wizard.submitForm(view.private_metadata, person(body.user), step, values);
      await ack(wizardAnswer(reply, wordsOf(body.user.id)));
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'wizard submission failed');
      await ack({
        response_action: 'errors',
        errors: {
          [view.blocks.find((b) => b.type === 'input')?.block_id ?? 'emails']: sorry(
            wordsOf(body.user.id),
            'nothing-saved',
          ),
        },
      });
    }
  });

  bolt.view('deny-reason', async ({ ack, body, view }) => {
    const form = readForm(DenyForm, readViewValues(view.state.values), wordsOf(body.user.id));
    if (!form.ok) return void (await ack({ response_action: 'errors', errors: form.errors }));
    const answer = await approvals
      .deny(view.private_metadata, person(body.user), form.values.reason)
      .catch((err: Error) => {
        ctx.log.error({ err: err.message }, 'deny failed');
        return { ok: false as const, notice: SORRY(body.user.id) };
      });
    const errors = { reason: answer.notice ?? SORRY(body.user.id) };
    await ack(answer.ok ? undefined : { response_action: 'errors', errors });
  });

  // Approve / Deny on an approval request carry its invitation id (Slack vouches for the clicker, and rights are
  // read now); the list's buttons carry a signed value.
  const buttons = [
    [APPROVE_ACTION, 'approve', false],
    [DENY_ACTION, 'deny', false],
    ...LIST_ACTIONS.map((kind) => [listActionId(kind), kind, true] as const),
  ] as const;
  for (const [actionId, kind, fromList] of buttons) {
    bolt.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      try {
        const click = { user: person(body.user), trigger: body.trigger_id };
        if (!fromList && (kind === 'approve' || kind === 'deny')) {
          const answer = await approvals.click({ ...click, invitationId: action.value ?? '', action: kind });
          return void (answer.notice && (await tell(respond, answer.notice)));
        }
        const claims = verifyButtonToken(ctx.signer, ctx.clock.now(), action.value, LIST_ACTION_IDS);
        if (claims?.action !== actionId) return void (await tell(respond, buttonInvalid(wordsOf(body.user.id), true)));
        const answer = await list.click({ ...click, invitationId: claims.invitationId, action: kind });
        if (answer) await tell(respond, answer);
      } catch (err) {
        ctx.log.error({ err: (err as Error).message }, 'button click failed');
        await tell(respond, SORRY(body.user.id));
      }
    });
  }

  bolt.view(RESEND_CALLBACK, async ({ ack, body, view }) => {
    try {
      const w = wordsOf(body.user.id);
      const form = readForm(ResendForm, readViewValues(view.state.values), w);
      if (!form.ok) return void (await ack({ response_action: 'errors', errors: form.errors }));
      const reply = await list.submitResend(view.private_metadata, person(body.user), form.values);
      // The modal has only the method and phone blocks: a reason about the invitation itself goes on the method.
      await ack(
        reply.ok
          ? { response_action: 'update', view: noticeView(w, resendTitle(w), reply.notice) }
          : { response_action: 'errors', errors: { [reply.field ?? 'method']: reply.reason } },
      );
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'resend failed');
      await ack({ response_action: 'errors', errors: { method: SORRY(body.user.id) } });
    }
  });

  bolt.event('team_join' satisfies SlackEvent, async ({ event: { user } }) => {
    if (user.is_bot) return;
    const event = { platform: PLATFORM, workspaceId: user.team_id, userId: user.id, email: user.profile?.email };
    await arrivals.heard({ ...event, via: 'team_join' }, () =>
      ctx.log.warn('Slack gives no email for new members: arrivals cannot be matched (add the users:read.email scope)'),
    );
  });

  bolt.event('user_change' satisfies SlackEvent, async ({ event: { user } }) => {
    const changed = DeletedUser.safeParse(user);
    if (!changed.success) return;
    const { id, name, team_id: teamId } = changed.data;
    await parts.sponsorLeft(teamId ?? '', { id, username: name });
  });

  bolt.event('member_joined_channel' satisfies SlackEvent, async ({ event }) => {
    await arrivals.heard({
      platform: PLATFORM,
      workspaceId: event.team,
      userId: event.user,
      via: 'member_joined_channel',
    });
  });

  // message.im (Bolt's ignoreSelf already drops the bot's own posts; bot_id marks any bot's).
  bolt.event('message', async ({ event, body, context }) => {
    const dm = DirectMessage.safeParse(event);
    if (!dm.success) return;
    const { channel, user, ts, text, bot_id: botId, team } = dm.data;
    const fromBot = !!botId || user === context.botUserId;
    const where = { platform: PLATFORM, workspaceId: team ?? body.team_id, channelId: channel };
    await parts.replies.heard({ ...where, senderId: user, fromBot, messageId: `${channel}:${ts}`, text });
  });

  bolt.error(async (err) => void ctx.log.error({ err: err.message }, 'Slack request failed'));
}
