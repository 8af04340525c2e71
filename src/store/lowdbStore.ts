/** The embedded default store: everything held in memory, each change appended to a journal and folded into a
 * snapshot in the background (src/store/journal.ts has the files), plus an append-only audit log. A change costs
 * what changed: its records are appended, and the group commit that carries it is synced before it resolves.
 * Changes made while a commit is under way share the next one; a draft (a command's, no acknowledgement) waits
 * for the next commit instead of making one. A commit that fails undoes in memory every change it
 * carried (and those queued behind it): what was refused is never served, written or delivered later. The journal
 * is folded into the snapshot when it passes COMPACT_BYTES and at close. One process per data directory (the app
 * holds its lock). */
import { mkdir, open as openFile, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AuditEntry, Invitation, StoredAuditEntry } from '../core/model.js';
import { withinRateLimit } from '../core/policy.js';
import { isOpen } from '../core/stateMachine.js';
import { writeFileSynced } from '../durableFiles.js';
import { appendAfter, JournalFiles, type Op } from './journal.js';
import { JsonStreamError, streamJsonObject } from './jsonStream.js';
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

/** The snapshot's members besides its arrays of records (those are read one record at a time: see readSnapshot).
 * `journal`: the first journal generation it does not hold; `auditBytes`: the length of the audit log that goes
 * with it. Both absent in files written before the journal (read as generation 0, whole log). Version 1 kept the
 * audit trail inside the data file (`audit`). */
const Meta = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  journal: z.number().int().nonnegative().optional(),
  auditBytes: z.number().int().nonnegative().optional(),
  rate: z.record(z.string(), z.array(z.number())),
});

/** The arrays of records, and what each holds. `auditTail`: files written before the journal kept the audit entries
 * of their last write there, perhaps not yet in the log. */
const SECTIONS = {
  invitations: Invitation,
  outbox: OutboxJob,
  drafts: Draft,
  audit: StoredAuditEntry,
  auditTail: StoredAuditEntry,
} as const;
const SECTION_NAMES: ReadonlySet<string> = new Set(Object.keys(SECTIONS));
const REQUIRED = ['invitations', 'outbox', 'drafts'] as const;

/** Reads the snapshot into a fresh State, a record at a time (see jsonStream.ts): missing is empty; anything but
 * Guestlist data is refused, naming the file. */
async function readSnapshot(
  file: string,
): Promise<{ state: State; meta: z.infer<typeof Meta>; legacyAudit: StoredAuditEntry[]; tail: StoredAuditEntry[] }> {
  const invalid = (message: string | undefined) =>
    new Error(
      `The data file ${file} is not valid Guestlist data (${message}); fix or move it away. It was left untouched.`,
    );
  let state = new State();
  const legacy: Record<'audit' | 'auditTail', StoredAuditEntry[]> = { audit: [], auditTail: [] };
  const take = (key: string, value: unknown) => {
    const parsed = SECTIONS[key as keyof typeof SECTIONS].safeParse(value);
    if (!parsed.success) throw invalid(parsed.error.issues[0]?.message);
    const record = parsed.data;
    if (key === 'invitations') state.setInvitation(record as Invitation);
    else if (key === 'outbox') state.setJob(record as OutboxJob);
    else if (key === 'drafts') state.setDraft(record as Draft);
    else legacy[key as 'audit' | 'auditTail'].push(record as StoredAuditEntry);
  };
  let read: { members: Record<string, unknown>; arrays: Set<string> } | undefined;
  try {
    read = await streamJsonObject(file, SECTION_NAMES, take);
  } catch (err) {
    if (!(err instanceof JsonStreamError)) throw err;
    // Read whole, to say what is wrong with it.
    const raw = (await readData(file)) as Record<string, unknown>;
    state = new State();
    legacy.audit = [];
    legacy.auditTail = [];
    read = { members: {}, arrays: new Set() };
    for (const [key, value] of Object.entries(raw)) {
      if (!SECTION_NAMES.has(key) || !Array.isArray(value)) read.members[key] = value;
      else {
        read.arrays.add(key);
        for (const record of value) take(key, record);
      }
    }
  }
  if (!read) return { state, meta: { version: 2, journal: 0, auditBytes: 0, rate: {} }, legacyAudit: [], tail: [] };
  const meta = Meta.safeParse(read.members);
  if (!meta.success) throw invalid(meta.error.issues[0]?.message);
  const required = meta.data.version === 1 ? [...REQUIRED, 'audit'] : REQUIRED;
  const missing = required.find((key) => !read.arrays.has(key));
  if (missing) throw invalid(`${missing}: expected an array`);
  for (const [key, times] of Object.entries(meta.data.rate)) state.rate.set(key, times);
  return {
    state,
    meta: meta.data,
    legacyAudit: meta.data.version === 1 ? legacy.audit : [],
    tail: legacy.auditTail,
  };
}

