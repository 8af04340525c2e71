/** The one interface every store implements (lowdb by default, PostgreSQL for several replicas).
 * Each method is one atomic, durable change: when its promise resolves, the change is on disk. */
import { z } from 'zod';
import type { AuditEntry, Invitation, InvitationState, StoredAuditEntry } from '../core/model.js';
import type { RateLimit } from '../core/policy.js';
import { WhoValues } from '../core/wizard.js';

export const OutboxJob = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  invitationId: z.string().optional(),
  /** Unique per piece of work: enqueueing the same key twice keeps the first job. */
  dedupeKey: z.string(),
  attempts: z.number().int(),
  runAt: z.string(),
  state: z.enum(['pending', 'done', 'dead']),
  leaseUntil: z.string().optional(),
  lastError: z.string().optional(),
  createdAt: z.string(),
});
export type OutboxJob = z.infer<typeof OutboxJob>;
export type NewJob = Pick<OutboxJob, 'kind' | 'payload' | 'dedupeKey'> & { invitationId?: string; runAt?: string };

/** Server-side wizard state: the dialog only ever carries the draft id. */
export const Draft = z.object({
  id: z.string(),
  userId: z.string(),
  platform: z.string(),
  workspaceId: z.string(),
  channelId: z.string(),
  /** What the person typed in the first step, typed: nothing else a submission holds is kept. */
  values: WhoValues,
  /** What the bot itself knows of the command (never from a submission). */
  bot: z
    .object({ username: z.string().max(128), responseUrl: z.string().max(500).optional() })
    .default({ username: '' }),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type Draft = z.infer<typeof Draft>;

export interface InvitationQuery {
  platform?: string;
  workspaceId?: string;
  inviterId?: string;
  email?: string;
  states?: readonly InvitationState[];
  batchId?: string;
  /** The acceptance link's token hash (see lifecycle/inviteTokens.ts). */
  linkTokenHash?: string;
  /** Guests whose sponsor (else inviter) this is. */
  sponsorId?: string;
  /** Guests whose access ends before this moment (ISO); only invitations with an end match. */
  accessEndsBefore?: string;
  limit?: number;
  offset?: number;
}

export interface Transition {
  from: readonly InvitationState[];
  to: InvitationState;
  patch?: Partial<Omit<Invitation, 'id' | 'state'>>;
  audit: AuditEntry;
  jobs?: NewJob[];
}

/** What createInvitations checks in the same atomic step as its insert, so that concurrent calls (also from other
 * replicas) cannot both pass: the check holds for everything created before or after. */
export interface CreateChecks {
  /** An address that already has an invitation in one of these states on the same platform and workspace is a
   * duplicate. */
  openStates: readonly InvitationState[];
  /** The inviter's invitations created since `since`, these included, must stay within `limit`. */
  rateLimit: { inviterId: string; since: Date; limit: RateLimit };
}

/** When refused, nothing was written. */
export type CreateOutcome =
  | { ok: true }
  | { ok: false; refused: 'duplicates'; emails: string[] }
  | { ok: false; refused: 'rateLimit'; recent: number };

export interface Store {
  /** With `checks`, refuses (writing nothing) when they fail; they and the insert are one atomic step. */
  createInvitations(
    invitations: Invitation[],
    audit: AuditEntry[],
    jobs: NewJob[],
    checks?: CreateChecks,
  ): Promise<CreateOutcome>;
  getInvitation(id: string): Promise<Invitation | undefined>;
  /** Newest first. */
  listInvitations(query: InvitationQuery): Promise<Invitation[]>;
  /** Compare-and-set: applies the change only while the invitation is in one of `from`; returns the
   * updated invitation, or undefined when it was not (someone else got there first). */
  transition(id: string, change: Transition): Promise<Invitation | undefined>;
  /** A change that does not move the state (e.g. where the approval post is), with its audit entry and the jobs
   * it schedules, all written together or not at all (nothing when the invitation is unknown). */
  patchInvitation(
    id: string,
    patch: Transition['patch'],
    audit?: AuditEntry,
    jobs?: NewJob[],
  ): Promise<Invitation | undefined>;
  /** Oldest first; an action this version does not list is read as it was written (see StoredAuditEntry). */
  auditTrail(invitationId: string): Promise<StoredAuditEntry[]>;

  enqueue(jobs: NewJob[]): Promise<void>;
  /** Leases up to `limit` due jobs for `leaseMs`; a job whose lease ran out (its worker died) is due again. */
  claimJobs(now: Date, limit: number, leaseMs: number): Promise<OutboxJob[]>;
  /** Extends the leases of jobs still running here. A store shared by replicas has it, so that leases can be
   * short (a crashed replica's jobs are taken over soon) without a long job being taken over while it runs. */
  renewLeases?(ids: string[], leaseUntil: Date): Promise<void>;
  /** Calls `wake` whenever any replica queues a job, until the returned function is called. */
  watchJobs?(wake: () => void): () => void;
  completeJob(id: string): Promise<void>;
  /** `countAttempt` false: the job was only held back (paced), not failed. */
  retryJob(id: string, runAt: Date, error: string, countAttempt?: boolean): Promise<void>;
  buryJob(id: string, error: string): Promise<void>;
  jobs(filter?: { invitationId?: string; state?: OutboxJob['state'] }): Promise<OutboxJob[]>;

  putDraft(draft: Draft): Promise<void>;
  getDraft(id: string): Promise<Draft | undefined>;
  deleteDraft(id: string): Promise<void>;

  /** A shared budget (e.g. an API's 60 calls a minute): takes one call from `key` if fewer than `limit`
   * were taken in the last `windowMs`, else says when the next one frees up. */
  takeRateToken(
    key: string,
    limit: number,
    windowMs: number,
    now: Date,
  ): Promise<{ ok: true } | { ok: false; retryAt: Date }>;

  /** Runs `work` only if no other process (replica) runs work of the same name right now; returns undefined
   * when it was skipped. Scheduled jobs use it so each tick runs once across replicas. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined>;

  close(): Promise<void>;
}
