/** The chat port on Mattermost and kChat, over Client4: posts with signed buttons, DMs, the team's admins, the
 * server's invitation emails (paced to its hourly limit), and, on kChat, the organization's side through the
 * backend. Client4's failures are MattermostErrors, which the outbox reads as retry-later or permanent. */

import type { Post } from '@mattermost/types/posts';
import { mattermostPost } from '../../../views/mattermost/approvalPost.js';
import { formDialog } from '../../../views/mattermost/dialog.js';
import type { NoticePayload } from '../../actions/jobPayloads.js';
import { mattermostMarkdown as md } from '../../core/format.js';
import { thisChannel } from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import type { Option } from '../../core/wizard.js';
import type { Writer } from '../../core/writer.js';
import { type ChatPort, type ChatUser, FormsRefused } from '../../flows/chatPort.js';
import { RecentLookups } from '../../flows/recentLookups.js';
import { PermanentError, RetryLaterError } from '../../outbox/errors.js';
import { takePaced } from '../../outbox/outbox.js';
import { withTimeout } from '../withTimeout.js';
import { absent, MattermostError } from './api.js';
import { approvalButtons } from './buttons.js';
import { type MattermostContext, PLATFORM } from './context.js';

const RATE_LIMITED = 'app.email.rate_limit_exceeded.app_error';
/** Budget for the lookups made before a dialog opens: old servers and kChat expire trigger ids after 3 s. */
const LOOKUP_BUDGET_MS = 1200;
const DIALOG_OPEN_BUDGET_MS = 1500;
/** How long the dialog's channel list is reused (membership is re-checked on submit whatever this says). */
const LOOKUP_TTL_MS = 60_000;
/** Above this many recipients, existing accounts are reported by the delivery instead of looked up at submit. */
const ACCOUNT_LOOKUP_MAX = 50;
/** Answers to actions/dialogs/open meaning "not here", as opposed to a slow or failing server. */
const DIALOGS_REFUSED = [403, 404, 405, 501];
const GUEST_INVITE_FORBIDDEN = 'the bot may not invite guests: give its account the System Admin role (see README)';

const isAdmin = (roles: string[], member?: { scheme_admin?: boolean }) =>
  roles.includes('system_admin') || roles.includes('team_admin') || !!member?.scheme_admin;

interface MattermostUser {
  id: string;
  username: string;
  first_name: string;
  last_name: string;
  nickname: string;
  email?: string;
  /** The language the user set in their display settings (`fr`, `de`, …). */
  locale?: string;
}

function chatUser(user: MattermostUser): ChatUser {
  const displayName = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.nickname || user.username;
  return { id: user.id, username: user.username, displayName, email: user.email || undefined, locale: user.locale };
}

