/** The chat port on Slack, over Bolt's WebClient: posts and updates with blocks, DMs, the workspace's admins,
 * and Slack's own invitation on Enterprise Grid. Web API failures are SlackErrors, which the outbox reads as
 * retry-later (with Retry-After) or permanent. */

import { formView, slackMessage } from '../../../views/slack/answers.js';
import { signButtonToken } from '../../actions/buttonToken.js';
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import type { InviterLevel } from '../../core/policy.js';
import type { Option } from '../../core/wizard.js';
import type { ChatPort, MessageRef } from '../../flows/chatPort.js';
import { PermanentError } from '../../outbox/errors.js';
import { withTimeout } from '../withTimeout.js';
import { type SlackApi, unless } from './api.js';
import { PLATFORM, type SlackContext } from './context.js';

/** Existing accounts are looked up before the ack only for a few addresses; reconciliation finds the others. */
const ACCOUNT_LOOKUP_MAX = 10;
const ACCOUNT_LOOKUP_BUDGET_MS = 800;

type User = NonNullable<Awaited<ReturnType<SlackApi['client']['users']['info']>>['user']>;

/** What the user may do, read now (rights are never taken from a payload). */
function levelOf(user: User): InviterLevel {
  if (user.is_restricted || user.is_ultra_restricted || user.is_bot || user.deleted) return 'guest';
  if (user.is_owner || user.is_primary_owner) return 'owner';
  return user.is_admin ? 'admin' : 'member';
}

