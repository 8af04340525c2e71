/** A newcomer answers the bot's welcome ("reply here to ask your sponsor"): each receiver turns a direct message to
 * the bot into a DirectMessageReceived, and this flow passes it on to the sponsor of the person's arrived invitation
 * (the inviter, or the admin who adopted the guest), through the outbox. Limits: a newcomer's forwards per hour,
 * one "passed on" per ten minutes; anyone else is told once that the bot forwards only newcomers' questions.
 * Messages from bots, this one included, are never answered: the bot cannot talk to itself. */
import { z } from 'zod';
import { forwardReply } from '../actions/forwardReply.js';
import { payloadOf } from '../actions/jobPayloads.js';
import { invitationOf, JOB, jobKind } from '../actions/jobs.js';
import { cutReply, forwardedReply, replyLimited, replyNotForwarded, replyPassedOn } from '../core/messages.js';
import { type Invitation, normalizeEmail, Platform, sponsorOf } from '../core/model.js';
import { writer } from '../core/writer.js';
import type { Logger } from '../logger.js';
import type { JobHandler } from '../outbox/outbox.js';
import type { ChatPort, ChatUser } from './chatPort.js';
import { type FlowDeps, sponsorWriter } from './jobHandlers.js';
import { Readers } from './readers.js';
import { RecentLookups } from './recentLookups.js';

const Id = z.string().min(1).max(128);

/** What a receiver hands the flow; parsed again here (known fields, limits) whatever the receiver checked. */
export const DirectMessageReceived = z.object({
  platform: Platform,
  /** Where the platform says it was written (a Mattermost direct channel belongs to no team). */
  workspaceId: z.string().max(64).optional(),
  senderId: Id,
  /** Written by a bot account (this bot included): ignored. */
  fromBot: z.boolean(),
  /** The direct-message channel between the sender and the bot. */
  channelId: Id,
  /** The platform's id of the message: a redelivered event carries the same one. */
  messageId: Id,
  /** Longer than any platform's post; cut to REPLY_LIMITS before anything is kept. */
  text: z.string().max(100_000),
});
export type DirectMessageReceived = z.infer<typeof DirectMessageReceived>;

export const REPLY_RATES = {
  /** Forwards per newcomer per hour: beyond, the sponsor is not flooded. */
  perHour: 20,
  /** One "passed on" per newcomer in this window, however many messages they send. */
  ackMs: 10 * 60_000,
  /** Someone who is no newcomer is told so once in this window. */
  refusalMs: 365 * 86400_000,
} as const;
const HOUR_MS = 3600_000;

export type ReplyOutcome = 'forwarded' | 'limited' | 'not-a-newcomer' | 'ignored';

export class ReplyFlow {
  /** Message ids seen lately in this process: a redelivery spends no rate token and writes no second audit entry
   * (the jobs' dedupe keys are what keep a forward once across restarts and replicas). */
  private readonly seen: RecentLookups<true>;
  private readonly readers: Readers;

  constructor(
    private readonly deps: FlowDeps & { log: Logger },
    private readonly port: ChatPort,
  ) {
    const now = () => deps.clock.now().getTime();
    this.seen = new RecentLookups(HOUR_MS, now);
    this.readers = Readers.of(deps.locales, port, now);
  }

  /** An event a receiver heard: never rejects (a failure is logged; the platform's message stays where it is). */
  async heard(raw: DirectMessageReceived): Promise<void> {
    try {
      await this.received(raw);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not pass a direct message on');
    }
  }

  async received(raw: DirectMessageReceived): Promise<ReplyOutcome> {
    const parsed = DirectMessageReceived.safeParse(raw);
    if (!parsed.success || parsed.data.fromBot || parsed.data.platform !== this.port.platform) return 'ignored';
    const e = parsed.data;
    const text = cutReply(e.text);
    const key = `${e.platform}:${e.messageId}`;
    if (!text || this.seen.peek(key)) return 'ignored';
    const outcome = await this.pass(e, text);
    void this.seen.get(key, async () => true);
    return outcome;
  }

