/** The embedded default store: one JSON file under DATA_DIR, held in memory and rewritten atomically
 * (temp file + rename) by lowdb, plus an append-only audit log beside it (JSON lines), so the file rewritten on
 * every change holds only what changes. Writes are coalesced: every change made before a write starts is carried
 * by that write, and each method resolves only once the write holding its change is done. One process per file. */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { z } from 'zod';
import { AuditEntry, Invitation } from '../core/model.js';
import { isOpen } from '../core/stateMachine.js';
import { withinRateLimit } from '../core/policy.js';
import {
  Draft, OutboxJob, type CreateChecks, type CreateOutcome, type InvitationQuery, type NewJob, type Store, type Transition,
} from './store.js';

const Data = z.object({
  version: z.literal(2),
  invitations: z.array(Invitation),
  outbox: z.array(OutboxJob),
  drafts: z.array(Draft),
  rate: z.record(z.string(), z.array(z.number())),
});
type Data = z.infer<typeof Data>;

/** Version 1 kept the audit trail inside the data file. */
const DataV1 = Data.extend({ version: z.literal(1), audit: z.array(AuditEntry) });

const EMPTY: Data = { version: 2, invitations: [], outbox: [], drafts: [], rate: {} };
const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;

export class LowdbStore implements Store {
  private queued: Promise<void> | undefined;
  private current: Promise<void> = Promise.resolve();
  private jobSeq = 0;
  private readonly dedupeKeys = new Set<string>();
  /** The audit entries of the invitations in the data file; `unwritten` are those not yet in the log. */
  private audit: AuditEntry[] = [];
  private unwritten: AuditEntry[] = [];

  private constructor(private readonly db: Low<Data>, readonly file: string) {}

  get auditFile(): string {
    return this.file.replace(/\.json$/, '') + '-audit.jsonl';
  }

