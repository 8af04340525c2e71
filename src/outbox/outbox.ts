/** The persisted outbox: every platform call made after a user was answered runs here, from a job that was
 * stored together with the change that caused it. Jobs are leased (a dead worker's jobs become due again),
 * retried with exponential backoff honouring Retry-After, and buried after `maxAttempts` with a hook that
 * lets the invitation show the failure. */

import type { Clock } from '../core/clock.js';
import { redactContacts } from '../core/redact.js';
import type { Logger } from '../logger.js';
import type { OutboxJob, Store } from '../store/store.js';
import { isPaced, isPermanent, RetryLaterError, retryAfterOf } from './errors.js';

/** A shared budget of platform calls (e.g. an API's 60 a minute), taken before each call: pacing, not a state
 * change. */
export type CallBudget = Pick<Store, 'takeRateToken'>;

/** Takes one call from `limit` a `windowMs` under `key`, or fails at once with a paced RetryLaterError: the outbox
 * runs the job again when a call frees up, without spending an attempt, and a job never sleeps past its lease. */
export async function takePaced(
  budget: CallBudget,
  now: Date,
  window: { key: string; limit: number; windowMs: number },
  what: string,
): Promise<void> {
  const answer = await budget.takeRateToken(window.key, window.limit, window.windowMs, now);
  if (!answer.ok)
    throw new RetryLaterError(`paced: ${what}`, Math.max(1, answer.retryAt.getTime() - now.getTime()), true);
}

export interface JobHandler {
  run(job: OutboxJob): Promise<void>;
  /** Called once when the job is given up. */
  onDead?(job: OutboxJob, error: string): Promise<void>;
}

export interface OutboxOptions {
  /** The fallback: a store that tells of queued jobs (PostgreSQL's NOTIFY) wakes the outbox at once. */
  pollMs?: number;
  /** How long a claimed job is this process's; a crashed replica's jobs wait this long to be taken over. Where the
   * store renews leases, a running job's lease is renewed every third of it; elsewhere the lease must be far
   * above the longest job (each platform call is bounded, at most 20 s), so no other worker runs it twice. */
  leaseMs?: number;
  /** Jobs run at once. */
  concurrency?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** With renewal: a crashed replica's jobs are taken over within this (plus a poll). */
const RENEWED_LEASE_MS = 30_000;
const UNRENEWED_LEASE_MS = 5 * 60_000;

export class Outbox {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly opts: Required<OutboxOptions>;
  /** Ends the store's wake-ups. */
  private unwatch: (() => void) | undefined;
  /** Wakes a pass that waits for a job to finish, so that it claims newly queued jobs at once. */
  private wakeUp: (() => void) | undefined;
  /** The jobs running here, whose leases are renewed together on one timer. */
  private readonly leased = new Set<string>();
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: OutboxOptions = {},
  ) {
    const leaseMs = store.renewLeases ? RENEWED_LEASE_MS : UNRENEWED_LEASE_MS;
    this.opts = {
      pollMs: 1000,
      leaseMs,
      concurrency: 32,
      maxAttempts: 12,
      baseDelayMs: 1000,
      maxDelayMs: 15 * 60_000,
      ...opts,
    };
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  start(): void {
    this.stopped = false;
    this.unwatch ??= this.store.watchJobs?.(() => this.kick());
    this.kick();
  }

  /** Stops polling and waits for the jobs in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs due jobs now (after a change enqueued some) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      this.wakeUp?.();
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .then(() => undefined)
      .catch((err) => this.log.error({ err: errorText(err) }, 'outbox pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.opts.pollMs);
        }
      });
  }

  /** Runs every job that is due until none is, with up to `concurrency` in flight: a slow job does not hold back
   * the others, and jobs are claimed as slots free up (a finished job may have enqueued follow-ups). Returns how
   * many ran. */
  async drain(): Promise<number> {
    const max = this.opts.concurrency;
    const inFlight = new Set<Promise<void>>();
    let ran = 0;
    for (;;) {
      if (inFlight.size < max) {
        this.again = false; // this claim sees every job queued before it
        const jobs = await this.store.claimJobs(this.clock.now(), max - inFlight.size, this.opts.leaseMs);
        for (const job of jobs) {
          this.lease(job.id);
          const running: Promise<void> = this.runJob(job).finally(() => {
            inFlight.delete(running);
            this.release(job.id);
          });
          inFlight.add(running);
        }
        ran += jobs.length;
        if (!jobs.length && !inFlight.size) return ran;
        if ((jobs.length || this.again) && inFlight.size < max) continue;
      }
      await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wakeUp = resolve))]);
      this.wakeUp = undefined;
    }
  }

  private lease(id: string): void {
    this.leased.add(id);
    if (this.renewTimer || !this.store.renewLeases) return;
    this.renewTimer = setInterval(() => this.renew(), Math.max(1, Math.floor(this.opts.leaseMs / 3)));
    this.renewTimer.unref();
  }

  private release(id: string): void {
    this.leased.delete(id);
    if (this.leased.size) return;
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** One renewal for every running job; a failed one is retried at the next tick, two before the lease ends. */
  private renew(): void {
    const until = new Date(this.clock.now().getTime() + this.opts.leaseMs);
    this.store
      .renewLeases?.([...this.leased], until)
      .catch((err) => this.log.warn({ err: errorText(err) }, 'could not renew job leases'));
  }

  private async runJob(job: OutboxJob): Promise<void> {
    const handler = this.handlers.get(job.kind);
    const log = this.log.child({
      job: job.id,
      kind: job.kind,
      invitation: job.invitationId,
      attempt: job.attempts + 1,
    });
    if (!handler) {
      log.error('no handler for this kind of job; it stays queued');
      await this.store.retryJob(job.id, new Date(this.clock.now().getTime() + this.opts.maxDelayMs), 'no handler');
      return;
    }
    try {
      await handler.run(job);
      await this.store.completeJob(job.id);
      log.debug('job done');
    } catch (err) {
      // Stored and shown to people: a server's echo of an address or number in its refusal stays out.
      const message = redactContacts(err instanceof Error ? err.message : String(err));
      if (isPaced(err)) {
        await this.store.retryJob(
          job.id,
          new Date(this.clock.now().getTime() + (retryAfterOf(err) ?? 0)),
          message,
          false,
        );
        return;
      }
      if (isPermanent(err) || job.attempts + 1 >= this.opts.maxAttempts) {
        log.error({ err: message }, 'job given up');
        await this.store.buryJob(job.id, message);
        await handler.onDead?.(job, message).catch((e) => log.error({ err: errorText(e) }, 'onDead hook failed'));
        return;
      }
      const delay = retryAfterOf(err) ?? this.backoff(job.attempts);
      log.warn({ err: message, retryInMs: delay }, 'job failed; will retry');
      await this.store.retryJob(job.id, new Date(this.clock.now().getTime() + delay), message);
    }
  }

  private backoff(attempts: number): number {
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempts);
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }
}

/** An unexpected failure for the log: its stack, without the addresses or numbers it may carry. */
function errorText(err: unknown): string {
  return redactContacts(err instanceof Error ? (err.stack ?? err.message) : String(err));
}