  private async pass(e: DirectMessageReceived, text: string): Promise<ReplyOutcome> {
    const sender = await this.port.user(e.senderId);
    const inv = await this.invitationOf(sender, e.workspaceId);
    const { store, clock } = this.deps;
    const now = clock.now();
    const rate = (what: string, limit: number, ms: number) =>
      store.takeRateToken(`reply-${what}:${e.platform}:${e.senderId}`, limit, ms, now);
    const f = writer(this.port.format, this.deps.locales.for(sender.locale || inv?.language));
    if (!inv) {
      if ((await rate('refused', 1, REPLY_RATES.refusalMs)).ok) await this.answer(e, replyNotForwarded(f));
      return 'not-a-newcomer';
    }
    const allowed = await rate('forward', REPLY_RATES.perHour, HOUR_MS);
    const acknowledge = (await rate('ack', 1, REPLY_RATES.ackMs)).ok;
    if (!allowed.ok) {
      if (acknowledge) await this.answer(e, replyLimited(f, sponsorOf(inv), allowed.retryAt));
      return 'limited';
    }
    await forwardReply(this.deps, inv, { messageId: e.messageId, text, acknowledge });
    this.deps.outbox.kick();
    return 'forwarded';
  }

  /** The sender's arrived invitation (they may have several: the workspace's, else the newest); none when the bot
   * cannot see their address, since arrivals are matched by it. */
  private async invitationOf(sender: ChatUser, workspaceId?: string): Promise<Invitation | undefined> {
    if (!sender.email) return undefined;
    const arrived = (
      await this.deps.store.listInvitations({
        platform: this.port.platform,
        email: normalizeEmail(sender.email),
        states: ['arrived'],
      })
    ).filter((i) => i.arrivedUserId === sender.id);
    return arrived.find((i) => i.workspaceId === workspaceId) ?? arrived[0];
  }

  /** A short answer in the conversation itself; not worth a retry (the person may write again). */
  private async answer(e: DirectMessageReceived, text: string): Promise<void> {
    await this.port.post(e.channelId, { text }).catch((err: Error) => {
      this.deps.log.warn({ err: err.message }, 'could not answer a direct message');
    });
  }

  /** The two jobs: the sponsor's direct message, and the newcomer's "passed on". */
  jobHandlers(): Record<string, JobHandler> {
    const { deps, port, readers } = this;
    const toSponsor = sponsorWriter(deps, port);
    const dm = async (userId: string, text: string) => port.post(await port.directChannel(userId), { text });
    const forward: JobHandler = {
      async run(job) {
        const inv = await invitationOf(deps.store, job);
        // A guest whose access ended meanwhile writes to nobody any more.
        if (inv.state !== 'arrived' || !inv.arrivedUserId) return;
        const { text } = payloadOf(job, JOB.forwardReply);
        const sponsor = sponsorOf(inv);
        const facts = {
          newcomer: await port.user(inv.arrivedUserId),
          inviter: inv.inviter,
          sponsorInvited: sponsor.id === inv.inviter.id,
          invitedAt: inv.createdAt,
          text,
        };
        await dm(sponsor.id, forwardedReply(await toSponsor(inv), facts));
      },
    };
    const acknowledge: JobHandler = {
      async run(job) {
        const inv = await invitationOf(deps.store, job);
        const userId = inv.arrivedUserId;
        if (inv.state !== 'arrived' || !userId) return;
        const f = writer(port.format, deps.locales.for((await readers.locale(userId)) || inv.language));
        await dm(userId, replyPassedOn(f, sponsorOf(inv)));
      },
    };
    return {
      [jobKind(port.platform, JOB.forwardReply)]: forward,
      [jobKind(port.platform, JOB.ackReply)]: acknowledge,
    };
  }
}
