/** The embedded default store: one JSON file under DATA_DIR, held in memory and rewritten atomically
 * (temp file + rename) by lowdb, plus an append-only audit log beside it (JSON lines), so the file rewritten on
 * every change holds only what changes. Writes are coalesced: every change made before a write starts is carried
 * by that write, and each method resolves only once the write holding its change is done. A write that fails
 * undoes in memory every change it carried (and those made while it ran): what was refused is never served,
 * written or delivered later. One process per file (the app holds the data directory's lock). */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TextFile } from 'lowdb/node';
import { z } from 'zod';
import { AuditEntry, Invitation } from '../core/model.js';
import { isOpen } from '../core/stateMachine.js';
import { admit, MAX_DRAFTS_PER_USER } from './records.js';
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
  /** The audit entries of the last write, kept here until they are in the log (see write()). */
  auditTail: z.array(AuditEntry).optional(),
});
type Data = Omit<z.infer<typeof Data>, 'auditTail'>;

/** Version 1 kept the audit trail inside the data file. */
const DataV1 = Data.extend({ version: z.literal(1), audit: z.array(AuditEntry) });

const EMPTY: Data = { version: 2, invitations: [], outbox: [], drafts: [], rate: {} };
const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;

/** Reads the data file: missing is empty; anything but a JSON object is refused, naming the file. */
async function readData(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err));
  if (text === undefined) return structuredClone(EMPTY);
  const untouched = 'fix or move it away; it was left untouched.';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`The data file ${file} is not valid JSON (${(err as Error).message}); ${untouched}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const what = Array.isArray(json) ? 'an array' : String(json);
    throw new Error(`The data file ${file} holds ${what}, not Guestlist data; ${untouched}`);
  }
  return json;
}

interface Batch {
  done: Promise<void>;
  settle(err?: unknown): void;
}

export class LowdbStore implements Store {
  /** The changes waiting for the next write, and the chain of writes (which never rejects). */
  private batch: Batch | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** What the last successful write put in the file: what a failed write rolls back to. */
  private committed: string;
  private writeError: unknown;
  private jobSeq = 0;
  private dedupeKeys = new Set<string>();
  /** Jobs not yet on disk (queued, or in the write under way): never claimed, so never run before they are kept. */
  private fresh = new Set<string>();
  private inWrite = new Set<string>();
  /** The lease of every claimed job, so a rolled-back completion does not make a job that ran due at once. */
  private readonly leases = new Map<string, string>();
  /** The audit entries of the invitations in the data file; `unwritten` are those not yet written anywhere,
   * `owed` those written in the data file's tail but not yet in the log. */
  private audit: AuditEntry[] = [];
  private unwritten: AuditEntry[] = [];
  private owed: AuditEntry[] = [];
  private logTorn = false;

  private constructor(private data: Data, private readonly adapter: TextFile, readonly file: string) {
    this.committed = JSON.stringify(data);
  }

  get auditFile(): string {
    return this.file.replace(/\.json$/, '') + '-audit.jsonl';
  }

  /** Finished invitations (and their audit entries) older than `archiveAfterDays` move to an append-only archive
   * beside the hot file, so the file rewritten on every change stays small. */
  static async open(dataDir: string, fileName = 'guestlist.json', archiveAfterDays = 30): Promise<LowdbStore> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, fileName);
    // lowdb's writer (temp file + rename) without its JSON adapters: the store serializes itself, so a value
    // that cannot be serialized fails only the write that carries it. Compact JSON: the whole file is rewritten
    // on every change, so its size is the cost.
    const raw = await readData(file);
    const legacy = DataV1.safeParse(raw);
    const parsed = legacy.success ? { success: true as const, data: { ...legacy.data, version: 2 as const } } : Data.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`The data file ${file} is not valid Guestlist data (${parsed.error.issues[0]?.message}); fix or move it away. It was left untouched.`);
    }
    type Read = Data & { audit?: unknown; auditTail?: AuditEntry[] };
    const { audit: _legacyAudit, auditTail = [], ...data } = parsed.data as Read;
    // One process per file: leases found at start belong to a process that died, so its jobs are due now.
    for (const job of data.outbox) delete job.leaseUntil;
    const store = new LowdbStore(data, new TextFile(file), file);
    for (const job of data.outbox) store.dedupeKeys.add(job.dedupeKey);
    await store.loadAudit(auditTail);
    if (legacy.success) {
      store.unwritten = legacy.data.audit;
      store.audit.push(...legacy.data.audit);
      await store.persist();
    }
    await store.archiveFinished(new Date(Date.now() - archiveAfterDays * 86400_000));
    return store;
  }

  /** Reads the audit log, keeping the entries of invitations still in the data file. A line cut short by a crash
   * during an append is skipped; the entries of the data file's tail that did not reach the log (a crash, or a
   * failed append, after the data file was written) are appended now. */
  private async loadAudit(tail: AuditEntry[]): Promise<void> {
    const text = await readFile(this.auditFile, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(AuditEntry.parse(JSON.parse(line)));
      } catch {
        // a torn last line
      }
    }
    const canonical = (e: AuditEntry) => JSON.stringify(AuditEntry.parse(e));
    const last = new Set(entries.slice(-tail.length).map(canonical));
    const missing = tail.length ? tail.filter((e) => !last.has(canonical(e))) : [];
    // Ends a torn line, so the next append starts on a line of its own.
    const lines = missing.map((e) => JSON.stringify(e) + '\n').join('');
    const torn = text && !text.endsWith('\n') ? '\n' : '';
    if (torn || lines) await appendFile(this.auditFile, torn + lines);
    const live = new Set(this.data.invitations.map((i) => i.id));
    this.audit = [...entries, ...missing].filter((e) => live.has(e.invitationId));
  }

  private record(entries: AuditEntry[]): void {
    this.audit.push(...entries);
    this.unwritten.push(...entries);
  }

  /** Resolves once a write that started after this call is done; rejects when it failed, and then every change
   * it carried, and every change made while it ran, has been undone. */
  private persist(): Promise<void> {
    if (this.batch) return this.batch.done;
    let settle!: Batch['settle'];
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    const batch: Batch = { done, settle };
    this.batch = batch;
    this.writing = this.writing.then(async () => {
      if (this.batch !== batch) return; // undone, and rejected, with the write before it
      this.batch = undefined;
      batch.settle(await this.write().then(() => undefined, (err: unknown) => err ?? new Error('write failed')));
    });
    return done;
  }

  /** The data file first, with this write's audit entries in its tail, then the log: a crash or a failed append
   * in between leaves the entries in the file, appended at the next start or write; a failed data write leaves
   * nothing in the log for the change it undoes. */
  private async write(): Promise<void> {
    const entries = this.unwritten;
    this.unwritten = [];
    this.inWrite = this.fresh;
    this.fresh = new Set();
    const tail = [...this.owed, ...entries];
    try {
      const text = JSON.stringify({ ...this.data, auditTail: tail });
      await this.adapter.write(text);
      this.committed = text;
      this.writeError = undefined;
    } catch (err) {
      this.writeError = err;
      this.rollback(entries, err);
      throw err;
    } finally {
      this.inWrite = new Set();
    }
    this.owed = tail;
    if (!tail.length) return;
    const lines = tail.map((e) => JSON.stringify(e) + '\n').join('');
    try {
      await appendFile(this.auditFile, (this.logTorn ? '\n' : '') + lines);
      this.owed = [];
      this.logTorn = false;
    } catch (err) {
      // The change is kept (its entries are in the data file); the next write appends them.
      this.logTorn = true;
      this.writeError = err;
    }
  }

  /** Back to what the last successful write kept, keeping the leases of jobs that are running. */
  private rollback(failed: AuditEntry[], err: unknown): void {
    const lost = new Set([...failed, ...this.unwritten]);
    const { auditTail: _tail, ...data } = JSON.parse(this.committed) as Data & { auditTail?: unknown };
    this.data = data;
    this.audit = this.audit.filter((e) => !lost.has(e));
    this.unwritten = [];
    this.fresh = new Set();
    this.dedupeKeys = new Set(data.outbox.map((j) => j.dedupeKey));
    for (const job of data.outbox) {
      const lease = this.leases.get(job.id);
      if (lease && job.state === 'pending') job.leaseUntil = lease;
    }
    this.batch?.settle(err);
    this.batch = undefined;
  }

  /** False while the file cannot be written. Tries a write each time, so that it notices when the disk is back. */
  async writable(): Promise<boolean> {
    if (this.writeError === undefined) return true;
    return this.persist().then(() => this.writeError === undefined, () => false);
  }

  /** The jobs whose dedupe key is new, as they will be stored; adds nothing yet. */
  private newJobs(jobs: NewJob[], now = new Date()): OutboxJob[] {
    const keys = new Set<string>();
    const fresh = jobs.filter((job) => {
      const isNew = !this.dedupeKeys.has(job.dedupeKey) && !keys.has(job.dedupeKey);
      keys.add(job.dedupeKey);
      return isNew;
    });
    return fresh.map((job) =>
      admit(OutboxJob, {
        id: `${now.getTime().toString(36)}-${(this.jobSeq++).toString(36)}`,
        kind: job.kind,
        payload: job.payload,
        invitationId: job.invitationId,
        dedupeKey: job.dedupeKey,
        attempts: 0,
        runAt: job.runAt ?? now.toISOString(),
        state: 'pending',
        createdAt: now.toISOString(),
      }, `outbox job ${job.kind}`),
    );
  }

  private addJobs(jobs: OutboxJob[]): void {
    for (const job of jobs) {
      this.dedupeKeys.add(job.dedupeKey);
      this.fresh.add(job.id);
      this.data.outbox.push(job);
    }
  }

  private admitAudit(entries: AuditEntry[]): AuditEntry[] {
    return entries.map((e) => admit(AuditEntry, e, 'audit entry'));
  }

  async createInvitations(
    invitations: Invitation[], audit: AuditEntry[], jobs: NewJob[], checks?: CreateChecks,
  ): Promise<CreateOutcome> {
    // Checked and pushed in one synchronous step: no other call runs in between.
    const admitted = invitations.map((i) => admit(Invitation, i, `invitation for ${i.id}`));
    const entries = this.admitAudit(audit);
    const newJobs = this.newJobs(jobs);
    const refused = checks && this.refusal(admitted, checks);
    if (refused) return refused;
    this.data.invitations.push(...admitted);
    this.record(entries);
    this.addJobs(newJobs);
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

  private createdSince(inviterId: string, since: Date): number {
    const iso = since.toISOString();
    return this.data.invitations.filter((i) => i.inviter.id === inviterId && i.createdAt >= iso).length;
  }

  /** Validates the whole changed invitation (and what comes with it) before anything changes. */
  private change(id: string, patch: Transition['patch'], audit: AuditEntry[], jobs: NewJob[], moved?: Transition) {
    const index = this.data.invitations.findIndex((i) => i.id === id);
    const inv = this.data.invitations[index];
    if (!inv || (moved && !moved.from.includes(inv.state))) return undefined;
    const changed = { ...inv, ...patch, ...(moved && { state: moved.to, updatedAt: moved.audit.at }) };
    const next = admit(Invitation, changed, `change of ${id}`);
    const entries = this.admitAudit(audit);
    const newJobs = this.newJobs(jobs);
    this.data.invitations[index] = next;
    this.record(entries);
    this.addJobs(newJobs);
    return next;
  }

  async transition(id: string, change: Transition): Promise<Invitation | undefined> {
    const next = this.change(id, change.patch, [change.audit], change.jobs ?? [], change);
    if (!next) return undefined;
    await this.persist();
    return structuredClone(next);
  }

  async patchInvitation(id: string, patch: Transition['patch'], audit?: AuditEntry): Promise<Invitation | undefined> {
    const next = this.change(id, patch, audit ? [audit] : [], []);
    if (!next) return undefined;
    await this.persist();
    return structuredClone(next);
  }

  async auditTrail(invitationId: string): Promise<AuditEntry[]> {
    return structuredClone(this.audit.filter((a) => a.invitationId === invitationId));
  }

  async enqueue(jobs: NewJob[]): Promise<void> {
    const newJobs = this.newJobs(jobs);
    if (!newJobs.length) return;
    this.addJobs(newJobs);
    await this.persist();
  }

  async claimJobs(now: Date, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    // Jobs not yet on disk are never claimed: wait for the write that carries them (or undoes them).
    if (this.fresh.size || this.inWrite.size) await (this.batch?.done ?? this.writing).catch(() => undefined);
    const iso = now.toISOString();
    const due = this.data.outbox
      .filter((j) => j.state === 'pending' && j.runAt <= iso && (!j.leaseUntil || j.leaseUntil <= iso))
      .filter((j) => !this.fresh.has(j.id) && !this.inWrite.has(j.id))
      .sort((a, b) => (a.runAt < b.runAt ? -1 : 1))
      .slice(0, limit);
    if (!due.length) return [];
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    // Leases only matter inside this process (open() drops them), so taking one costs no write.
    for (const job of due) {
      job.leaseUntil = leaseUntil;
      this.leases.set(job.id, leaseUntil);
    }
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
    this.leases.delete(id);
  }

  async retryJob(id: string, runAt: Date, error: string, countAttempt = true): Promise<void> {
    const job = this.job(id);
    Object.assign(job, { runAt: runAt.toISOString(), leaseUntil: undefined, attempts: job.attempts + (countAttempt ? 1 : 0), lastError: error });
    await this.persist();
    this.leases.delete(id);
  }

  async buryJob(id: string, error: string): Promise<void> {
    const job = this.job(id);
    Object.assign(job, { state: 'dead', leaseUntil: undefined, attempts: job.attempts + 1, lastError: error });
    await this.persist();
    this.leases.delete(id);
  }

  async jobs(filter: { invitationId?: string; state?: OutboxJob['state'] } = {}): Promise<OutboxJob[]> {
    return structuredClone(
      this.data.outbox.filter((j) => (!filter.invitationId || j.invitationId === filter.invitationId) && (!filter.state || j.state === filter.state)),
    );
  }

  /** Drops the expired drafts, and the person's oldest beyond MAX_DRAFTS_PER_USER. */
  async putDraft(draft: Draft): Promise<void> {
    const admitted = admit(Draft, draft, 'draft');
    const now = new Date().toISOString();
    const live = this.data.drafts.filter((d) => d.id !== admitted.id && d.expiresAt > now);
    const theirs = live.filter((d) => d.userId === admitted.userId && d.platform === admitted.platform);
    theirs.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    const dropped = new Set(theirs.slice(0, -(MAX_DRAFTS_PER_USER - 1)));
    this.data.drafts = live.filter((d) => !dropped.has(d));
    this.data.drafts.push(admitted);
    // Not awaited: a draft is no acknowledgement, and the command must not wait for a file write before its
    // dialog opens. The draft reaches the file with this write (or an earlier-queued one); a crash before that
    // costs the user a "form expired, run the command again".
    void this.persist().catch(() => undefined);
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    const draft = this.data.drafts.find((d) => d.id === id && d.expiresAt > new Date().toISOString());
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