const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;
/** Past this many journal bytes a compaction starts in the background (by default). */
const COMPACT_BYTES = 16 * 2 ** 20;
/** Records serialized per snapshot chunk: the event loop is given back between chunks. */
const CHUNK = 500;
/** Bytes read at a time from the audit log at open. */
const READ_BYTES = 1 << 20;

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
  audit: AuditLine[];
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
  /** Audit entries by invitation, oldest first: the offset of its line in the audit log, or the line itself while
   * it is only in the journal (listed in `pendingAudit` once committed, until a compaction appends it to the log).
   * The log is read when a trail is asked for, so entries cost a number each in memory. */
  readonly audit = new Map<string, (number | string)[]>();
  pendingAudit: AuditLine[] = [];
  readonly pending = new Set<string>();
  readonly dedupeKeys = new Set<string>();
  /** Ids by email and by inviter. Keyed by the records' own strings (no copy); a key with one id holds it alone. */
  private readonly byEmail = new Index();
  private readonly byInviter = new Index();
  /** Draft ids by person (platform and user), oldest first. */
  readonly draftsOf = new Index();

  /** Ids of the invitations to this address, on any platform and workspace. */
  idsWithEmail(email: string): Iterable<string> {
    return this.byEmail.ids(email);
  }

  idsOf(inviterId: string): Iterable<string> {
    return this.byInviter.ids(inviterId);
  }

  setInvitation(record: Invitation): void {
    const inv = compactInvitation(record);
    const before = this.invitations.get(inv.id);
    this.invitations.set(inv.id, inv);
    // Index entries keep creation order (listInvitations relies on it): an entry moves only when its key changes.
    if (before && before.email === inv.email && before.inviter.id === inv.inviter.id) return;
    if (before) this.unindex(before);
    this.byEmail.add(inv.email, inv.id);
    this.byInviter.add(inv.inviter.id, inv.id);
  }

  deleteInvitation(id: string): void {
    const before = this.invitations.get(id);
    if (!before) return;
    this.unindex(before);
    this.invitations.delete(id);
  }

  /** Drafts stay in creation order (a change keeps a draft's place), which is also their expiry order. */
  setDraft(draft: Draft): void {
    this.drafts.set(draft.id, draft);
    this.draftsOf.add(personKey(draft), draft.id);
  }

  deleteDraft(id: string): void {
    const before = this.drafts.get(id);
    if (!before) return;
    this.draftsOf.delete(personKey(before), id);
    this.drafts.delete(id);
  }

  private unindex(inv: Invitation): void {
    this.byEmail.delete(inv.email, inv.id);
    this.byInviter.delete(inv.inviter.id, inv.id);
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

  addAudit(entry: number | string, invitationId: string): void {
    const trail = this.audit.get(invitationId);
    // A new array of the exact length (push would leave room for more in each of them); keyed by the invitation's
    // own id string when it is held.
    if (trail) this.audit.set(invitationId, trail.concat(entry));
    else this.audit.set(this.invitations.get(invitationId)?.id ?? invitationId, [entry]);
  }

  /** Replays one journal line (records were admitted before they were journaled; parsed again all the same). */
  apply(ops: Op[]): void {
    for (const op of ops) {
      if (op[0] === 'i') this.setInvitation(Invitation.parse(op[1]));
      else if (op[0] === 'I') this.deleteInvitation(op[1]);
      else if (op[0] === 'j') this.setJob(OutboxJob.parse(op[1]));
      else if (op[0] === 'J') this.deleteJob(op[1]);
      else if (op[0] === 'd') this.setDraft(Draft.parse(op[1]));
      else if (op[0] === 'D') this.deleteDraft(op[1]);
      else if (op[0] === 'r') this.rate.set(op[1], op[2]);
      else if (op[0] === 'a') {
        const entry = StoredAuditEntry.parse(op[1]);
        const line = JSON.stringify(entry);
        this.pendingAudit.push({ line, invitationId: entry.invitationId });
        this.addAudit(line, entry.invitationId);
      }
    }
  }
}