export function slackPort(ctx: SlackContext, grid: () => boolean): ChatPort {
  /** A guest's buttons in a direct message are signed as the list's are. */
  const sign = (invitationId: string, actionId: string) =>
    signButtonToken(ctx.signer, ctx.clock.now(), invitationId, actionId);
  const { api } = ctx;

  /** Enterprise Grid: Slack's own invitation, with the channels, and guest flags and expiry for externals. */
  async function inviteOnGrid(inv: Invitation): Promise<void> {
    const admin = api.admin;
    if (!admin || !grid()) throw new PermanentError('Slack invitations need Enterprise Grid and SLACK_ADMIN_TOKEN');
    const guest = inv.role === 'external';
    const expiry = inv.expiresAt ? { guest_expiration_ts: String(Math.floor(Date.parse(inv.expiresAt) / 1000)) } : {};
    await admin.admin.users.invite({
      team_id: inv.workspaceId,
      email: inv.email,
      real_name: inv.name,
      resend: true,
      // Slack requires at least one channel; a member invited without one lands where the command was typed.
      channel_ids: [inv.channelIds[0] ?? inv.originChannelId, ...inv.channelIds.slice(1)],
      custom_message: inv.message || undefined,
      ...(guest ? { is_restricted: true, ...expiry } : {}),
    });
  }

  /** users.info calls in flight, by user: the command asks for the inviter's level and locale at the same time,
   * and both are read from one answer. Nothing is kept once it settles, so every check stays a fresh call. */
  const inFlight = new Map<string, ReturnType<typeof fetchInfo>>();
  async function fetchInfo(userId: string, client: typeof api.client) {
    const { user } = await client.users.info({ user: userId, include_locale: true });
    if (!user) throw new Error('users.info returned no user');
    return user;
  }
  const info = (userId: string, client = api.interactive) => {
    let call = inFlight.get(userId);
    if (!call) {
      call = fetchInfo(userId, client).finally(() => inFlight.delete(userId));
      inFlight.set(userId, call);
    }
    return call;
  };
  const lookup = (email: string, client = api.client) =>
    unless('users_not_found', client.users.lookupByEmail({ email })).then((found) => found?.user?.id);

  return {
    platform: PLATFORM,
    format: mrkdwn,
    approvalChannel: ctx.settings.approvalChannel,
    capabilities: () => ctx.capabilities(),
    multiStepForms: () => true,
    // The modal's channel picker lists Slack's conversations itself; the command's channel is its default.
    channelOptions: async (_workspaceId, _userId, currentChannelId) => [{ value: currentChannelId, label: '' }],
    /** Public and private channels the user is in. */
    async verifyChannels(_workspaceId, userId) {
      const options: Option[] = [];
      const types = 'public_channel,private_channel';
      const list = (cursor?: string) =>
        api.interactive.users.conversations({ user: userId, types, exclude_archived: true, limit: 200, cursor });
      for await (const page of api.pages(list))
        for (const c of page.channels ?? []) if (c.id) options.push({ value: c.id, label: c.name ?? c.id });
      return options;
    },
    async existingAccounts(emails) {
      // Looked up before the ack only for a few addresses; reconciliation finds the others.
      if (emails.length > ACCOUNT_LOOKUP_MAX) return new Set();
      const lookups = emails.map(async (e) => ((await lookup(e, api.interactive)) ? e : undefined));
      const found = Promise.all(lookups).then((all) => new Set(all.filter((e): e is string => !!e)));
      return withTimeout(found, ACCOUNT_LOOKUP_BUDGET_MS, new Set<string>());
    },
    level: async (_workspaceId, userId) => levelOf(await info(userId)),
    /** Workspace admins and owners. */
    async approvers() {
      const ids: string[] = [];
      for await (const page of api.pages((cursor) => api.client.users.list({ limit: 200, cursor })))
        for (const u of page.members ?? [])
          if (u.id && !u.deleted && !u.is_bot && (u.is_admin || u.is_owner)) ids.push(u.id);
      return ids;
    },
    async user(userId) {
      const user = await info(userId, api.client);
      // Slack mentions by id: the display name is only ever shown.
      const username = user.profile?.display_name || user.real_name || user.name || userId;
      const { email } = user.profile ?? {};
      return { id: userId, username, displayName: user.real_name || username, email, locale: user.locale };
    },
    async userByEmail(email) {
      const id = await lookup(email);
      return id ? this.user(id) : undefined;
    },
    channelNames: (inv) =>
      Promise.all(
        inv.channelIds.map(async (id) => {
          const { channel } = await api.client.conversations
            .info({ channel: id })
            .catch(() => ({ channel: undefined }));
          return channel?.name ? `#${channel.name}` : id;
        }),
      ),
    channelDetails: (ids) =>
      Promise.all(
        ids.map(async (id) => {
          const { channel } = await api.client.conversations
            .info({ channel: id })
            .catch(() => ({ channel: undefined }));
          const purpose = channel?.purpose?.value?.trim() || channel?.topic?.value?.trim() || undefined;
          return { id, name: channel?.name ? `#${channel.name}` : id, purpose };
        }),
      ),
    directChannel: async (userId) => (await api.client.conversations.open({ users: userId })).channel!.id!,
    async post(channelId, msg): Promise<MessageRef> {
      const { text, blocks } = slackMessage(msg, sign);
      const res = await api.client.chat.postMessage({
        channel: channelId,
        text,
        blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      // A DM is posted to its conversation id (D…), which is also what chat.update wants.
      return { channelId: res.channel ?? channelId, postId: res.ts! };
    },
    async openForm(trigger, form) {
      await api.interactive.views.open({ trigger_id: trigger, view: formView(form) });
    },
    async update(ref, msg) {
      const { text, blocks } = slackMessage(msg, sign);
      await api.client.chat.update({ channel: ref.channelId, ts: ref.postId, text, blocks: blocks ?? [] });
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
      // The bot must be in the channel (Grid invitations may have added the newcomer already); being there is fine.
      await unless('already_in_channel', api.client.conversations.invite({ channel: channelId, users: userId }));
      return this.user(userId);
    },
    /** Slack has no API for workspace roles: Grid guests got theirs with the invitation, members need nothing. */
    async applyRole() {},
    /** Neither a Slack invitation nor a join link can be withdrawn by an app; the acceptance link dies with the
     * revoke. */
    async withdraw() {},
    /** Enterprise Grid: removed from the workspace by the admin API. Elsewhere an app cannot deactivate anyone:
     * the guest is taken out of the channels the bot added them to. Each call is safe to repeat. */
    async endGuestAccess(inv, userId) {
      if (api.admin && grid()) {
        await unless('user_not_found', api.admin.admin.users.remove({ team_id: inv.workspaceId, user_id: userId }));
        return 'done';
      }
      for (const channel of inv.channelIds) {
        await unless('not_in_channel', api.client.conversations.kick({ channel, user: userId }));
      }
      return 'done';
    },
    /** Enterprise Grid keeps a guest's expiration itself: it deactivates them on the date even if the bot is down. */
    async setAccessEnd(inv, userId) {
      if (!api.admin || !grid() || !inv.accessEndsAt || inv.role !== 'external') return;
      const expiration_ts = Math.floor(Date.parse(inv.accessEndsAt) / 1000);
      await api.admin.admin.users.setExpiration({ team_id: inv.workspaceId, user_id: userId, expiration_ts });
    },
  };
}
