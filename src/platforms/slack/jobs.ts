/** The Slack side of the outbox: each handler makes one or a few idempotent Web API calls for one invitation.
 * Handlers re-read the invitation, so a job that outlived its purpose ends quietly. Slack failures come out as
 * the outbox's retry-later (with Retry-After) or permanent errors (see api.ts). */
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import {
  approvalDigest, arrivalAnnouncement, arrivalNoticeToInviter, decisionNoticeToInviter, declinedNoticeToInviter, deliveryFailedNotice, expiredNoticeToInviter,
  linkNoticeToInviter, revokedNoticeToInviter,
} from '../../core/messages.js';
import { JOB, jobKind, type InviterNotice, invitationOf } from '../../actions/jobs.js';
import { recordDelivered, recordDeliveryFailed } from '../../actions/recordDelivery.js';
import { sendAcceptanceLink, type LinkMethod } from '../../delivery/acceptanceLink.js';
import { remindInvitee as sendReminder, type ReminderSide } from '../../delivery/reminder.js';
import { RENEWAL_REQUEST, renewalRequestNotice } from '../../lifecycle/renewalRequest.js';
import type { JobHandler } from '../../outbox/outbox.js';
import { PermanentError, RetryLaterError } from '../../outbox/errors.js';
import type { OutboxJob } from '../../store/store.js';
import { slackErrorForOutbox } from './api.js';
import type { Approvals } from './approvals.js';
import { PLATFORM, type SlackContext } from './context.js';