  /** Finished invitations (and their audit entries) older than `archiveAfterDays` move to an append-only archive
   * beside the hot file, so the file rewritten on every change stays small. */
  static async open(dataDir: string, fileName = 'guestlist.json', archiveAfterDays = 30): Promise<LowdbStore> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, fileName);
    // Not JSONFilePreset: it silently keeps everything in memory under NODE_ENV=test. Compact JSON, not
    // JSONFile's pretty-printing: the whole file is rewritten on every change, so its size is the cost.
    const db = new Low<Data>(new DataFile<Data>(file, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) }), structuredClone(EMPTY));
    await db.read();
    const legacy = DataV1.safeParse(db.data);
    const parsed = legacy.success ? { success: true as const, data: { ...legacy.data, version: 2 as const } } : Data.safeParse(db.data);
    if (!parsed.success) {
      throw new Error(`The data file ${file} is not valid Guestlist data (${parsed.error.issues[0]?.message}); fix or move it away. It was left untouched.`);
    }
    const { audit: _legacyAudit, ...data } = parsed.data as Data & { audit?: unknown };
    db.data = data;
    // One process per file: leases found at start belong to a process that died, so its jobs are due now.
    for (const job of db.data.outbox) delete job.leaseUntil;
    const store = new LowdbStore(db, file);
    for (const job of db.data.outbox) store.dedupeKeys.add(job.dedupeKey);
    await store.loadAudit();
    if (legacy.success) {
      store.unwritten = legacy.data.audit;
      store.audit.push(...legacy.data.audit);
      await store.persist();
    }
    await store.archiveFinished(new Date(Date.now() - archiveAfterDays * 86400_000));
    return store;
  }

  /** Reads the audit log, keeping the entries of invitations still in the data file. A line cut short by a crash
   * during an append is skipped. */
  private async loadAudit(): Promise<void> {
    const text = await readFile(this.auditFile, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
    // Ends the torn line, so the next append starts on a line of its own.
    if (text && !text.endsWith('\n')) await appendFile(this.auditFile, '\n');
    const live = new Set(this.data.invitations.map((i) => i.id));
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = AuditEntry.parse(JSON.parse(line));
        if (live.has(entry.invitationId)) this.audit.push(entry);
      } catch {
        // a torn last line
      }
    }
  }

  private record(entries: AuditEntry[]): void {
    this.audit.push(...entries);
    this.unwritten.push(...entries);
  }

  private get data(): Data {
    return this.db.data;
  }

  /** Resolves once a write that started after this call has finished. */
  private persist(): Promise<void> {
    this.queued ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        this.current = this.write();
        return this.current;
      });
    return this.queued;
  }

  /** Adds the jobs whose dedupe key is new; returns how many that was. */
  /** The audit entries first: a crash between the two leaves an entry for a change that was not kept (the change
   * can then be made again), never a kept change without its entry. */
  private async write(): Promise<void> {
    const entries = this.unwritten;
    this.unwritten = [];
    try {
      if (entries.length) await appendFile(this.auditFile, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    } catch (err) {
      this.unwritten = [...entries, ...this.unwritten];
      throw err;
    }
    await this.db.write();
  }

  private addJobs(jobs: NewJob[], now = new Date()): number {
    let added = 0;
    for (const job of jobs) {
      if (this.dedupeKeys.has(job.dedupeKey)) continue;
      this.dedupeKeys.add(job.dedupeKey);
      added++;
      this.data.outbox.push({
        id: `${now.getTime().toString(36)}-${(this.jobSeq++).toString(36)}`,
        kind: job.kind,
        payload: job.payload,
        invitationId: job.invitationId,
        dedupeKey: job.dedupeKey,
        attempts: 0,
        runAt: job.runAt ?? now.toISOString(),
        state: 'pending',
        createdAt: now.toISOString(),
      });
    }
    return added;
  }

  async createInvitations(
    invitations: Invitation[], audit: AuditEntry[], jobs: NewJob[], checks?: CreateChecks,
  ): Promise<CreateOutcome> {
    // Checked and pushed in one synchronous step: no other call runs in between.
    const refused = checks && this.refusal(invitations, checks);
    if (refused) return refused;
    this.data.invitations.push(...structuredClone(invitations));
    this.record(audit);
    this.addJobs(jobs);
    await this.persist();
    return { ok: true };
  }

  private refusal(invitations: Invitation[], { openStates, rateLimit }: CreateChecks): CreateOutcome | undefined {
    const key = (i: Invitation) => JSON.stringify([i.platform, i.workspaceId, i.email]);
    const open = new Set(this.data.invitations.filter((i) => openStates.includes(i.state)).map(key));
    const emails = [...new Set(invitations.filter((i) => open.has(key(i))).map((i) => i.email))];
    if (emails.length) return { ok: false, refused: 'duplicates', emails };
    const recent = this.createdSince(rateLimit.inviterId, rateLimit.since);
    if (!withinRateLimit(recent, invitations.length, rateLimit.limit).ok) return { ok: false, refused: 'rateLimit', recent };
    return undefined;
  }

  async getInvitation(id: string): Promise<Invitation | undefined> {
    const found = this.data.invitations.find((i) => i.id === id);
    return found && structuredClone(found);
  }

  async listInvitations(q: InvitationQuery): Promise<Invitation[]> {
    const matches = this.data.invitations.filter(
      (i) =>
        (!q.platform || i.platform === q.platform) &&
        (!q.workspaceId || i.workspaceId === q.workspaceId) &&
        (!q.inviterId || i.inviter.id === q.inviterId) &&
        (!q.email || i.email === q.email) &&
        (!q.batchId || i.batch?.id === q.batchId) &&
        (!q.linkTokenHash || i.linkTokenHash === q.linkTokenHash) &&
        (!q.states || q.states.includes(i.state)),
    );
    matches.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    const offset = q.offset ?? 0;
    return structuredClone(matches.slice(offset, q.limit === undefined ? undefined : offset + q.limit));
  }

  async countCreatedSince(inviterId: string, since: Date): Promise<number> {
    return this.createdSince(inviterId, since);
  }

  private createdSince(inviterId: string, since: Date): number {
    const iso = since.toISOString();
    return this.data.invitations.filter((i) => i.inviter.id === inviterId && i.createdAt >= iso).length;
  }

  async transition(id: string, change: Transition): Promise<Invitation | undefined> {
    const inv = this.data.invitations.find((i) => i.id === id);
    if (!inv || !change.from.includes(inv.state)) return undefined;
    Object.assign(inv, structuredClone(change.patch ?? {}), { state: change.to, updatedAt: change.audit.at });
    this.record([change.audit]);
    this.addJobs(change.jobs ?? []);
    await this.persist();
    return structuredClone(inv);
  }

  async patchInvitation(id: string, patch: Transition['patch'], audit?: AuditEntry): Promise<Invitation | undefined> {
    const inv = this.data.invitations.find((i) => i.id === id);
    if (!inv) return undefined;
    Object.assign(inv, structuredClone(patch ?? {}));
    if (audit) this.record([audit]);
    await this.persist();
    return structuredClone(inv);
  }

  async auditTrail(invitationId: string): Promise<AuditEntry[]> {
    return structuredClone(this.audit.filter((a) => a.invitationId === invitationId));
  }

  async enqueue(jobs: NewJob[]): Promise<void> {
    if (this.addJobs(jobs)) await this.persist();
  }

  async claimJobs(now: Date, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    const iso = now.toISOString();
    const due = this.data.outbox
      .filter((j) => j.state === 'pending' && j.runAt <= iso && (!j.leaseUntil || j.leaseUntil <= iso))
      .sort((a, b) => (a.runAt < b.runAt ? -1 : 1))
      .slice(0, limit);
    if (!due.length) return [];
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    // Leases only matter inside this process (open() drops them), so taking one costs no write.
    for (const job of due) job.leaseUntil = leaseUntil;
    return structuredClone(due);
  }

  private job(id: string): OutboxJob {
    const job = this.data.outbox.find((j) => j.id === id);
    if (!job) throw new Error(`unknown outbox job ${id}`);
    return job;
  }

  async completeJob(id: string): Promise<void> {
    const job = this.job(id);
    Object.assign(job, { state: 'done', leaseUntil: undefined, attempts: job.attempts + 1 });
    const cutoff = new Date(Date.now() - DONE_JOB_RETENTION_MS).toISOString();
    this.data.outbox = this.data.outbox.filter((j) => {
      const keep = j.state !== 'done' || j.runAt >= cutoff;
      if (!keep) this.dedupeKeys.delete(j.dedupeKey);
      return keep;
    });
    await this.persist();
  }

  async retryJob(id: string, runAt: Date, error: string, countAttempt = true): Promise<void> {
    const job = this.job(id);
    Object.assign(job, { runAt: runAt.toISOString(), leaseUntil: undefined, attempts: job.attempts + (countAttempt ? 1 : 0), lastError: error });
    await this.persist();
  }

  async buryJob(id: string, error: string): Promise<void> {
    const job = this.job(id);
    Object.assign(job, { state: 'dead', leaseUntil: undefined, attempts: job.attempts + 1, lastError: error });
    await this.persist();
  }

  async jobs(filter: { invitationId?: string; state?: OutboxJob['state'] } = {}): Promise<OutboxJob[]> {
    return structuredClone(
      this.data.outbox.filter((j) => (!filter.invitationId || j.invitationId === filter.invitationId) && (!filter.state || j.state === filter.state)),
    );
  }

  async putDraft(draft: Draft): Promise<void> {
    const now = new Date().toISOString();
    this.data.drafts = this.data.drafts.filter((d) => d.id !== draft.id && d.expiresAt > now);
    this.data.drafts.push(structuredClone(draft));
    // Not awaited: a draft is no acknowledgement, and the command must not wait for a file write before its
    // dialog opens. The draft reaches the file with this write (or an earlier-queued one); a crash before that
    // costs the user a "form expired, run the command again".
    void this.persist().catch(() => undefined);
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    const draft = this.data.drafts.find((d) => d.id === id);
    return draft && structuredClone(draft);
  }

  async deleteDraft(id: string): Promise<void> {
    this.data.drafts = this.data.drafts.filter((d) => d.id !== id);
    await this.persist();
  }

  async takeRateToken(key: string, limit: number, windowMs: number, now: Date): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
    const t = now.getTime();
    const recent = (this.data.rate[key] ?? []).filter((at) => at > t - windowMs);
    if (recent.length >= limit) {
      this.data.rate[key] = recent;
      return { ok: false, retryAt: new Date(recent[0]! + windowMs) };
    }
    recent.push(t);
    this.data.rate[key] = recent;
    await this.persist();
    return { ok: true };
  }

  private readonly running = new Set<string>();

  /** One process per file: an in-process guard is enough. */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.running.has(name)) return undefined;
    this.running.add(name);
    try {
      return await work();
    } finally {
      this.running.delete(name);
    }
  }

  get archiveFile(): string {
    return this.file.replace(/\.json$/, '') + '-archive.jsonl';
  }

  /** Moves finished invitations last changed before `cutoff` to the archive (one JSON line each, with its audit
   * trail). The archive is appended first: a crash in between leaves a duplicate line there, never a loss. */
  async archiveFinished(cutoff: Date): Promise<number> {
    const iso = cutoff.toISOString();
    const old = new Set(this.data.invitations.filter((i) => !isOpen(i.state) && i.updatedAt < iso).map((i) => i.id));
    if (!old.size) return 0;
    const trails = new Map<string, AuditEntry[]>();
    for (const entry of this.audit) {
      if (!old.has(entry.invitationId)) continue;
      const trail = trails.get(entry.invitationId) ?? [];
      trail.push(entry);
      trails.set(entry.invitationId, trail);
    }
    const lines = this.data.invitations
      .filter((i) => old.has(i.id))
      .map((invitation) => JSON.stringify({ invitation, audit: trails.get(invitation.id) ?? [] }));
    await appendFile(this.archiveFile, lines.join('\n') + '\n');
    this.data.invitations = this.data.invitations.filter((i) => !old.has(i.id));
    this.audit = this.audit.filter((a) => !old.has(a.invitationId));
    this.data.outbox = this.data.outbox.filter((j) => {
      const keep = !j.invitationId || !old.has(j.invitationId) || j.state === 'pending';
      if (!keep) this.dedupeKeys.delete(j.dedupeKey);
      return keep;
    });
    await this.persist();
    return old.size;
  }

  async close(): Promise<void> {
    await this.persist();
  }
}
