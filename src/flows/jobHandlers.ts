/** The outbox's job handlers, written once for every platform: each re-reads its invitation (a job that outlived
 * its purpose ends quietly), asks the chat port for what the platform must do, and records the outcome through an
 * action. The port turns platform failures into the outbox's retry-or-give-up errors. */

import { type NoticePayload, payloadOf } from '../actions/jobPayloads.js';
import { invitationOf, JOB, jobKind } from '../actions/jobs.js';
import { recordApprovalPost } from '../actions/recordApprovalPost.js';
import { recordDelivered, recordDeliveryFailed } from '../actions/recordDelivery.js';
import type { Clock } from '../core/clock.js';
import type { Locales } from '../core/i18n.js';
import {
  accessEndedNotice,
  adoptionRequest,
  approvalDigest,
  approvalMessage,
  arrivalAnnouncement,
  arrivalNoticeToInviter,
  bulkProgressNotice,
  decisionNoticeToInviter,
  declinedNoticeToInviter,
  deliveryFailedNotice,
  endAccessByHand,
  expiredNoticeToInviter,
  linkNoticeToInviter,
  renewalRequestNotice,
  revokedNoticeToInviter,
  sponsorReminder,
  welcomeMessage,
} from '../core/messages.js';
import { type GuestSettings, type Invitation, sponsorOf } from '../core/model.js';
import { type WelcomeTemplates, welcomeTemplateFor } from '../core/welcome.js';
import { type Writer, writer } from '../core/writer.js';
import { type LinkChannels, type LinkMethod, sendAcceptanceLink } from '../delivery/acceptanceLink.js';
import { remindInvitee } from '../delivery/reminder.js';
import { RENEWAL_REQUEST } from '../lifecycle/renewalRequest.js';
import type { Logger } from '../logger.js';
import { PermanentError, RetryLaterError } from '../outbox/errors.js';
import type { JobHandler, Outbox } from '../outbox/outbox.js';
import type { OutboxJob, Store } from '../store/store.js';
import type { ChatPort } from './chatPort.js';
import { Readers } from './readers.js';

export interface FlowDeps {
  store: Store;
  clock: Clock;
  outbox: Outbox;
  log: Logger;
  /** Every reader's words: the organization's for channel posts, each person's for what only they read. */
  locales: Locales;
  /** The bot's own acceptance links (link, bot email, SMS delivery), where the deployment has them. */
  links?: LinkChannels;
  /** GUEST_MAX_DAYS and GUEST_END_ACTION; unset: no cap, guests deactivated at their end. */
  guests?: GuestSettings;
  /** The operator's welcome texts (WELCOME_MESSAGE, WELCOME_MESSAGE_FILE); unset: the bot's own words. */
  welcome?: WelcomeTemplates;
}

/** The sponsor's words: the inviter's as they invited, another sponsor's (an admin who adopted the guest) as the
 * chat says now. */
export function sponsorWriter(deps: Pick<FlowDeps, 'locales'>, port: ChatPort) {
  const writerFor = (locale?: string): Writer => writer(port.format, deps.locales.for(locale));
  return async (inv: Invitation): Promise<Writer> =>
    writerFor(inv.sponsor ? ((await port.user(inv.sponsor.id)).locale ?? inv.sponsor.locale) : inv.inviter.locale);
}