export function mattermostPort(ctx: MattermostContext): ChatPort {
  const { api, backend } = ctx;
  const channelLists = new RecentLookups<Option[] | undefined>(LOOKUP_TTL_MS, () => ctx.clock.now().getTime());

  /** The user's channels, or undefined when the bot may not list them. */
  async function channelsOf(teamId: string, userId: string): Promise<Option[] | undefined> {
    try {
      const channels = await api.channelsOf(teamId, userId);
      return channels
        .map((c) => ({ value: c.id, label: c.display_name || c.name }))
        .sort((a, b) => a.label.localeCompare(b.label));
    } catch (err) {
      ctx.log.debug({ err: (err as Error).message }, 'cannot list the inviter’s channels; offering the current one');
      return undefined;
    }
  }

  /** Mattermost sends at most N invitation emails an hour per sender (the bot): paced here, without spending retry
   * attempts, so a bulk request drains at the server's pace. */
  async function sendInviteEmail(inv: Invitation): Promise<void> {
    const perHour = ctx.settings.inviteEmailsPerHour;
    const window = { key: `mattermost:invite-email:${await api.botId()}`, limit: perHour, windowMs: 3600_000 };
    await takePaced(ctx.store, ctx.clock.now(), window, 'invitation email budget used');
    const paceMs = 3600_000 / perHour;
    let results;
    try {
      results = await (inv.role === 'external'
        ? api.client.sendEmailGuestInvitesToChannelsGracefully(
            inv.workspaceId,
            inv.channelIds,
            [inv.email],
            inv.message,
          )
        : api.client.sendEmailInvitesToTeamAndChannelsGracefully(
            inv.workspaceId,
            inv.channelIds,
            [inv.email],
            inv.message,
          ));
    } catch (err) {
      // The server's own limiter answers 413 with this id, even with graceful=true: wait, do not give up.
      if (err instanceof MattermostError && err.errorId === RATE_LIMITED)
        throw new RetryLaterError(err.message, paceMs, true);
      // invite_guest is held only by system admins by default: say what to change instead of a bare 403.
      if (err instanceof MattermostError && err.status === 403 && inv.role === 'external')
        throw new PermanentError(GUEST_INVITE_FORBIDDEN);
      throw err;
    }
    const error = results[0]?.error as { id?: string; message?: string } | undefined | null;
    if (!error) return;
    if (error.id === RATE_LIMITED)
      throw new RetryLaterError(error.message ?? 'invitation emails rate limited', paceMs, true);
    throw new PermanentError(error.message ?? error.id ?? 'the server refused the invitation');
  }
  const tools = { sendInviteEmail };

  return {
    platform: PLATFORM,
    format: md,
    approvalChannel: ctx.settings.approvalChannelId,
    invitationsPerHour: ctx.settings.inviteEmailsPerHour,
    capabilities: () => ctx.capabilities(),
    multiStepForms: () => ctx.dialogFeatures().multistep,
    async channelOptions(teamId, userId, currentChannelId) {
      const load = channelLists.get(`${teamId}:${userId}`, () => channelsOf(teamId, userId));
      return (
        (await withTimeout(load, LOOKUP_BUDGET_MS, undefined)) ?? [
          { value: currentChannelId, label: thisChannel(ctx.locales.org) },
        ]
      );
    },
    async verifyChannels(_teamId, userId, selected) {
      const member = (id: string) => absent(api.client.getChannelMember(id, userId), [403, 404]);
      const checks = await Promise.all(selected.map(async (id) => ((await member(id)) ? id : undefined)));
      return checks.filter((id): id is string => !!id).map((id) => ({ value: id, label: id }));
    },
    async existingAccounts(emails) {
      // Above this many, existing accounts are reported by the delivery instead of looked up now.
      if (emails.length > ACCOUNT_LOOKUP_MAX) return new Set();
      const found = await Promise.all(
        emails.map(async (e) => ((await api.userByEmail(e).catch(() => undefined)) ? e : undefined)),
      );
      return new Set(found.filter((e): e is string => !!e));
    },
    async level(teamId, userId) {
      const [user, member] = await Promise.all([
        api.client.getUser(userId),
        api.client.getTeamMember(teamId, userId).catch(() => undefined),
      ]);
      const roles = `${user.roles} ${member?.roles ?? ''}`.split(/\s+/);
      if (roles.includes('system_guest') || member?.scheme_guest) return 'guest';
      const level = isAdmin(roles, member) ? 'admin' : 'member';
      // A backend may know the inviter's role better than the chat server (kChat: the organization).
      return backend ? backend.refineLevel(user, level) : level;
    },
    /** Team admins and system admins who are members of the team. */
    async approvers(teamId) {
      const ids: string[] = [];
      for (let page = 0; ; page++) {
        const members = await api.client.getTeamMembers(teamId, page, 200);
        const candidates = members.filter((m) => !m.delete_at);
        const users = candidates.length ? await api.client.getProfilesByIds(candidates.map((m) => m.user_id)) : [];
        const byId = new Map(users.map((u) => [u.id, u]));
        for (const m of candidates) {
          const u = byId.get(m.user_id);
          if (u && !u.is_bot && !u.delete_at && isAdmin(`${u.roles} ${m.roles}`.split(/\s+/), m)) ids.push(u.id);
        }
        if (members.length < 200) return ids;
      }
    },
    user: async (userId) => chatUser(await api.client.getUser(userId)),
    async userByEmail(email) {
      const user = await api.userByEmail(email);
      return user && chatUser({ ...user, email });
    },
    channelNames: (inv) => Promise.all(inv.channelIds.map(async (id) => (await api.channelName(id)) ?? id)),
    channelDetails: (ids) =>
      Promise.all(
        ids.map(async (id) => {
          const c = await api.client.getChannel(id).catch(() => undefined);
          return {
            id,
            name: c?.display_name || c?.name || id,
            purpose: c?.purpose?.trim() || c?.header?.trim() || undefined,
          };
        }),
      ),
    directChannel: (userId) => api.directChannel(userId),
    async post(channelId, msg) {
      const { message, props } = mattermostPost(msg, approvalButtons(ctx, msg));
      const post = await api.client.createPost({ channel_id: channelId, message, props: props as Post['props'] });
      return { channelId, postId: post.id };
    },
    async openForm(trigger, form) {
      const open = { trigger_id: trigger, url: `${ctx.settings.publicUrl}/mattermost/dialog` };
      const dialog = formDialog(form, ctx.dialogFeatures());
      if (form.kind !== 'wizard') return void (await api.openDialog({ ...open, dialog }));
      try {
        await api.openDialog({ ...open, dialog }, DIALOG_OPEN_BUDGET_MS);
      } catch (err) {
        // Refused outright (kChat may not serve dialogs), as opposed to a slow or failing server.
        if (err instanceof MattermostError && DIALOGS_REFUSED.includes(err.status)) throw new FormsRefused(err.message);
        throw err;
      }
    },
    async update(ref, msg) {
      const { message, props } = mattermostPost(msg, approvalButtons(ctx, msg));
      await api.client.patchPost({ id: ref.postId, message, props: (props ?? {}) as Post['props'] });
    },
    async deliver(inv) {
      if (backend) return backend.deliver(inv, tools);
      if (inv.delivery !== 'platform_email') return undefined;
      await sendInviteEmail(inv);
      return [];
    },
    async resend(inv, method) {
      if (backend) {
        // A reminder by a way the organization cannot send again: nothing to resend (the list offers no such
        // Resend either).
        if (!backend.offers(inv).resend.includes(method)) return {};
        return { notice: await backend.resend(inv, method, tools) };
      }
      if (method !== 'platform_email') return undefined;
      await sendInviteEmail(inv);
      return {};
    },
    async admit(inv, userId, channelId) {
      const user = await api.client.getUser(userId);
      // An account made on the acceptance page is created, then demoted: joining the team before the demotion
      // would give an external the default channels as a full member.
      if (inv.role === 'external' && !user.roles.split(' ').includes('system_guest')) {
        throw new RetryLaterError('waiting until the account is a guest', 2000);
      }
      // Email invitations to members carry no channels: membership is completed here, on arrival.
      if (!backend?.managesMembership) await api.client.addToTeam(inv.workspaceId, userId);
      await api.client.addToChannel(userId, channelId);
      return this.user(userId);
    },
    async applyRole(inv, userId) {
      if (inv.role !== 'admin' || backend?.managesMembership) return;
      await api.client.addToTeam(inv.workspaceId, userId);
      // The server wants one space-separated string; Client4's type says string[] but sends the value as given.
      await api.client.updateTeamMemberRoles(inv.workspaceId, userId, 'team_user team_admin' as unknown as string[]);
    },
    async withdraw(inv) {
      await backend?.withdraw(inv);
    },
    /** Out of the channels the bot added, then deactivated or out of the team (GUEST_END_ACTION). kChat's API
     * offers no way to withdraw an organization's user: there the admins are given the Manager's steps. Each call
     * is safe to repeat (already out, already inactive). */
    async endGuestAccess(inv, userId) {
      for (const channelId of inv.channelIds) await absent(api.client.removeFromChannel(userId, channelId), [404]);
      if (backend) return 'manual';
      if (ctx.guests?.endAction === 'remove-from-team') {
        await absent(api.client.removeFromTeam(inv.workspaceId, userId), [404]);
      } else {
        await api.client.updateUserActive(userId, false);
      }
      return 'done';
    },
    offers: (inv) => backend?.offers(inv),
    ...(backend
      ? { backendNotice: (inv: Invitation, notice: NoticePayload, f: Writer) => backend.noticeText(inv, notice, f) }
      : {}),
  };
}
