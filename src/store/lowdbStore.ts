/** The embedded default store: everything held in memory, each change appended to a journal and folded into a
 * snapshot in the background (src/store/journal.ts has the files), plus an append-only audit log. A change costs
 * what changed: its records are appended, and the group commit that carries it is synced before it resolves.
 * Changes made while a commit is under way share the next one. A commit that fails undoes in memory every change it
 * carried (and those queued behind it): what was refused is never served, written or delivered later. The journal
 * is folded into the snapshot when it passes COMPACT_BYTES and at close. One process per data directory (the app
 * holds its lock). */
import { mkdir, open as openFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AuditEntry, Invitation, StoredAuditEntry } from '../core/model.js';
import { withinRateLimit } from '../core/policy.js';
import { isOpen } from '../core/stateMachine.js';
import { writeFileSynced } from '../durableFiles.js';
import { appendAfter, JournalFiles, type Op } from './journal.js';
import { admit, MAX_DRAFTS_PER_USER } from './records.js';
import {
  type CreateChecks,
  type CreateOutcome,
  Draft,
  type InvitationQuery,
  type NewJob,
  OutboxJob,
  type Store,
  type Transition,
} from './store.js';

/** The snapshot. `journal`: the first journal generation it does not hold; `auditBytes`: the length of the audit
 * log that goes with it. Both absent in files written before the journal (read as generation 0, whole log). */
const Data = z.object({
  version: z.literal(2),
  journal: z.number().int().nonnegative().optional(),
  auditBytes: z.number().int().nonnegative().optional(),
  invitations: z.array(Invitation),
  outbox: z.array(OutboxJob),
  drafts: z.array(Draft),
  rate: z.record(z.string(), z.array(z.number())),
  /** Files written before the journal: the audit entries of their last write, perhaps not yet in the log. */
  auditTail: z.array(StoredAuditEntry).optional(),
});

/** Version 1 kept the audit trail inside the data file. */
const DataV1 = Data.extend({ version: z.literal(1), audit: z.array(StoredAuditEntry) });

const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;
/** Past this many journal bytes a compaction starts in the background (by default). */
const COMPACT_BYTES = 16 * 2 ** 20;
/** Records serialized per snapshot chunk: the event loop is given back between chunks. */
const CHUNK = 500;

