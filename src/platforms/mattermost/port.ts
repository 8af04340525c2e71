/** The chat port on Mattermost and kChat, over Client4: posts with signed buttons, DMs, the team's admins, the
 * server's invitation emails (paced to its hourly limit), and, on kChat, the organization's side through the
 * backend. Client4 failures become the outbox's retry-later or permanent errors. */

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
import { withTimeout } from '../withTimeout.js';
import { MattermostError } from './api.js';
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

/** Runs a platform call, turning its failure into the outbox's retry-or-not decision. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof MattermostError ? err.forOutbox() : err;
  }
}

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
    const sender = await call(() => api.botId());
    const perHour = ctx.settings.inviteEmailsPerHour;
    const token = await ctx.store.takeRateToken(
      `mattermost:invite-email:${sender}`,
      perHour,
      3600_000,
      ctx.clock.now(),
    );
    if (!token.ok)
      throw new RetryLaterError(
        'paced: invitation email budget used',
        token.retryAt.getTime() - ctx.clock.now().getTime(),
        true,
      );
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
      throw err instanceof MattermostError ? err.forOutbox() : err;
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
      const checks = await Promise.all(
        selected.map(async (id) => ((await api.isChannelMember(id, userId)) ? id : undefined)),
      );
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
    level: (teamId, userId) => call(() => api.level(teamId, userId)),
    approvers: (teamId) => call(() => api.approvers(teamId)),
    user: async (userId) => chatUser(await call(() => api.client.getUser(userId))),
    async userByEmail(email) {
      const user = await call(() => api.userByEmail(email));
      return user && chatUser({ ...user, email });
    },
    channelNames: (inv) =>
      Promise.all(
        inv.channelIds.map(async (id) => (await api.client.getChannel(id).catch(() => undefined))?.display_name ?? id),
      ),
    directChannel: (userId) => call(() => api.directChannel(userId)),
    async post(channelId, msg) {
      const { message, props } = mattermostPost(msg, approvalButtons(ctx, msg.approvalButtons?.invitationId ?? ''));
      const post = await call(() => api.post(channelId, message, props));
      return { channelId, postId: post.id };
    },
    async openForm(trigger, form) {
      const open = { trigger_id: trigger, url: `${ctx.settings.publicUrl}/mattermost/dialog` };
      const dialog = formDialog(form, ctx.dialogFeatures());
      if (form.kind !== 'wizard') return void (await call(() => api.openDialog({ ...open, dialog })));
      try {
        await api.openDialog({ ...open, dialog }, DIALOG_OPEN_BUDGET_MS);
      } catch (err) {
        // Refused outright (kChat may not serve dialogs), as opposed to a slow or failing server.
        if (err instanceof MattermostError && DIALOGS_REFUSED.includes(err.status)) throw new FormsRefused(err.message);
        throw err;
      }
    },
    async update(ref, msg) {
      const { message, props } = mattermostPost(msg, approvalButtons(ctx, msg.approvalButtons?.invitationId ?? ''));
      await call(() => api.patchPost(ref.postId, message, props ?? {}));
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
      const user = await call(() => api.client.getUser(userId));
      // An account made on the acceptance page is created, then demoted: joining the team before the demotion
      // would give an external the default channels as a full member.
      if (inv.role === 'external' && !user.roles.split(' ').includes('system_guest')) {
        throw new RetryLaterError('waiting until the account is a guest', 2000);
      }
      // Email invitations to members carry no channels: membership is completed here, on arrival.
      if (!backend?.managesMembership) await call(() => api.client.addToTeam(inv.workspaceId, userId));
      await call(() => api.client.addToChannel(userId, channelId));
      return this.user(userId);
    },
    async applyRole(inv, userId) {
      if (inv.role !== 'admin' || backend?.managesMembership) return;
      await call(() => api.client.addToTeam(inv.workspaceId, userId));
      // The server wants one space-separated string; Client4's type says string[] but sends the value as given.
      await call(() =>
        api.client.updateTeamMemberRoles(inv.workspaceId, userId, 'team_user team_admin' as unknown as string[]),
      );
    },
    async withdraw(inv) {
      await backend?.withdraw(inv);
    },
    offers: (inv) => backend?.offers(inv),
    ...(backend
      ? { backendNotice: (inv: Invitation, notice: NoticePayload, f: Writer) => backend.noticeText(inv, notice, f) }
      : {}),
  };
}