/** One copy of each value that many invitations repeat (platform, team, role, channels, inviter…), up to a number
 * of distinct values: each parsed record brings its own copies otherwise. */
const shared = new Map<string, string>();
const SHARED_MAX = 50_000;
function share(value: string): string {
  const known = shared.get(value);
  if (known !== undefined) return known;
  if (shared.size < SHARED_MAX) shared.set(value, value);
  return value;
}

/** The invitation as held in memory: the same values in a record of a fixed shape (its fields inside the object,
 * not in a table beside it), sharing the strings that many invitations repeat (platform, team, role, channels,
 * inviter…) and, where equal, its timestamps; its channel list trimmed to its length (zod builds arrays by pushing,
 * which leaves room for more). Every other field (the optional ones, and any the schema gains) follows as it is:
 * nothing the schema parsed is dropped. */
function compactInvitation(inv: Invitation): Invitation {
  const updatedAt = inv.updatedAt === inv.createdAt ? inv.createdAt : inv.updatedAt;
  const out: Invitation = {
    id: inv.id,
    platform: share(inv.platform) as Invitation['platform'],
    workspaceId: share(inv.workspaceId),
    email: inv.email,
    name: inv.name,
    role: share(inv.role) as Invitation['role'],
    channelIds: inv.channelIds.map(share),
    kdriveRight: share(inv.kdriveRight) as Invitation['kdriveRight'],
    billingRights: inv.billingRights,
    billingReminders: inv.billingReminders,
    delivery: share(inv.delivery) as Invitation['delivery'],
    message: inv.message,
    inviter: { ...inv.inviter, id: share(inv.inviter.id), username: share(inv.inviter.username) },
    originChannelId: share(inv.originChannelId),
    state: share(inv.state) as Invitation['state'],
    createdAt: inv.createdAt,
    updatedAt,
    expiresAt: inv.expiresAt,
    approvalPosts: inv.approvalPosts,
  };
  const o = out as Record<string, unknown>;
  for (const [key, value] of Object.entries(inv)) if (value !== undefined && !(key in o)) o[key] = value;
  if (out.arrivedAt === updatedAt) out.arrivedAt = updatedAt;
  return out;
}

const personKey = (d: Draft) => `${d.platform}\u0000${d.userId}`;

/** Ids by key, in insertion order; a key with one id holds the string alone (most addresses have one invitation). */
class Index {
  private readonly map = new Map<string, string | Set<string>>();

  ids(key: string): Iterable<string> {
    const ids = this.map.get(key);
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
  }

  add(key: string, id: string): void {
    const ids = this.map.get(key);
    if (ids === undefined) this.map.set(key, id);
    else if (typeof ids === 'string') {
      if (ids !== id) this.map.set(key, new Set([ids, id]));
    } else ids.add(id);
  }

  delete(key: string, id: string): void {
    const ids = this.map.get(key);
    if (ids === id) this.map.delete(key);
    else if (typeof ids === 'object') {
      ids.delete(id);
      if (ids.size === 1) this.map.set(key, ids.values().next().value!);
    }
  }
}