/** Reads the data file: missing is empty; anything but a JSON object is refused, naming the file. */
async function readData(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  if (text === undefined)
    return { version: 2, journal: 0, auditBytes: 0, invitations: [], outbox: [], drafts: [], rate: {} };
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

/** `i:`, `j:`, `d:`, `r:` and the record's id (rate: key). */
type RecordKey = string;

interface Batch {
  ops: string[];
  /** Each record this batch changes, as it was before the batch (undefined: absent): what undoing restores, and
   * what a snapshot taken while the batch is not yet on disk holds. */
  before: Map<RecordKey, unknown>;
  /** The audit entries it adds, as lines. */
  audit: { line: string; invitationId: string }[];
  /** Jobs it adds: not claimable before it is on disk. */
  jobs: string[];
  /** Undone with an earlier batch: nothing to write. */
  dead: boolean;
  done: Promise<void>;
  settle(err?: unknown): void;
}

/** The records as held in memory; every change replaces a record (never mutates it), so a compaction can write
 * a consistent copy while changes go on. */
class State {
  readonly invitations = new Map<string, Invitation>();
  readonly outbox = new Map<string, OutboxJob>();
  readonly drafts = new Map<string, Draft>();
  readonly rate = new Map<string, number[]>();
  /** Audit entries by invitation, as JSON lines: in the log, or (`pendingAudit`) only in the journal yet. */
  readonly audit = new Map<string, string[]>();
  pendingAudit: string[] = [];
  readonly pending = new Set<string>();
  readonly dedupeKeys = new Set<string>();
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly byInviter = new Map<string, Set<string>>();

  static address(i: Pick<Invitation, 'platform' | 'workspaceId' | 'email'>): string {
    return `${i.platform}\n${i.workspaceId}\n${i.email}`;
  }

  idsAt(address: string): ReadonlySet<string> {
    return this.byAddress.get(address) ?? new Set();
  }

  idsOf(inviterId: string): ReadonlySet<string> {
    return this.byInviter.get(inviterId) ?? new Set();
  }

  setInvitation(inv: Invitation): void {
    const before = this.invitations.get(inv.id);
    this.invitations.set(inv.id, inv);
    // Index sets keep creation order (listInvitations relies on it): an entry moves only when its key changes.
    if (before && State.address(before) === State.address(inv) && before.inviter.id === inv.inviter.id) return;
    if (before) this.unindex(before);
    index(this.byAddress, State.address(inv), inv.id);
    index(this.byInviter, inv.inviter.id, inv.id);
  }

  deleteInvitation(id: string): void {
    const before = this.invitations.get(id);
    if (!before) return;
    this.unindex(before);
    this.invitations.delete(id);
  }

  private unindex(inv: Invitation): void {
    this.byAddress.get(State.address(inv))?.delete(inv.id);
    this.byInviter.get(inv.inviter.id)?.delete(inv.id);
  }

  setJob(job: OutboxJob): void {
    this.outbox.set(job.id, job);
    this.dedupeKeys.add(job.dedupeKey);
    if (job.state === 'pending') this.pending.add(job.id);
    else this.pending.delete(job.id);
  }

  deleteJob(id: string): void {
    const job = this.outbox.get(id);
    if (!job) return;
    this.outbox.delete(id);
    this.pending.delete(id);
    this.dedupeKeys.delete(job.dedupeKey);
  }

  addAudit(line: string, invitationId: string): void {
    const trail = this.audit.get(invitationId);
    if (trail) trail.push(line);
    else this.audit.set(invitationId, [line]);
  }

  /** Replays one journal line (records were admitted before they were journaled; parsed again all the same). */
  apply(ops: Op[]): void {
    for (const op of ops) {
      if (op[0] === 'i') this.setInvitation(Invitation.parse(op[1]));
      else if (op[0] === 'I') this.deleteInvitation(op[1]);
      else if (op[0] === 'j') this.setJob(OutboxJob.parse(op[1]));
      else if (op[0] === 'J') this.deleteJob(op[1]);
      else if (op[0] === 'd') this.drafts.set(String(op[1].id), Draft.parse(op[1]));
      else if (op[0] === 'D') this.drafts.delete(op[1]);
      else if (op[0] === 'r') this.rate.set(op[1], op[2]);
      else if (op[0] === 'a') {
        const entry = StoredAuditEntry.parse(op[1]);
        const line = JSON.stringify(entry);
        this.pendingAudit.push(line);
        this.addAudit(line, entry.invitationId);
      }
    }
  }
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}

interface Snapshot {
  invitations: Invitation[];
  outbox: OutboxJob[];
  drafts: Draft[];
  rate: Record<string, number[]>;
}

/** The records and files as opened: the snapshot, then every later journal. */
interface Opened {
  state: State;
  gens: number[];
  nextGen: number;
  journalBytes: number;
  auditBytes: number;
  /** Written before the journal existed (or version 1): rewritten in the new layout at once. */
  legacy: boolean;
}

export class LowdbStore implements Store {
  private batch: Batch | undefined;
  /** The chain of commits and rotations (never rejects). */
  private writing: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private jobSeq = 0;
  /** Jobs whose batch is not on disk yet: never claimed, so never run before they are kept. */
  private readonly unsynced = new Set<string>();
  private compacting: Promise<void> | undefined;
  private closed = false;
  private readonly running = new Set<string>();

  private constructor(
    private readonly s: State,
    private readonly files: JournalFiles,
    readonly file: string,
    /** The journal this process appends to, and the older ones not yet folded into the snapshot. */
    private gen: number,
    private folded: number[],
    private journalBytes: number,
    private auditBytes: number,
    private readonly compactBytes: number,
  ) {}

  get auditFile(): string {
    return this.file.replace(/\.json$/, '') + '-audit.jsonl';
  }

  get archiveFile(): string {
    return this.file.replace(/\.json$/, '') + '-archive.jsonl';
  }

  /** What the files hold, without opening a store (nothing is written): for tests and tools that look at the
   * data of a stopped (or killed) bot. */
  static async peek(
    dataDir: string,
    fileName = 'guestlist.json',
  ): Promise<{ invitations: Invitation[]; outbox: OutboxJob[] }> {
    const { state } = await LowdbStore.read(dataDir, fileName);
    return { invitations: [...state.invitations.values()], outbox: [...state.outbox.values()] };
  }

  private static async read(dataDir: string, fileName: string): Promise<Opened> {
    const file = path.join(dataDir, fileName);
    const raw = await readData(file);
    const legacyV1 = DataV1.safeParse(raw);
    const parsed = legacyV1.success
      ? { success: true as const, data: { ...legacyV1.data, version: 2 as const } }
      : Data.safeParse(raw);
    if (!parsed.success) {
      throw new Error(
        `The data file ${file} is not valid Guestlist data (${parsed.error.issues[0]?.message}); ` +
          'fix or move it away. It was left untouched.',
      );
    }
    const data = parsed.data;
    const state = new State();
    for (const inv of data.invitations) state.setInvitation(inv);
    for (const job of data.outbox) state.setJob(job);
    for (const draft of data.drafts) state.drafts.set(draft.id, draft);
    for (const [key, times] of Object.entries(data.rate)) state.rate.set(key, times);
    const tail = data.auditTail ?? [];
    const log = await readAuditLog(file.replace(/\.json$/, '') + '-audit.jsonl', data.auditBytes, state, tail.length);
    // Files written before the journal: their last write's audit entries may not have reached the log.
    const logged = new Set(log.last);
    for (const entry of tail) if (!logged.has(JSON.stringify(entry))) state.apply([['a', entry]]);
    const auditBytes = log.bytes;
    if (legacyV1.success) for (const e of legacyV1.data.audit) state.apply([['a', e]]);

    const files = new JournalFiles(dataDir, fileName.replace(/\.json$/, ''));
    const first = data.journal ?? 0;
    const gens = (await files.generations()).filter((g) => g >= first);
    let journalBytes = 0;
    for (const gen of gens) {
      const { ops, bytes } = await files.read(gen);
      for (const line of ops) state.apply(line);
      journalBytes += bytes;
    }
    const nextGen = Math.max(first, ...gens.map((g) => g + 1));
    return { state, gens, nextGen, journalBytes, auditBytes, legacy: data.journal === undefined };
  }

  /** Finished invitations (and their audit entries) older than `archiveAfterDays` move to an append-only archive
   * beside the hot file, so memory and the snapshot hold what is live. */
  static async open(
    dataDir: string,
    fileName = 'guestlist.json',
    archiveAfterDays = 30,
    opts: { compactBytes?: number } = {},
  ): Promise<LowdbStore> {
    await mkdir(dataDir, { recursive: true });
    const opened = await LowdbStore.read(dataDir, fileName);
    const { state } = opened;
    // One process per directory: leases found at start belong to a process that died, so its jobs are due now.
    for (const job of state.outbox.values()) if (job.leaseUntil) state.setJob({ ...job, leaseUntil: undefined });
    const files = new JournalFiles(dataDir, fileName.replace(/\.json$/, ''));
    await files.create(opened.nextGen);
    const store = new LowdbStore(
      state,
      files,
      path.join(dataDir, fileName),
      opened.nextGen,
      opened.gens,
      opened.journalBytes,
      opened.auditBytes,
      opts.compactBytes ?? COMPACT_BYTES,
    );
    if (opened.legacy) await store.compact();
    await store.archiveFinished(new Date(Date.now() - archiveAfterDays * 86400_000));
    return store;
  }

  // --- group commit ---------------------------------------------------------------------------------------

  /** The batch that collects this tick's changes. */
  private current(): Batch {
    if (this.batch) return this.batch;
    let settle!: Batch['settle'];
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    const batch: Batch = { ops: [], before: new Map(), audit: [], jobs: [], dead: false, done, settle };
    this.batch = batch;
    this.writing = this.writing.then(() => this.commit(batch));
    return batch;
  }

  /** Resolves once the batch holding the changes made so far is on disk; rejects when it failed, and then every
   * change it carried, and every change queued behind it, has been undone. */
  private persist(): Promise<void> {
    return this.current().done;
  }

  private async commit(batch: Batch): Promise<void> {
    if (batch.dead) return;
    if (this.batch === batch) this.batch = undefined;
    const line = `[${batch.ops.join(',')}]\n`;
    try {
      if (this.closed && batch.ops.length) throw new Error('the store is closed');
      await this.files.append(this.gen, line);
      this.writeError = undefined;
    } catch (err) {
      this.writeError = err;
      // Newest first: the changes queued behind this one were made on top of it.
      const queued = this.batch;
      this.batch = undefined;
      for (const b of [queued, batch]) if (b) this.undo(b, err);
      return;
    }
    for (const id of batch.jobs) this.unsynced.delete(id);
    this.s.pendingAudit.push(...batch.audit.map((a) => a.line));
    this.journalBytes += Buffer.byteLength(line);
    batch.settle();
    if (this.journalBytes > this.compactBytes && !this.compacting && !this.closed) {
      void this.compact().catch(() => undefined); // retried past the next commit; the journal stays until then
    }
  }

  /** Back to what the batch found, and rejects it. */
  private undo(batch: Batch, err: unknown): void {
    for (const [key, record] of batch.before) this.restore(key, record);
    for (const { invitationId } of batch.audit.reverse()) this.s.audit.get(invitationId)?.pop();
    for (const id of batch.jobs) this.unsynced.delete(id);
    batch.dead = true;
    batch.settle(err);
  }

  private restore(key: RecordKey, record: unknown, s = this.s): void {
    const id = key.slice(2);
    if (key[0] === 'i') record ? s.setInvitation(record as Invitation) : s.deleteInvitation(id);
    else if (key[0] === 'j') record ? s.setJob(record as OutboxJob) : s.deleteJob(id);
    else if (key[0] === 'd') record ? s.drafts.set(id, record as Draft) : s.drafts.delete(id);
    else record ? s.rate.set(id, record as number[]) : s.rate.delete(id);
  }

  /** Records a change in the current batch: its journal op, and the record as it was before the batch. */
  private note(key: RecordKey, op: Op, before: unknown): Batch {
    const batch = this.current();
    batch.ops.push(JSON.stringify(op));
    if (!batch.before.has(key)) batch.before.set(key, before);
    return batch;
  }

  private putInvitation(inv: Invitation): void {
    this.note(`i:${inv.id}`, ['i', inv], this.s.invitations.get(inv.id));
    this.s.setInvitation(inv);
  }

  private putJob(job: OutboxJob): void {
    const before = this.s.outbox.get(job.id);
    const batch = this.note(`j:${job.id}`, ['j', job], before);
    this.s.setJob(job);
    if (!before) {
      batch.jobs.push(job.id);
      this.unsynced.add(job.id);
    }
  }

  private removeJob(id: string): void {
    const before = this.s.outbox.get(id);
    if (!before) return;
    this.note(`j:${id}`, ['J', id], before);
    this.s.deleteJob(id);
  }

  private putAudit(entries: AuditEntry[]): void {
    for (const entry of entries) {
      const line = JSON.stringify(entry);
      const batch = this.current();
      batch.ops.push(JSON.stringify(['a', entry]));
      batch.audit.push({ line, invitationId: entry.invitationId });
      this.s.addAudit(line, entry.invitationId);
    }
  }

  private putDraftRecord(draft: Draft): void {
    this.note(`d:${draft.id}`, ['d', draft], this.s.drafts.get(draft.id));
    this.s.drafts.set(draft.id, draft);
  }

  private removeDraft(id: string): void {
    const before = this.s.drafts.get(id);
    if (!before) return;
    this.note(`d:${id}`, ['D', id], before);
    this.s.drafts.delete(id);
  }

  // --- compaction -----------------------------------------------------------------------------------------

  /** Folds the journals into a new snapshot: starts a new journal (between two commits), then writes the audit
   * entries that were only journaled to the log and the snapshot of that moment, and removes the folded journals.
   * A crash at any point leaves the old snapshot and every journal, or the new snapshot: nothing is lost or
   * doubled (the snapshot names the log length that goes with it). */
  compact(): Promise<void> {
    this.compacting ??= this.fold().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  private async fold(): Promise<void> {
    let rotated!: { gen: number; folded: number[]; audit: string[]; bytes: number; records: Snapshot };
    // Between two commits: everything committed so far is in the journals folded; changes made since (the open
    // batch, written to the new journal) are left out of the snapshot by taking their records as they were.
    const rotate = this.writing.then(async () => {
      const gen = this.gen + 1;
      await this.files.create(gen);
      rotated = {
        gen,
        folded: [...this.folded, this.gen],
        audit: this.s.pendingAudit,
        bytes: this.journalBytes,
        records: this.committed(),
      };
      this.gen = gen;
      this.folded = rotated.folded;
      this.s.pendingAudit = [];
      this.journalBytes = 0;
    });
    this.writing = rotate.catch(() => undefined);
    await rotate;
    const cutoff = new Date(Date.now() - DONE_JOB_RETENTION_MS).toISOString();
    const { invitations, drafts, rate } = rotated.records;
    const outbox = rotated.records.outbox.filter((j) => j.state !== 'done' || j.runAt >= cutoff);
    try {
      const auditBytes = await appendAfter(
        this.auditFile,
        this.auditBytes,
        rotated.audit.map((l) => l + '\n').join(''),
      );
      await writeFileSynced(this.file, snapshotChunks(rotated.gen, auditBytes, invitations, outbox, drafts, rate));
      this.auditBytes = auditBytes;
    } catch (err) {
      // Still in the journals, which stay: the next compaction writes them.
      this.s.pendingAudit.unshift(...rotated.audit);
      this.journalBytes += rotated.bytes;
      throw err;
    }
    this.folded = this.folded.filter((g) => !rotated.folded.includes(g));
    await this.files.remove(rotated.folded);
    // Done jobs past their retention leave memory too (the snapshot no longer has them).
    for (const job of this.s.outbox.values()) if (job.state === 'done' && job.runAt < cutoff) this.s.deleteJob(job.id);
  }

  /** The records as committed (records are replaced, never changed, so later changes do not touch these). */
  private committed(): Snapshot {
    const invitations = new Map(this.s.invitations);
    const outbox = new Map(this.s.outbox);
    const drafts = new Map(this.s.drafts);
    const rate = new Map(this.s.rate);
    const maps = { i: invitations, j: outbox, d: drafts, r: rate } as Record<string, Map<string, unknown>>;
    for (const [key, record] of this.batch?.before ?? []) {
      if (record === undefined) maps[key[0]!]!.delete(key.slice(2));
      else maps[key[0]!]!.set(key.slice(2), record);
    }
    return {
      invitations: [...invitations.values()],
      outbox: [...outbox.values()],
      drafts: [...drafts.values()],
      rate: Object.fromEntries(rate),
    };
  }

  /** False while the journal cannot be written. Tries a commit each time, so that it notices when the disk is back. */
  async writable(): Promise<boolean> {
    if (this.writeError === undefined) return true;
    return this.persist().then(
      () => this.writeError === undefined,
      () => false,
    );
  }

  // --- invitations ----------------------------------------------------------------------------------------

  /** The jobs whose dedupe key is new, as they will be stored; adds nothing yet. */
  private newJobs(jobs: NewJob[], now = new Date()): OutboxJob[] {
    const keys = new Set<string>();
    const fresh = jobs.filter((job) => {
      const isNew = !this.s.dedupeKeys.has(job.dedupeKey) && !keys.has(job.dedupeKey);
      keys.add(job.dedupeKey);
      return isNew;
    });
    return fresh.map((job) =>
      admit(
        OutboxJob,
        {
          id: `${now.getTime().toString(36)}-${(this.jobSeq++).toString(36)}`,
          kind: job.kind,
          payload: job.payload,
          invitationId: job.invitationId,
          dedupeKey: job.dedupeKey,
          attempts: 0,
          runAt: job.runAt ?? now.toISOString(),
          state: 'pending',
          createdAt: now.toISOString(),
        },
        `outbox job ${job.kind}`,
      ),
    );
  }

  private admitAudit(entries: AuditEntry[]): AuditEntry[] {
    return entries.map((e) => admit(AuditEntry, e, 'audit entry'));
  }

  async createInvitations(
    invitations: Invitation[],
    audit: AuditEntry[],
    jobs: NewJob[],
    checks?: CreateChecks,
  ): Promise<CreateOutcome> {
    // Checked and recorded in one synchronous step: no other call runs in between.
    const admitted = invitations.map((i) => admit(Invitation, i, `invitation for ${i.id}`));
    const entries = this.admitAudit(audit);
    const newJobs = this.newJobs(jobs);
    const refused = checks && this.refusal(admitted, checks);
    if (refused) return refused;
    for (const inv of admitted) this.putInvitation(inv);
    this.putAudit(entries);
    for (const job of newJobs) this.putJob(job);
    await this.persist();
    return { ok: true };
  }

  private refusal(invitations: Invitation[], { openStates, rateLimit }: CreateChecks): CreateOutcome | undefined {
    const taken = (i: Invitation) =>
      [...this.s.idsAt(State.address(i))].some((id) => openStates.includes(this.s.invitations.get(id)!.state));
    const emails = [...new Set(invitations.filter(taken).map((i) => i.email))];
    if (emails.length) return { ok: false, refused: 'duplicates', emails };
    const recent = this.createdSince(rateLimit.inviterId, rateLimit.since);
    if (!withinRateLimit(recent, invitations.length, rateLimit.limit).ok)
      return { ok: false, refused: 'rateLimit', recent };
    return undefined;
  }

  private createdSince(inviterId: string, since: Date): number {
    const iso = since.toISOString();
    let n = 0;
    for (const id of this.s.idsOf(inviterId)) if (this.s.invitations.get(id)!.createdAt >= iso) n++;
    return n;
  }

  async getInvitation(id: string): Promise<Invitation | undefined> {
    const found = this.s.invitations.get(id);
    return found && structuredClone(found);
  }

  async listInvitations(q: InvitationQuery): Promise<Invitation[]> {
    const candidates =
      q.email && q.platform && q.workspaceId
        ? [
            ...this.s.idsAt(
              State.address({
                platform: q.platform as Invitation['platform'],
                workspaceId: q.workspaceId,
                email: q.email,
              }),
            ),
          ].map((id) => this.s.invitations.get(id)!)
        : q.inviterId
          ? [...this.s.idsOf(q.inviterId)].map((id) => this.s.invitations.get(id)!)
          : this.s.invitations.values();
    const matches: Invitation[] = [];
    for (const i of candidates) {
      if (
        (!q.platform || i.platform === q.platform) &&
        (!q.workspaceId || i.workspaceId === q.workspaceId) &&
        (!q.inviterId || i.inviter.id === q.inviterId) &&
        (!q.email || i.email === q.email) &&
        (!q.batchId || i.batch?.id === q.batchId) &&
        (!q.linkTokenHash || i.linkTokenHash === q.linkTokenHash) &&
        (!q.states || q.states.includes(i.state))
      )
        matches.push(i);
    }
    // Stable: same-moment invitations stay in creation order.
    const order = (i: Invitation) => i.createdAt;
    matches.sort((a, b) => (order(a) < order(b) ? 1 : order(a) > order(b) ? -1 : 0));
    const offset = q.offset ?? 0;
    return structuredClone(matches.slice(offset, q.limit === undefined ? undefined : offset + q.limit));
  }

  /** Validates the whole changed invitation (and what comes with it) before anything changes. */
  private change(id: string, patch: Transition['patch'], audit: AuditEntry[], jobs: NewJob[], moved?: Transition) {
    const inv = this.s.invitations.get(id);
    if (!inv || (moved && !moved.from.includes(inv.state))) return undefined;
    const changed = { ...inv, ...patch, ...(moved && { state: moved.to, updatedAt: moved.audit.at }) };
    const next = admit(Invitation, changed, `change of ${id}`);
    const entries = this.admitAudit(audit);
    const newJobs = this.newJobs(jobs);
    this.putInvitation(next);
    this.putAudit(entries);
    for (const job of newJobs) this.putJob(job);
    return next;
  }

  async transition(id: string, change: Transition): Promise<Invitation | undefined> {
    const next = this.change(id, change.patch, [change.audit], change.jobs ?? [], change);
    if (!next) return undefined;
    await this.persist();
    return structuredClone(next);
  }

  async patchInvitation(
    id: string,
    patch: Transition['patch'],
    audit?: AuditEntry,
    jobs: NewJob[] = [],
  ): Promise<Invitation | undefined> {
    const next = this.change(id, patch, audit ? [audit] : [], jobs);
    if (!next) return undefined;
    await this.persist();
    return structuredClone(next);
  }

  async auditTrail(invitationId: string): Promise<StoredAuditEntry[]> {
    return (this.s.audit.get(invitationId) ?? []).map((line) => StoredAuditEntry.parse(JSON.parse(line)));
  }

  // --- outbox ---------------------------------------------------------------------------------------------

  async enqueue(jobs: NewJob[]): Promise<void> {
    const newJobs = this.newJobs(jobs);
    if (!newJobs.length) return;
    for (const job of newJobs) this.putJob(job);
    await this.persist();
  }

  /** The lease is journaled (and synced) before the jobs are handed out: after a crash, the files show which jobs
   * were in flight. open() drops leases, as they belong to a process that is gone. */
  async claimJobs(now: Date, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    const iso = now.toISOString();
    // A job whose write is still on its way is claimed once that write is on disk, never before (it may fail and
    // be undone): wait for it rather than leave the job for a later poll.
    if ([...this.unsynced].some((id) => (this.s.outbox.get(id)?.runAt ?? iso) <= iso))
      await this.writing.catch(() => undefined);
    const due: OutboxJob[] = [];
    for (const id of this.s.pending) {
      const j = this.s.outbox.get(id)!;
      if (j.runAt <= iso && (!j.leaseUntil || j.leaseUntil <= iso) && !this.unsynced.has(id)) due.push(j);
    }
    due.sort((a, b) => (a.runAt < b.runAt ? -1 : 1));
    const claimed = due.slice(0, limit);
    if (!claimed.length) return [];
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const leased = claimed.map((job) => ({ ...job, leaseUntil }));
    for (const job of leased) this.putJob(job);
    await this.persist();
    return structuredClone(leased);
  }

  private job(id: string): OutboxJob {
    const job = this.s.outbox.get(id);
    if (!job) throw new Error(`unknown outbox job ${id}`);
    return job;
  }

  async completeJob(id: string): Promise<void> {
    const job = this.job(id);
    this.putJob({ ...job, state: 'done', leaseUntil: undefined, attempts: job.attempts + 1 });
    await this.persist();
  }

  async retryJob(id: string, runAt: Date, error: string, countAttempt = true): Promise<void> {
    const job = this.job(id);
    this.putJob({
      ...job,
      runAt: runAt.toISOString(),
      leaseUntil: undefined,
      attempts: job.attempts + (countAttempt ? 1 : 0),
      lastError: error,
    });
    await this.persist();
  }

  async buryJob(id: string, error: string): Promise<void> {
    const job = this.job(id);
    this.putJob({ ...job, state: 'dead', leaseUntil: undefined, attempts: job.attempts + 1, lastError: error });
    await this.persist();
  }

  async jobs(filter: { invitationId?: string; state?: OutboxJob['state'] } = {}): Promise<OutboxJob[]> {
    const found = [...this.s.outbox.values()].filter(
      (j) =>
        (!filter.invitationId || j.invitationId === filter.invitationId) && (!filter.state || j.state === filter.state),
    );
    return structuredClone(found);
  }

  // --- drafts, rate tokens, exclusive ---------------------------------------------------------------------

  /** Drops the expired drafts, and the person's oldest beyond MAX_DRAFTS_PER_USER. */
  async putDraft(draft: Draft): Promise<void> {
    const admitted = admit(Draft, draft, 'draft');
    const now = new Date().toISOString();
    const theirs: Draft[] = [];
    for (const d of [...this.s.drafts.values()]) {
      if (d.id === admitted.id) continue;
      if (d.expiresAt <= now) this.removeDraft(d.id);
      else if (d.userId === admitted.userId && d.platform === admitted.platform) theirs.push(d);
    }
    theirs.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const d of theirs.slice(0, -(MAX_DRAFTS_PER_USER - 1))) this.removeDraft(d.id);
    this.putDraftRecord(admitted);
    // Not awaited: a draft is no acknowledgement, and the command must not wait for a sync before its dialog
    // opens. The draft reaches the journal with this commit; a crash before that costs the user a "form expired,
    // run the command again".
    void this.persist().catch(() => undefined);
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    const draft = this.s.drafts.get(id);
    return draft && draft.expiresAt > new Date().toISOString() ? structuredClone(draft) : undefined;
  }

  async deleteDraft(id: string): Promise<void> {
    this.removeDraft(id);
    await this.persist();
  }

  async takeRateToken(
    key: string,
    limit: number,
    windowMs: number,
    now: Date,
  ): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
    const t = now.getTime();
    const before = this.s.rate.get(key);
    const recent = (before ?? []).filter((at) => at > t - windowMs);
    if (recent.length >= limit) return { ok: false, retryAt: new Date(recent[0]! + windowMs) };
    recent.push(t);
    this.note(`r:${key}`, ['r', key, recent], before);
    this.s.rate.set(key, recent);
    await this.persist();
    return { ok: true };
  }

  /** One process per directory: an in-process guard is enough. */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (this.running.has(name)) return undefined;
    this.running.add(name);
    try {
      return await work();
    } finally {
      this.running.delete(name);
    }
  }

  // --- archive, close -------------------------------------------------------------------------------------

  /** Moves finished invitations last changed before `cutoff` to the archive (one JSON line each, with its audit
   * trail). The archive is appended first: a crash in between leaves a duplicate line there, never a loss. */
  async archiveFinished(cutoff: Date): Promise<number> {
    const iso = cutoff.toISOString();
    const old = [...this.s.invitations.values()].filter((i) => !isOpen(i.state) && i.updatedAt < iso);
    if (!old.length) return 0;
    const lines = old.map((invitation) =>
      JSON.stringify({ invitation, audit: (this.s.audit.get(invitation.id) ?? []).map((l) => JSON.parse(l)) }),
    );
    const handle = await openFile(this.archiveFile, 'a');
    await handle
      .write(lines.join('\n') + '\n')
      .then(() => handle.sync())
      .finally(() => handle.close());
    const ids = new Set(old.map((i) => i.id));
    for (const inv of old) {
      this.note(`i:${inv.id}`, ['I', inv.id], inv);
      this.s.deleteInvitation(inv.id);
    }
    for (const job of [...this.s.outbox.values()]) {
      if (job.invitationId && ids.has(job.invitationId) && job.state !== 'pending') this.removeJob(job.id);
    }
    await this.persist();
    for (const id of ids) this.s.audit.delete(id); // kept until then, for an undo
    return old.length;
  }

  /** Waits for the commits under way and folds the journal into the snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.writing;
    await this.compacting?.catch(() => undefined);
    await this.compact();
    this.closed = true;
  }
}

const LOGGED = /^\{"at":"[^"\\]*","invitationId":"([^"\\]*)",.*\}$/;

/** Reads the audit log up to `length` (all of it, up to its last whole line, for files from before the journal),
 * keeping the lines of invitations in `state`; returns the length read and the last `keep` lines. */