export function slackJobHandlers(ctx: SlackContext, approvals: Approvals, grid: () => boolean): Record<string, JobHandler> {
  const { api } = ctx;
  const load = (job: OutboxJob) => invitationOf(ctx.store, job);
  /** Runs a Web API call, turning its failure into the outbox's retry-or-not decision. */
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw slackErrorForOutbox(err);
    }
  };

  const requestApproval: JobHandler = {
    async run(job) {
      let inv = await load(job);
      if (inv.state !== 'pending_approval') return;
      const targets = ctx.settings.approvalChannel
        ? [ctx.settings.approvalChannel]
        : await call(async () => Promise.all((await api.approvers()).filter((id) => id !== inv.inviter.id).map((id) => api.directChannel(id))));
      if (!targets.length) throw new RetryLaterError('no approver to ask yet');
      const { text, blocks } = approvals.render(inv, await approvals.channelNames(inv));
      for (const channel of targets) {
        // Already posted there by an earlier attempt of this job: do not post twice.
        if (inv.approvalPosts.some((p) => p.channelId === channel)) continue;
        const posted = await call(() => api.post(channel, text, blocks));
        inv = (await ctx.store.patchInvitation(inv.id, { approvalPosts: [...inv.approvalPosts, { channelId: channel, postId: posted.ts }] }))!;
      }
    },
  };

  const updateApproval: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const { text, blocks } = approvals.render(inv, await approvals.channelNames(inv));
      // A DM is posted to its conversation id (D…), which is also what chat.update wants.
      for (const p of inv.approvalPosts) await call(() => api.update(p.channelId, p.postId, text, blocks));
    },
  };

  const deliver: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sending') return;
      if (inv.delivery === 'platform_email') await inviteOnGrid(inv);
      else await sendLink(inv, inv.delivery);
      if (await recordDelivered(ctx, inv)) ctx.outbox.kick();
    },
    async onDead(job, error) {
      await recordDeliveryFailed(ctx, await load(job), error);
    },
  };

  /** Enterprise Grid: Slack's own invitation, with the channels, and guest flags and expiry for externals. */
  async function inviteOnGrid(inv: Invitation): Promise<void> {
    const admin = api.admin;
    if (!admin || !grid()) throw new PermanentError('Slack invitations need Enterprise Grid and SLACK_ADMIN_TOKEN');
    const guest = inv.role === 'external';
    await call(() =>
      admin.admin.users.invite({
        team_id: inv.workspaceId, email: inv.email, real_name: inv.name, resend: true,
        // Slack requires at least one channel; a member invited without one lands where the command was typed.
        channel_ids: [inv.channelIds[0] ?? inv.originChannelId, ...inv.channelIds.slice(1)],
        custom_message: inv.message || undefined,
        ...(guest ? { is_restricted: true, ...(inv.expiresAt ? { guest_expiration_ts: String(Math.floor(Date.parse(inv.expiresAt) / 1000)) } : {}) } : {}),
      }),
    );
  }

  /** Every other plan: a fresh acceptance link (the page sends the invitee on to the workspace's join link), by the
   * bot's email or SMS, or to the inviter to pass on. A retry issues a new link, which kills the earlier one. */
  async function sendLink(inv: Invitation, method: LinkMethod, phone?: string): Promise<void> {
    if (!ctx.links) throw new PermanentError('acceptance links are not available on this deployment');
    const link = await sendAcceptanceLink(ctx, ctx.links, inv, method, phone);
    if (link) await call(() => api.dm(inv.inviter.id, linkNoticeToInviter(inv, link, mrkdwn)));
  }

  /** Resend, by the method chosen in the list's modal: Slack's own invitation again (Grid), or a new link. */
  const resend: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sent') return;
      const method = job.payload.method as Invitation['delivery'];
      if (method === 'platform_email') await inviteOnGrid(inv);
      else await sendLink(inv, method, typeof job.payload.phone === 'string' ? job.payload.phone : undefined);
    },
  };

  const announce: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const channel = String(job.payload.channelId);
      const userId = inv.arrivedUserId;
      if (inv.state !== 'arrived' || !userId) return;
      // The bot must be in the channel (Grid invitations may have added the newcomer already).
      await call(() => api.addToChannel(channel, userId));
      const user = await call(() => api.member(userId, api.client));
      await call(() => api.post(channel, arrivalAnnouncement(inv, { id: userId, username: user.person.username, displayName: user.realName }, mrkdwn)));
    },
  };

  /** Slack has no API for workspace roles: Grid guests got theirs with the invitation, members need nothing. */
  const applyRole: JobHandler = { async run() {} };

  /** Neither a Slack invitation nor a join link can be withdrawn by an app; the acceptance link dies with the revoke. */
  const withdraw: JobHandler = { async run() {} };

  const notify: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const text = await noticeText(inv, job.payload.about as InviterNotice | typeof RENEWAL_REQUEST, job.payload);
      if (text) await call(() => api.dm(inv.inviter.id, text));
    },
  };

  async function noticeText(inv: Invitation, about: InviterNotice | typeof RENEWAL_REQUEST, payload: Record<string, unknown>): Promise<string | undefined> {
    switch (about) {
      case 'decision':
        return inv.decision && decisionNoticeToInviter(inv, mrkdwn);
      case 'failed':
        return deliveryFailedNotice(inv, mrkdwn);
      case 'arrival': {
        const user = await call(() => api.member(inv.arrivedUserId!, api.client));
        return arrivalNoticeToInviter(inv, { id: user.person.id, username: user.person.username, displayName: user.realName }, mrkdwn);
      }
      case 'revoked': {
        const by = payload.by as { id?: string; username?: string } | undefined;
        return revokedNoticeToInviter(inv, by?.id ? mrkdwn.mention({ id: by.id, username: by.username ?? '' }) : undefined, mrkdwn);
      }
      case 'declined':
        return declinedNoticeToInviter(inv, payload.how === 'rejected' ? 'rejected' : 'cancelled', mrkdwn);
      case 'expired':
        return expiredNoticeToInviter(inv, mrkdwn);
      case 'link':
        // Only the link's hash is kept: showing it again means issuing a new one (the old one stops working).
        if (!ctx.links || inv.state !== 'sent') return undefined;
        return linkNoticeToInviter(inv, (await sendAcceptanceLink(ctx, ctx.links, inv, 'link'))!, mrkdwn);
      case RENEWAL_REQUEST:
        return renewalRequestNotice(inv, mrkdwn);
      default:
        return undefined;
    }
  }

  /** The invitee's one reminder, by the way the invitation went out: on Grid, Slack's own invitation again. */
  const reminderSide: ReminderSide = {
    platformInvitation: inviteOnGrid, dmInviter: (inv, text) => call(() => api.dm(inv.inviter.id, text)), format: mrkdwn,
  };
  const remindInvitee: JobHandler = {
    async run(job) {
      await sendReminder(ctx, ctx.links, await load(job), reminderSide);
    },
  };

  const approvalDigestJob: JobHandler = {
    async run(job) {
      const ids = (job.payload.invitationIds as string[]) ?? [];
      const waiting = (await Promise.all(ids.map((id) => ctx.store.getInvitation(id)))).filter((i): i is Invitation => i?.state === 'pending_approval');
      if (!waiting.length) return;
      const text = approvalDigest(waiting, mrkdwn);
      const channel = ctx.settings.approvalChannel;
      if (channel) await call(() => api.post(channel, text));
      else for (const id of await call(() => api.approvers())) await call(() => api.dm(id, text));
    },
  };

  return {
    [jobKind(PLATFORM, JOB.requestApproval)]: requestApproval,
    [jobKind(PLATFORM, JOB.updateApproval)]: updateApproval,
    [jobKind(PLATFORM, JOB.deliver)]: deliver,
    [jobKind(PLATFORM, JOB.resend)]: resend,
    [jobKind(PLATFORM, JOB.announce)]: announce,
    [jobKind(PLATFORM, JOB.applyRole)]: applyRole,
    [jobKind(PLATFORM, JOB.notifyInviter)]: notify,
    [jobKind(PLATFORM, JOB.withdraw)]: withdraw,
    [jobKind(PLATFORM, JOB.remindInvitee)]: remindInvitee,
    [jobKind(PLATFORM, JOB.approvalDigest)]: approvalDigestJob,
  };
}