interface AuditLine {
  line: string;
  invitationId: string;
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

/** How long a draft's change may wait for a batch that would be written anyway. */
const DRAFT_DELAY_MS = 250;

export class LowdbStore implements Store {
  private batch: Batch | undefined;
  /** Drafts' changes made while no batch was open, oldest first: the next batch carries them (see noteDraft). */
  private deferred: { key: RecordKey; op: Op; before: unknown }[] = [];
  private deferredTimer: NodeJS.Timeout | undefined;
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
    const { state, meta, legacyAudit, tail } = await readSnapshot(file);
    const log = await readAuditLog(file.replace(/\.json$/, '') + '-audit.jsonl', meta.auditBytes, state, tail.length);
    // Files written before the journal: their last write's audit entries may not have reached the log.
    const logged = new Set(log.last);
    for (const entry of tail) if (!logged.has(JSON.stringify(entry))) state.apply([['a', entry]]);
    const auditBytes = log.bytes;
    for (const e of legacyAudit) state.apply([['a', e]]);
    const data = meta;

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
    await removeDeadTemps(dataDir, fileName);
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
    // First in the batch: they were made before anything it will carry.
    for (const d of this.deferred.splice(0)) this.note(d.key, d.op, d.before);
    clearTimeout(this.deferredTimer);
    this.deferredTimer = undefined;
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
    this.s.pendingAudit.push(...batch.audit);
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
    else if (key[0] === 'd') record ? s.setDraft(record as Draft) : s.deleteDraft(id);
    else record ? s.rate.set(id, record as number[]) : s.rate.delete(id);
  }

  /** Records a change in the current batch: its journal op, and the record as it was before the batch. */
  private note(key: RecordKey, op: Op, before: unknown): Batch {
    const batch = this.current();
    batch.ops.push(JSON.stringify(op));
    if (!batch.before.has(key)) batch.before.set(key, before);
    return batch;
  }

  /** A draft's change. Drafts are no acknowledgement (a crash costs the user a "form expired"), so a command's draft
   * does not cost a journal write and sync of its own: with no batch open, the change waits up to DRAFT_DELAY_MS for
   * one. While a batch is open it joins that one, so the journal keeps every change in the order it was made. */
  private noteDraft(key: RecordKey, op: Op, before: unknown): void {
    if (this.batch) return void this.note(key, op, before);
    this.deferred.push({ key, op, before });
    this.deferredTimer ??= setTimeout(() => void this.persist().catch(() => undefined), DRAFT_DELAY_MS);
    this.deferredTimer.unref();
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
    this.noteDraft(`d:${draft.id}`, ['d', draft], this.s.drafts.get(draft.id));
    this.s.setDraft(draft);
  }

