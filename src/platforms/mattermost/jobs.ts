/** The Mattermost side of the outbox: each handler does one platform call (or a few idempotent ones) for one
 * invitation. Handlers re-read the invitation, so a job that outlived its purpose (revoked, already sent) ends
 * quietly. Failures are MattermostErrors, which the outbox retries or gives up on by status. */
import { mattermostMarkdown as md } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import {
  approvalDigest, arrivalAnnouncement, arrivalNoticeToInviter, decisionNoticeToInviter, declinedNoticeToInviter, deliveryFailedNotice,
  expiredNoticeToInviter, linkNoticeToInviter, revokedNoticeToInviter,
} from '../../core/messages.js';
import { sendAcceptanceLink, type LinkMethod } from '../../delivery/acceptanceLink.js';
import { remindInvitee as sendReminder, type ReminderSide } from '../../delivery/reminder.js';
import { renewalRequestNotice } from '../../lifecycle/renewalRequest.js';
import { JOB, jobKind, notifyInviter, type InviterNotice, invitationOf } from '../../actions/jobs.js';
import { recordDelivered, recordDeliveryFailed } from '../../actions/recordDelivery.js';
import type { JobHandler } from '../../outbox/outbox.js';
import { PermanentError, RetryLaterError } from '../../outbox/errors.js';
import type { NewJob, OutboxJob } from '../../store/store.js';
import { MattermostError } from './api.js';
import type { Approvals } from './approvals.js';
import { PLATFORM, type MattermostContext } from './context.js';

const RATE_LIMITED = 'app.email.rate_limit_exceeded.app_error';
const GUEST_INVITE_FORBIDDEN = 'the bot may not invite guests: give its account the System Admin role (see README)';
/** How often a bulk request's progress is reported to its inviter. */
const PROGRESS_EVERY = 20;