async function readAuditLog(
  file: string,
  length: number | undefined,
  state: State,
  keep: number,
): Promise<{ bytes: number; last: string[] }> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? '' : Promise.reject(err),
  );
  const buf = Buffer.from(text);
  const end = length ?? buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, Math.min(end, buf.length)).toString('utf8').split('\n');
  const last: string[] = [];
  for (const line of lines) {
    if (!line) continue;
    // The store writes each entry as zod's output, `at` then `invitationId`: read the id alone, keep the line.
    const fast = LOGGED.exec(line);
    let canonical = line;
    let id = fast?.[1];
    if (!id) {
      try {
        const entry = StoredAuditEntry.parse(JSON.parse(line));
        [canonical, id] = [JSON.stringify(entry), entry.invitationId];
      } catch {
        continue; // a line torn by a crash before the journal existed
      }
    }
    if (state.invitations.has(id)) state.addAudit(canonical, id);
    if (keep) last.push(canonical);
    if (last.length > keep) last.shift();
  }
  return { bytes: Math.min(end, buf.length), last };
}

function* snapshotChunks(
  gen: number,
  auditBytes: number,
  invitations: Invitation[],
  outbox: OutboxJob[],
  drafts: Draft[],
  rate: Record<string, number[]>,
): Generator<string> {
  yield `{"version":2,"journal":${gen},"auditBytes":${auditBytes},"invitations":[`;
  yield* records(invitations);
  yield '],"outbox":[';
  yield* records(outbox);
  yield '],"drafts":[';
  yield* records(drafts);
  yield `],"rate":${JSON.stringify(rate)}}`;
}

function* records(list: object[]): Generator<string> {
  for (let i = 0; i < list.length; i += CHUNK) {
    yield (i ? ',' : '') +
      list
        .slice(i, i + CHUNK)
        .map((r) => JSON.stringify(r))
        .join(',');
  }
}
