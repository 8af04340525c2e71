/** The chat port on Slack, over Bolt's WebClient: posts and updates with blocks, DMs, the workspace's admins,
 * and Slack's own invitation on Enterprise Grid. Web API failures become the outbox's retry-later (with
 * Retry-After) or permanent errors. */

import { formView, slackMessage } from '../../../views/slack/answers.js';
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import type { ChatPort, MessageRef } from '../../flows/chatPort.js';
import { PermanentError } from '../../outbox/errors.js';
import { withTimeout } from '../withTimeout.js';
import { slackErrorForOutbox } from './api.js';
import { PLATFORM, type SlackContext } from './context.js';

/** Existing accounts are looked up before the ack only for a few addresses; reconciliation finds the others. */
const ACCOUNT_LOOKUP_MAX = 10;
const ACCOUNT_LOOKUP_BUDGET_MS = 800;

/** Runs a Web API call, turning its failure into the outbox's retry-or-not decision. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw slackErrorForOutbox(err);
  }
}

export function slackPort(ctx: SlackContext, grid: () => boolean): ChatPort {
  const { api } = ctx;

  /** Enterprise Grid: Slack's own invitation, with the channels, and guest flags and expiry for externals. */
  async function inviteOnGrid(inv: Invitation): Promise<void> {
    const admin = api.admin;
    if (!admin || !grid()) throw new PermanentError('Slack invitations need Enterprise Grid and SLACK_ADMIN_TOKEN');
    const guest = inv.role === 'external';
    const expiry = inv.expiresAt ? { guest_expiration_ts: String(Math.floor(Date.parse(inv.expiresAt) / 1000)) } : {};
    await call(() =>
      admin.admin.users.invite({
        team_id: inv.workspaceId,
        email: inv.email,
        real_name: inv.name,
        resend: true,
        // Slack requires at least one channel; a member invited without one lands where the command was typed.
        channel_ids: [inv.channelIds[0] ?? inv.originChannelId, ...inv.channelIds.slice(1)],
        custom_message: inv.message || undefined,
        ...(guest ? { is_restricted: true, ...expiry } : {}),
      }),
    );
  }

  return {
    platform: PLATFORM,
    format: mrkdwn,
    approvalChannel: ctx.settings.approvalChannel,
    capabilities: () => ctx.capabilities(),
    multiStepForms: () => true,
    // The modal's channel picker lists Slack's conversations itself; the command's channel is its default.
    channelOptions: async (_workspaceId, _userId, currentChannelId) => [{ value: currentChannelId, label: '' }],
    verifyChannels: (_workspaceId, userId) => call(() => api.channelsOf(userId)),
    async existingAccounts(emails) {
      // Looked up before the ack only for a few addresses; reconciliation finds the others.
      if (emails.length > ACCOUNT_LOOKUP_MAX) return new Set();
      const lookups = emails.map(async (e) => ((await api.userByEmail(e, api.interactive)) ? e : undefined));
      const found = Promise.all(lookups).then((all) => new Set(all.filter((e): e is string => !!e)));
      return withTimeout(found, ACCOUNT_LOOKUP_BUDGET_MS, new Set<string>());
    },
    level: async (_workspaceId, userId) => (await call(() => api.member(userId))).level,
    approvers: () => call(() => api.approvers()),
    async user(userId) {
      const member = await call(() => api.member(userId, api.client));
      const { person, realName, email, locale } = member;
      return { id: userId, username: person.username, displayName: realName, email, locale };
    },
    async userByEmail(email) {
      const found = await call(() => api.userByEmail(email));
      return found && this.user(found.id);
    },
    channelNames: (inv) => Promise.all(inv.channelIds.map((id) => api.channelName(id).catch(() => id))),
    directChannel: (userId) => call(() => api.directChannel(userId)),
    async post(channelId, msg): Promise<MessageRef> {
      const { text, blocks } = slackMessage(msg);
      const posted = await call(() => api.post(channelId, text, blocks));
      // A DM is posted to its conversation id (D…), which is also what chat.update wants.
      return { channelId: posted.channel, postId: posted.ts };
    },
    async openForm(trigger, form) {
      await call(() => api.interactive.views.open({ trigger_id: trigger, view: formView(form) }));
    },
    async update(ref, msg) {
      const { text, blocks } = slackMessage(msg);
      await call(() => api.update(ref.channelId, ref.postId, text, blocks ?? []));
    },
    async deliver(inv) {
      if (inv.delivery !== 'platform_email') return undefined;
      await inviteOnGrid(inv);
      return [];
    },
    async resend(inv, method) {
      if (method !== 'platform_email') return undefined;
      await inviteOnGrid(inv);
      return {};
    },
    async admit(_inv, userId, channelId) {
      // The bot must be in the channel (Grid invitations may have added the newcomer already).
      await call(() => api.addToChannel(channelId, userId));
      return this.user(userId);
    },
    /** Slack has no API for workspace roles: Grid guests got theirs with the invitation, members need nothing. */
    async applyRole() {},
    /** Neither a Slack invitation nor a join link can be withdrawn by an app; the acceptance link dies with the
     * revoke. */
    async withdraw() {},
  };
}