  private removeDraft(id: string): void {
    const before = this.s.drafts.get(id);
    if (!before) return;
    this.noteDraft(`d:${id}`, ['D', id], before);
    this.s.deleteDraft(id);
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
    let rotated!: { gen: number; folded: number[]; audit: AuditLine[]; bytes: number; records: Snapshot };
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
      const text = rotated.audit.map((a) => a.line + '\n').join('');
      const auditBytes = await appendAfter(this.auditFile, this.auditBytes, text);
      await writeFileSynced(this.file, snapshotChunks(rotated.gen, auditBytes, invitations, outbox, drafts, rate));
      this.auditBytes = auditBytes;
      // The lines are in the log now, for good: the trails point there instead of holding them.
      let at = auditBytes - Buffer.byteLength(text);
      for (const { line, invitationId } of rotated.audit) {
        const trail = this.s.audit.get(invitationId);
        const k = trail?.indexOf(line) ?? -1;
        if (k >= 0) trail![k] = at;
        at += Buffer.byteLength(line) + 1;
      }
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
    // Oldest last, so that a record changed twice ends as it was before the first change.
    const uncommitted = [...this.deferred.map((d) => [d.key, d.before] as const), ...(this.batch?.before ?? [])];
    for (const [key, record] of uncommitted.reverse()) {
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
      [...this.s.idsWithEmail(i.email)].some((id) => {
        const other = this.s.invitations.get(id)!;
        return other.platform === i.platform && other.workspaceId === i.workspaceId && openStates.includes(other.state);
      });
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
    const candidates = q.email
      ? [...this.s.idsWithEmail(q.email)].map((id) => this.s.invitations.get(id)!)
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
        (!q.sponsorId || (i.sponsor ?? i.inviter).id === q.sponsorId) &&
        (!q.accessEndsBefore || (!!i.accessEndsAt && Date.parse(i.accessEndsAt) < Date.parse(q.accessEndsBefore))) &&
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
    const lines = await this.auditLines([invitationId]);
    return (lines.get(invitationId) ?? []).map((line) => StoredAuditEntry.parse(JSON.parse(line)));
  }

  /** The audit lines of these invitations, oldest first, read from the log where they are there. */
  private async auditLines(ids: string[]): Promise<Map<string, string[]>> {
    const trails = new Map(ids.map((id) => [id, [...(this.s.audit.get(id) ?? [])]]));
    const offsets = [...trails.values()].flat().filter((e): e is number => typeof e === 'number');
    const read = offsets.length ? await readLines(this.auditFile, offsets) : new Map<number, string>();
    return new Map(
      [...trails].map(([id, trail]) => [id, trail.map((e) => (typeof e === 'string' ? e : read.get(e)!))]),
    );
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

  /** Drops the expired drafts, and the person's oldest beyond MAX_DRAFTS_PER_USER: in O(what is dropped), since
   * every command stores one. */
  async putDraft(draft: Draft): Promise<void> {
    const admitted = admit(Draft, draft, 'draft');
    const now = new Date().toISOString();
    for (const d of this.s.drafts.values()) {
      if (d.expiresAt > now) break; // the rest are newer
      if (d.id !== admitted.id) this.removeDraft(d.id);
    }
    const theirs = [...this.s.draftsOf.ids(personKey(admitted))].filter((id) => id !== admitted.id);
    for (const id of theirs.slice(0, -(MAX_DRAFTS_PER_USER - 1))) this.removeDraft(id);
    this.putDraftRecord(admitted);
    // Not written now: see noteDraft.
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
    const found = [...this.s.invitations.values()].filter((i) => !isOpen(i.state) && i.updatedAt < iso);
    if (!found.length) return 0;
    const trails = await this.auditLines(found.map((i) => i.id));
    // Changed while the log was read (records are replaced on change, trails grow): left for the next round.
    const unchanged = (i: Invitation) =>
      this.s.invitations.get(i.id) === i && (this.s.audit.get(i.id)?.length ?? 0) === trails.get(i.id)!.length;
    const old = found.filter(unchanged);
    const lines = old.map((invitation) =>
      JSON.stringify({ invitation, audit: trails.get(invitation.id)!.map((l) => JSON.parse(l)) }),
    );
    const handle = await openFile(this.archiveFile, 'a');
    await handle
      .write(lines.join('\n') + '\n')
      .then(() => handle.sync())
      .finally(() => handle.close());
    // Changed while the archive was written: stays here too (the archive then holds an older copy of it, as a crash
    // between the two steps would leave).
    const ids = new Set(old.filter(unchanged).map((i) => i.id));
    if (!ids.size) return 0;
    for (const inv of old.filter((i) => ids.has(i.id))) {
      this.note(`i:${inv.id}`, ['I', inv.id], inv);
      this.s.deleteInvitation(inv.id);
    }
    for (const job of [...this.s.outbox.values()]) {
      if (job.invitationId && ids.has(job.invitationId) && job.state !== 'pending') this.removeJob(job.id);
    }
    await this.persist();
    for (const id of ids) this.s.audit.delete(id); // kept until then, for an undo
    return ids.size;
  }

  /** Waits for the commits under way and folds the journal into the snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.deferred.length) await this.persist().catch(() => undefined);
    await this.writing;
    await this.compacting?.catch(() => undefined);
    await this.compact();
    this.closed = true;
  }
}

/** Removes the snapshot temp files (see writeFileSynced) that a compaction killed midway left: those of processes
 * that are gone. Never read (the snapshot is renamed into place whole, or not at all), they would pile up, each
 * the size of the data. */
async function removeDeadTemps(dataDir: string, fileName: string): Promise<void> {
  const prefix = `.${fileName}.`;
  for (const name of await readdir(dataDir)) {
    const pid = name.startsWith(prefix) && name.endsWith('.tmp') ? name.slice(prefix.length, -4) : '';
    if (!/^\d+$/.test(pid) || alive(Number(pid))) continue;
    await unlink(path.join(dataDir, name)).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LOGGED = /^\{"at":"[^"\\]*","invitationId":"([^"\\]*)",.*\}$/;

/** Reads the audit log up to `length` (all of it, up to its last whole line, for files from before the journal),
 * a piece at a time, noting where the lines of invitations in `state` are; returns the length read and the last
 * `keep` lines. */
async function readAuditLog(
  file: string,
  length: number | undefined,
  state: State,
  keep: number,
): Promise<{ bytes: number; last: string[] }> {
  const handle = await openFile(file, 'r').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  if (!handle) return { bytes: 0, last: [] };
  const last: string[] = [];
  let pos = 0; // where `buf` starts in the file
  // One buffer for the whole log (what is left of a line moves to its start), grown only for a longer line.
  let buf = Buffer.allocUnsafe(READ_BYTES);
  let have = 0;
  try {
    const limit = length ?? (await handle.stat()).size;
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const want = Math.min(buf.length - have, limit - pos - have);
      const { bytesRead } = want > 0 ? await handle.read(buf, have, want, pos + have) : { bytesRead: 0 };
      if (!bytesRead) break;
      have += bytesRead;
      let from = 0;
      for (let nl = buf.indexOf(0x0a); nl >= 0 && nl < have; nl = buf.indexOf(0x0a, from)) {
        const at = pos + from;
        const line = buf.toString('utf8', from, nl);
        from = nl + 1;
        if (!line) continue;
        // The store writes each entry as zod's output, `at` then `invitationId`: read the id alone.
        let id = LOGGED.exec(line)?.[1];
        let canonical = line;
        if (!id) {
          try {
            const entry = StoredAuditEntry.parse(JSON.parse(line));
            [canonical, id] = [JSON.stringify(entry), entry.invitationId];
          } catch {
            continue; // a line torn by a crash before the journal existed
          }
        }
        if (state.invitations.has(id)) state.addAudit(at, id);
        if (keep) last.push(canonical);
        if (last.length > keep) last.shift();
      }
      buf.copy(buf, 0, from, have);
      have -= from;
      pos += from;
    }
    // Without a length, the log ends at its last whole line (a torn one after it is cut off by the next append).
    return { bytes: pos, last };
  } finally {
    await handle.close();
  }
}

/** The lines of the audit log that start at these offsets (sorted here, read a window at a time). */
async function readLines(file: string, offsets: number[]): Promise<Map<number, string>> {
  const lines = new Map<number, string>();
  const handle = await openFile(file, 'r');
  try {
    let start = 0;
    let buf = Buffer.alloc(0);
    for (const at of [...new Set(offsets)].sort((a, b) => a - b)) {
      let nl = at >= start ? buf.indexOf(0x0a, at - start) : -1;
      for (let size = 64 * 1024; nl < 0; size *= 2) {
        buf = Buffer.allocUnsafe(size);
        const { bytesRead } = await handle.read(buf, 0, size, at);
        [start, buf] = [at, buf.subarray(0, bytesRead)];
        nl = buf.indexOf(0x0a);
        if (nl < 0 && bytesRead < size) throw new Error(`The audit log ${file} has no whole line at byte ${at}.`);
      }
      lines.set(at, buf.toString('utf8', at - start, nl));
    }
  } finally {
    await handle.close();
  }
  return lines;
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