export function mattermostJobHandlers(ctx: MattermostContext, approvals: Approvals): Record<string, JobHandler> {
  const load = (job: OutboxJob) => invitationOf(ctx.store, job);
  /** Runs a platform call, turning its failure into the outbox's retry-or-not decision. */
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof MattermostError ? err.forOutbox() : err;
    }
  };
  const dm = async (userId: string, message: string) => call(async () => ctx.api.post(await ctx.api.directChannel(userId), message));

  const requestApproval: JobHandler = {
    async run(job) {
      let inv = await load(job);
      if (inv.state !== 'pending_approval') return;
      const targets = ctx.settings.approvalChannelId
        ? [ctx.settings.approvalChannelId]
        : await call(async () => Promise.all((await ctx.api.approvers(inv.workspaceId)).filter((id) => id !== inv.inviter.id).map((id) => ctx.api.directChannel(id))));
      if (!targets.length) throw new RetryLaterError('no approver to ask yet');
      const { message, props } = approvals.render(inv, await approvals.channelNames(inv));
      for (const channelId of targets) {
        // Already posted there by an earlier attempt of this job: do not post twice.
        if (inv.approvalPosts.some((p) => p.channelId === channelId)) continue;
        const post = await call(() => ctx.api.post(channelId, message, props));
        inv = (await ctx.store.patchInvitation(inv.id, { approvalPosts: [...inv.approvalPosts, { channelId, postId: post.id }] }))!;
      }
    },
  };

  const updateApproval: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const { message, props } = approvals.render(inv, await approvals.channelNames(inv));
      for (const p of inv.approvalPosts) await call(() => ctx.api.patchPost(p.postId, message, props));
    },
  };

  const deliver: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sending') return;
      let followUps: NewJob[] = [];
      if (ctx.backend) followUps = await ctx.backend.deliver(inv, { sendInviteEmail });
      else if (inv.delivery === 'platform_email') await sendInviteEmail(inv);
      else await deliverLink(inv, inv.delivery);
      const sent = await recordDelivered(ctx, inv, followUps);
      if (sent?.batch) await reportProgress(sent);
      if (sent) ctx.outbox.kick();
    },
    async onDead(job, error) {
      await recordDeliveryFailed(ctx, await load(job), error);
    },
  };

  /** The bot's own acceptance link: mailed, texted, or shown to the inviter to pass on. */
  async function deliverLink(inv: Invitation, method: LinkMethod, phone?: string): Promise<void> {
    if (!ctx.links) throw new PermanentError('link delivery is not set up on this bot');
    const url = await sendAcceptanceLink(ctx, ctx.links, inv, method, phone);
    if (url) await dm(inv.inviter.id, linkNoticeToInviter(inv, url, md));
  }

  /** Resend, by the method the inviter or an approver chose. */
  const resend: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sent') return;
      const method = job.payload.method as Invitation['delivery'];
      if (ctx.backend) {
        const text = await ctx.backend.resend(inv, method, { sendInviteEmail });
        if (text) await dm(inv.inviter.id, text);
      } else if (method === 'platform_email') await sendInviteEmail(inv);
      else await deliverLink(inv, method, typeof job.payload.phone === 'string' ? job.payload.phone : undefined);
    },
  };

  /** Mattermost sends at most N invitation emails an hour per sender (the bot): pace them here, without
   * spending retry attempts, so a bulk request drains at the server's pace. */
  async function sendInviteEmail(inv: Invitation): Promise<void> {
    const sender = await call(() => ctx.api.botId());
    const token = await ctx.store.takeRateToken(`mattermost:invite-email:${sender}`, ctx.settings.inviteEmailsPerHour, 3600_000, ctx.clock.now());
    if (!token.ok) throw new RetryLaterError('paced: invitation email budget used', token.retryAt.getTime() - ctx.clock.now().getTime(), true);
    const paceMs = 3600_000 / ctx.settings.inviteEmailsPerHour;
    let results;
    try {
      results = await (inv.role === 'external'
        ? ctx.api.client.sendEmailGuestInvitesToChannelsGracefully(inv.workspaceId, inv.channelIds, [inv.email], inv.message)
        : ctx.api.client.sendEmailInvitesToTeamAndChannelsGracefully(inv.workspaceId, inv.channelIds, [inv.email], inv.message));
    } catch (err) {
      // The server's own limiter answers 413 with this id, even with graceful=true: wait, do not give up.
      if (err instanceof MattermostError && err.errorId === RATE_LIMITED) throw new RetryLaterError(err.message, paceMs, true);
      // invite_guest is held only by system admins by default: say what to change instead of a bare 403.
      if (err instanceof MattermostError && err.status === 403 && inv.role === 'external') throw new PermanentError(GUEST_INVITE_FORBIDDEN);
      throw err instanceof MattermostError ? err.forOutbox() : err;
    }
    const error = results[0]?.error as { id?: string; message?: string } | undefined | null;
    if (!error) return;
    if (error.id === RATE_LIMITED) throw new RetryLaterError(error.message ?? 'invitation emails rate limited', paceMs, true);
    throw new PermanentError(error.message ?? error.id ?? 'the server refused the invitation');
  }

  const announce: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const channelId = String(job.payload.channelId);
      const userId = inv.arrivedUserId;
      if (inv.state !== 'arrived' || !userId) return;
      const user = await call(() => ctx.api.client.getUser(userId));
      // An account made on the acceptance page is created, then demoted: joining the team before the demotion
      // would give an external the default channels as a full member.
      if (inv.role === 'external' && !user.roles.split(' ').includes('system_guest')) throw new RetryLaterError('waiting until the account is a guest', 2000);
      // Email invitations to members carry no channels: membership is completed here, on arrival.
      if (!ctx.backend?.managesMembership) await call(() => ctx.api.client.addToTeam(inv.workspaceId, userId));
      await call(() => ctx.api.client.addToChannel(userId, channelId));
      const displayName = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.nickname || user.username;
      await call(() => ctx.api.post(channelId, arrivalAnnouncement(inv, { id: user.id, username: user.username, displayName }, md)));
    },
  };

  const applyRole: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.role !== 'admin' || !inv.arrivedUserId || ctx.backend?.managesMembership) return;
      const userId = inv.arrivedUserId;
      await call(() => ctx.api.client.addToTeam(inv.workspaceId, userId));
      // The server wants one space-separated string; Client4's type says string[] but sends the value as given.
      await call(() => ctx.api.client.updateTeamMemberRoles(inv.workspaceId, userId, 'team_user team_admin' as unknown as string[]));
    },
  };

  const notify: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const about = job.payload.about as InviterNotice;
      const text = await noticeText(inv, about, job.payload);
      if (text) await dm(inv.inviter.id, text);
    },
  };

  async function noticeText(inv: Invitation, about: InviterNotice, payload: Record<string, unknown>): Promise<string | undefined> {
    switch (about) {
      case 'decision':
        return inv.decision && decisionNoticeToInviter(inv, md);
      case 'failed':
        return deliveryFailedNotice(inv, md);
      case 'arrival': {
        const user = await call(() => ctx.api.client.getUser(inv.arrivedUserId!));
        return arrivalNoticeToInviter(inv, { id: user.id, username: user.username, displayName: user.username }, md);
      }
      case 'progress':
        return progressText(inv, Number(payload.done));
      case 'revoked': {
        const by = payload.by as { id?: string; username?: string } | undefined;
        return revokedNoticeToInviter(inv, by?.id && by.username ? md.mention({ id: by.id, username: by.username }) : undefined, md);
      }
      case 'renewal-request':
        return renewalRequestNotice(inv, md);
      case 'link':
        if (ctx.backend || !ctx.links) return ctx.backend?.noticeText(inv, payload);
        // Only the link's hash is kept: showing it again means issuing a new one (the old one stops working).
        return linkNoticeToInviter(inv, (await sendAcceptanceLink(ctx, ctx.links, inv, 'link'))!, md);
      case 'expired':
        return expiredNoticeToInviter(inv, md);
      case 'declined':
        return declinedNoticeToInviter(inv, payload.how === 'rejected' ? 'rejected' : 'cancelled', md);
      default:
        return ctx.backend?.noticeText(inv, payload);
    }
  }

  /** Nothing to undo on Mattermost (its email invitations cannot be withdrawn one by one); a backend may have more. */
  const withdraw: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state === 'revoked' || inv.state === 'expired') await ctx.backend?.withdraw(inv);
    },
  };

  /** The invitee's one reminder, by the way the invitation went out (Mattermost's email is paced like the first).
   * kChat's invitations are the backend's: it has no reminder of its own yet. */
  const reminderSide: ReminderSide = {
    platformInvitation: sendInviteEmail, dmInviter: (inv, text) => dm(inv.inviter.id, text), format: md,
  };
  const remindInvitee: JobHandler = {
    async run(job) {
      if (!ctx.backend) await sendReminder(ctx, ctx.links, await load(job), reminderSide);
    },
  };

  const approvalDigestJob: JobHandler = {
    async run(job) {
      const ids = (job.payload.invitationIds as string[]) ?? [];
      const waiting = (await Promise.all(ids.map((id) => ctx.store.getInvitation(id)))).filter((i): i is Invitation => i?.state === 'pending_approval');
      if (!waiting.length) return;
      const text = approvalDigest(waiting, md);
      if (ctx.settings.approvalChannelId) {
        await call(() => ctx.api.post(ctx.settings.approvalChannelId!, text));
        return;
      }
      for (const id of await call(() => ctx.api.approvers(String(job.payload.workspaceId)))) await dm(id, text);
    },
  };

  /** A progress notice every PROGRESS_EVERY deliveries of a batch and when its last one went out: one job per
   * step (the dedupe key), whichever delivery crossed it. */
  async function reportProgress(inv: Invitation): Promise<void> {
    const batch = inv.batch!;
    const members = await ctx.store.listInvitations({ platform: PLATFORM, batchId: batch.id });
    const done = members.filter((i) => i.state !== 'sending' && i.state !== 'pending_approval').length;
    const step = done === batch.size ? 'last' : String(Math.floor(done / PROGRESS_EVERY));
    if (step === '0') return;
    await ctx.store.enqueue([{ ...notifyInviter(inv, 'progress'), dedupeKey: `progress:${batch.id}:${step}`, payload: { about: 'progress', done } }]);
  }

  function progressText(inv: Invitation, done: number): string {
    const size = inv.batch?.size ?? done;
    const left = size - done;
    if (left <= 0) return `Bulk invitation finished: all ${size} invitations were processed.`;
    const hours = Math.ceil(left / ctx.settings.inviteEmailsPerHour);
    const eta = new Date(ctx.clock.now().getTime() + hours * 3600_000).toISOString().slice(11, 16);
    return `Bulk invitation: ${done} of ${size} sent. The rest go out at ${ctx.settings.inviteEmailsPerHour} an hour; expected done by about ${eta} UTC.`;
  }

  return {
    [jobKind(PLATFORM, JOB.requestApproval)]: requestApproval,
    [jobKind(PLATFORM, JOB.updateApproval)]: updateApproval,
    [jobKind(PLATFORM, JOB.deliver)]: deliver,
    [jobKind(PLATFORM, JOB.announce)]: announce,
    [jobKind(PLATFORM, JOB.applyRole)]: applyRole,
    [jobKind(PLATFORM, JOB.notifyInviter)]: notify,
    [jobKind(PLATFORM, JOB.withdraw)]: withdraw,
    [jobKind(PLATFORM, JOB.remindInvitee)]: remindInvitee,
    [jobKind(PLATFORM, JOB.resend)]: resend,
    [jobKind(PLATFORM, JOB.approvalDigest)]: approvalDigestJob,
  };
}