export function jobHandlers(deps: FlowDeps, port: ChatPort): Record<string, JobHandler> {
  const { store } = deps;
  const org = writer(port.format, deps.locales.org);
  const readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
  const writerFor = (locale?: string): Writer => (locale ? writer(port.format, deps.locales.for(locale)) : org);
  /** The inviter's words, as their chat's language was when they invited. */
  const toInviter = (inv: Invitation) => writerFor(inv.inviter.locale);
  const load = (job: OutboxJob) => invitationOf(store, job);
  const dm = async (userId: string, text: string) => port.post(await port.directChannel(userId), { text });
  const approvalOf = async (inv: Invitation, f: Writer) => approvalMessage(f, inv, await port.channelNames(inv));

  const requestApproval: JobHandler = {
    async run(job) {
      let inv = await load(job);
      if (inv.state !== 'pending_approval') return;
      // A channel post is read by many: the organization's language. A direct message: the approver's.
      const targets: { channelId: string; locale?: string }[] = port.approvalChannel
        ? [{ channelId: port.approvalChannel }]
        : await Promise.all(
            (await port.approvers(inv.workspaceId))
              .filter((id) => id !== inv.inviter.id)
              .map(async (id) => ({ channelId: await port.directChannel(id), locale: await readers.locale(id) })),
          );
      if (!targets.length) throw new RetryLaterError('no approver to ask yet');
      for (const { channelId, locale } of targets) {
        // Already posted there by an earlier attempt of this job: do not post twice.
        if (inv.approvalPosts.some((p) => p.channelId === channelId)) continue;
        const posted = await port.post(channelId, await approvalOf(inv, writerFor(locale)));
        inv = await recordApprovalPost(deps, inv, { ...posted, locale });
      }
    },
  };

  const updateApproval: JobHandler = {
    async run(job) {
      const inv = await load(job);
      for (const post of inv.approvalPosts) {
        const ref = { channelId: post.channelId, postId: post.postId };
        await port.update(ref, await approvalOf(inv, writerFor(post.locale)));
      }
    },
  };

  /** The bot's own acceptance link: mailed, texted, or shown to the inviter to pass on. */
  async function sendLink(inv: Invitation, method: LinkMethod, phone?: string): Promise<void> {
    if (!deps.links) throw new PermanentError('acceptance links are not available on this deployment');
    const url = await sendAcceptanceLink(deps, deps.links, inv, method, phone);
    if (url) await dm(inv.inviter.id, linkNoticeToInviter(toInviter(inv), inv, url));
  }

  const deliver: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sending') return;
      let followUps = await port.deliver(inv);
      if (!followUps) {
        await sendLink(inv, inv.delivery as LinkMethod);
        followUps = [];
      }
      if (await recordDelivered(deps, inv, followUps)) deps.outbox.kick();
    },
    async onDead(job, error) {
      await recordDeliveryFailed(deps, await load(job), error);
    },
  };

  /** Resend, by the method the inviter or an approver chose. */
  const resend: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'sent') return;
      const { method, phone } = payloadOf(job, JOB.resend);
      const sent = await port.resend(inv, method);
      if (sent?.notice) await dm(inv.inviter.id, sent.notice);
      if (!sent) await sendLink(inv, method as LinkMethod, phone);
    },
  };

  const announce: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const { channelId } = payloadOf(job, JOB.announce);
      const userId = inv.arrivedUserId;
      if (inv.state !== 'arrived' || !userId) return;
      const user = await port.admit(inv, userId, channelId);
      await port.post(channelId, { text: arrivalAnnouncement(org, inv, user) });
    },
  };

  /** The newcomer's direct message, in their chat's language, else the one they were invited in. */
  const welcome: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const userId = inv.arrivedUserId;
      if (inv.state !== 'arrived' || !userId) return;
      const readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
      const f = writer(port.format, deps.locales.for((await readers.locale(userId)) || inv.language));
      const newcomer = await port.user(userId);
      const facts = {
        newcomer,
        inviter: inv.inviter,
        channels: await port.channelDetails(inv.channelIds),
        role: inv.role,
        sponsor: sponsorOf(inv),
        until: inv.accessEndsAt,
      };
      await dm(userId, welcomeMessage(f, facts, welcomeTemplateFor(deps.welcome, inv.workspaceId, f.language)));
    },
  };

  const applyRole: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.arrivedUserId) await port.applyRole(inv, inv.arrivedUserId);
    },
  };

  const withdraw: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state === 'revoked' || inv.state === 'expired') await port.withdraw(inv);
    },
  };

  const notify: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const text = await noticeText(inv, payloadOf(job, JOB.notifyInviter));
      if (text) await dm(inv.inviter.id, text);
    },
  };

  async function noticeText(inv: Invitation, notice: NoticePayload) {
    const f = toInviter(inv);
    switch (notice.about) {
      case 'decision':
        return inv.decision && decisionNoticeToInviter(f, inv);
      case 'failed':
        return deliveryFailedNotice(f, inv);
      case 'arrival':
        return arrivalNoticeToInviter(f, inv, await port.user(inv.arrivedUserId!));
      case 'progress':
        return bulkProgressNotice(f, inv, notice.done, deps.clock.now(), port.invitationsPerHour);
      case 'revoked':
        return revokedNoticeToInviter(f, inv, notice.by?.id ? f.mention(notice.by) : undefined);
      case RENEWAL_REQUEST:
        return renewalRequestNotice(f, inv);
      case 'link':
        if (port.backendNotice) return port.backendNotice(inv, notice, f);
        // Only the link's hash is kept: showing it again means issuing a new one (the old one stops working).
        if (!deps.links || inv.state !== 'sent') return undefined;
        return linkNoticeToInviter(f, inv, (await sendAcceptanceLink(deps, deps.links, inv, 'link'))!);
      case 'expired':
        return expiredNoticeToInviter(f, inv);
      case 'declined':
        return declinedNoticeToInviter(f, inv, notice.how);
      default:
        return port.backendNotice?.(inv, notice, f);
    }
  }

  /** The invitee's one reminder, by the way the invitation went out. */
  const reminder: JobHandler = {
    async run(job) {
      const inv = await load(job);
      await remindInvitee(deps, deps.links, inv, {
        platformInvitation: async (i) => (await port.resend(i, i.delivery))?.notice,
        dmInviter: (i, text) => dm(i.inviter.id, text),
        writer: toInviter,
      });
    },
  };

  const digest: JobHandler = {
    async run(job) {
      const { workspaceId, invitationIds } = payloadOf(job, JOB.approvalDigest);
      const invitations = await Promise.all(invitationIds.map((id) => store.getInvitation(id)));
      const waiting = invitations.filter((i): i is Invitation => i?.state === 'pending_approval');
      if (!waiting.length) return;
      if (port.approvalChannel) await port.post(port.approvalChannel, { text: approvalDigest(org, waiting) });
      else {
        for (const id of await port.approvers(workspaceId)) {
          await dm(id, approvalDigest(writerFor(await readers.locale(id)), waiting));
        }
      }
    },
  };

  const toSponsor = sponsorWriter(deps, port);

  const remindSponsor: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const { which } = payloadOf(job, JOB.remindSponsor);
      if (inv.state !== 'arrived' || !inv.accessEndsAt) return;
      const sponsor = sponsorOf(inv);
      await port.post(await port.directChannel(sponsor.id), sponsorReminder(await toSponsor(inv), inv, which));
    },
  };

  const endAccess: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state !== 'ended' || !inv.arrivedUserId) return;
      if ((await port.endGuestAccess(inv, inv.arrivedUserId)) === 'done') return;
      for (const id of await port.approvers(inv.workspaceId)) {
        await dm(id, endAccessByHand(writerFor((await port.user(id)).locale), inv));
      }
    },
  };

  const accessEnded: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state === 'ended') await dm(sponsorOf(inv).id, accessEndedNotice(await toSponsor(inv), inv));
    },
  };

  const setAccessEnd: JobHandler = {
    async run(job) {
      const inv = await load(job);
      if (inv.state === 'arrived' && inv.arrivedUserId) await port.setAccessEnd?.(inv, inv.arrivedUserId);
    },
  };

  const askAdoption: JobHandler = {
    async run(job) {
      const inv = await load(job);
      const { sponsor } = payloadOf(job, JOB.askAdoption);
      // Adopted meanwhile, or gone: nobody needs asking.
      if (inv.state !== 'arrived' || sponsorOf(inv).id !== sponsor.id) return;
      const admins = (await port.approvers(inv.workspaceId)).filter((id) => id !== sponsor.id);
      if (!admins.length) throw new RetryLaterError('no administrator to ask yet');
      for (const id of admins) {
        const f = writerFor((await port.user(id)).locale);
        await port.post(await port.directChannel(id), adoptionRequest(f, inv, sponsor));
      }
    },
  };

  const kind = (what: Parameters<typeof jobKind>[1]) => jobKind(port.platform, what);
  return {
    [kind(JOB.requestApproval)]: requestApproval,
    [kind(JOB.updateApproval)]: updateApproval,
    [kind(JOB.deliver)]: deliver,
    [kind(JOB.resend)]: resend,
    [kind(JOB.announce)]: announce,
    [kind(JOB.applyRole)]: applyRole,
    [kind(JOB.welcome)]: welcome,
    [kind(JOB.notifyInviter)]: notify,
    [kind(JOB.withdraw)]: withdraw,
    [kind(JOB.remindInvitee)]: reminder,
    [kind(JOB.approvalDigest)]: digest,
    [kind(JOB.remindSponsor)]: remindSponsor,
    [kind(JOB.endAccess)]: endAccess,
    [kind(JOB.accessEnded)]: accessEnded,
    [kind(JOB.setAccessEnd)]: setAccessEnd,
    [kind(JOB.askAdoption)]: askAdoption,
  };
}
