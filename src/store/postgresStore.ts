/** The store for large or multi-replica deployments: PostgreSQL through a `pg.Pool`. Each Store method is one
 * transaction (or one statement). Invitations, audit entries and drafts are kept whole as JSONB documents, with
 * the columns that queries filter on generated from the document, so the two can never disagree. Everything
 * read back is parsed with the zod schemas. */

import type { PoolClient, QueryResultRow } from 'pg';
import pg from 'pg';
import { z } from 'zod';
import { newId } from '../core/clock.js';
import { AuditEntry, Invitation, StoredAuditEntry } from '../core/model.js';
import { withinRateLimit } from '../core/policy.js';
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

const DONE_JOB_RETENTION_MS = 7 * 24 * 3600_000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new version. Keep them additive, so a replica
 * still running the previous release keeps working while the next one rolls out. */
/** NOTIFY channel of queued jobs; the payload is the schema, so that schemas sharing a database stay apart. */
const JOBS_CHANNEL = 'guestlist_jobs';
/** How soon a lost LISTEN connection is opened again (polling covers the gap). */
const RELISTEN_MS = 1000;

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'invitations, audit, outbox, drafts, rate tokens',
    sql: `
      -- Generated columns need immutable expressions and a text-to-timestamptz cast is only stable (it reads
      -- TimeZone). Every time we store is ISO 8601 with an explicit offset (toISOString), which converts the same
      -- in any TimeZone, so declaring the cast immutable is true for our data.
      CREATE FUNCTION iso_time(text) RETURNS timestamptz LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1::timestamptz $$;

      CREATE TABLE invitations (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY, -- insertion order: breaks ties between equal created_at
        doc jsonb NOT NULL,
        platform text NOT NULL GENERATED ALWAYS AS (doc->>'platform') STORED,
        workspace_id text NOT NULL GENERATED ALWAYS AS (doc->>'workspaceId') STORED,
        email text NOT NULL GENERATED ALWAYS AS (doc->>'email') STORED,
        inviter_id text NOT NULL GENERATED ALWAYS AS (doc->'inviter'->>'id') STORED,
        state text NOT NULL GENERATED ALWAYS AS (doc->>'state') STORED,
        created_at timestamptz NOT NULL GENERATED ALWAYS AS (iso_time(doc->>'createdAt')) STORED,
        batch_id text GENERATED ALWAYS AS (doc->'batch'->>'id') STORED
      );
      CREATE INDEX invitations_workspace ON invitations (platform, workspace_id, state, created_at DESC);
      CREATE INDEX invitations_inviter ON invitations (inviter_id, created_at DESC);
      CREATE INDEX invitations_email ON invitations (email);
      CREATE INDEX invitations_batch ON invitations (batch_id) WHERE batch_id IS NOT NULL;

      CREATE TABLE audit (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        doc jsonb NOT NULL,
        invitation_id text NOT NULL GENERATED ALWAYS AS (doc->>'invitationId') STORED
      );
      CREATE INDEX audit_invitation ON audit (invitation_id, seq);

      CREATE TABLE outbox (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        invitation_id text,
        dedupe_key text NOT NULL UNIQUE,
        attempts integer NOT NULL DEFAULT 0,
        run_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (run_at, seq) WHERE state = 'pending';
      CREATE INDEX outbox_done ON outbox (run_at) WHERE state = 'done';
      CREATE INDEX outbox_invitation ON outbox (invitation_id);

      CREATE TABLE drafts (
        id text PRIMARY KEY,
        doc jsonb NOT NULL,
        expires_at timestamptz NOT NULL GENERATED ALWAYS AS (iso_time(doc->>'expiresAt')) STORED
      );
      CREATE INDEX drafts_expiry ON drafts (expires_at);

      -- One row per budget holding the times tokens were taken; takers lock the row, so replicas queue on it.
      CREATE TABLE rate_tokens (
        key text PRIMARY KEY,
        taken timestamptz[] NOT NULL DEFAULT '{}'
      );
    `,
  },
  {
    version: 2,
    name: 'invitations by acceptance-link token hash',
    sql: `
      ALTER TABLE invitations ADD COLUMN link_token_hash text GENERATED ALWAYS AS (doc->>'linkTokenHash') STORED;
      CREATE INDEX invitations_link_token ON invitations (link_token_hash) WHERE link_token_hash IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'replicas are told when a job is queued',
    // Per statement, delivered at commit: every path that queues jobs wakes the replicas, once a transaction.
    sql: `
      CREATE FUNCTION outbox_queued() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${JOBS_CHANNEL}', TG_TABLE_SCHEMA);
        RETURN NULL;
      END $$;
      CREATE TRIGGER outbox_queued AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_queued();
    `,
  },
  {
    version: 4,
    name: 'guests by sponsor and by the end of their access',
    sql: `
      ALTER TABLE invitations ADD COLUMN sponsor_id text NOT NULL
        GENERATED ALWAYS AS (COALESCE(doc->'sponsor'->>'id', doc->'inviter'->>'id')) STORED;
      ALTER TABLE invitations ADD COLUMN access_ends_at timestamptz
        GENERATED ALWAYS AS (iso_time(doc->>'accessEndsAt')) STORED;
      CREATE INDEX invitations_sponsor ON invitations (sponsor_id) WHERE access_ends_at IS NOT NULL;
      CREATE INDEX invitations_access_end ON invitations (state, access_ends_at) WHERE access_ends_at IS NOT NULL;
    `,
  },
];

const JOB_COLUMNS =
  'id, kind, payload, invitation_id, dedupe_key, attempts, run_at, state, lease_until, last_error, created_at';

/** Every statement the store runs. Arrays of documents travel as one JSONB parameter, in order. */
const SQL = {
  migrationLock: `SELECT pg_advisory_xact_lock(hashtext($1))`,
  migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  appliedMigrations: `SELECT version FROM schema_migrations`,
  recordMigration: `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,

  insertInvitations: `INSERT INTO invitations (id, doc)
    SELECT d->>'id', d FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(d, n) ORDER BY n`,
  getInvitation: `SELECT doc FROM invitations WHERE id = $1`,
  listInvitations: (where: string, paging: string) =>
    `SELECT doc FROM invitations ${where} ORDER BY created_at DESC, seq ${paging}`,
  countCreatedSince: `SELECT count(*)::int AS n FROM invitations WHERE inviter_id = $1 AND created_at >= $2`,
  // Creations that check an inviter or a workspace take turns on it until they commit (class 1: inviters, 2:
  // workspaces, always in that order, so two of them never wait for each other).
  creationLock: `SELECT pg_advisory_xact_lock($1, hashtext($2))`,
  openDuplicates: `SELECT DISTINCT i.email FROM invitations i
    JOIN jsonb_array_elements($1::jsonb) AS e(d)
      ON i.platform = d->>'platform' AND i.workspace_id = d->>'workspaceId' AND i.email = d->>'email'
    WHERE i.state = ANY($2::text[])`,
  // The compare-and-set. A concurrent transition of the same row waits for this one's row lock, then re-checks
  // the WHERE against the committed row, finds the state moved on, and updates nothing.
  transition: `UPDATE invitations SET doc = (doc - $3::text[]) || $4::jsonb
    WHERE id = $1 AND state = ANY($2::text[]) RETURNING doc`,
  patchInvitation: `UPDATE invitations SET doc = (doc - $2::text[]) || $3::jsonb WHERE id = $1 RETURNING doc`,

  insertAudit: `INSERT INTO audit (doc)
    SELECT d FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(d, n) ORDER BY n`,
  auditTrail: `SELECT doc FROM audit WHERE invitation_id = $1 ORDER BY seq`,

  // In order, so that of two jobs with one key in the same call, the first is kept.
  enqueue: `INSERT INTO outbox (id, kind, payload, invitation_id, dedupe_key, run_at, created_at)
    SELECT d->>'id', d->>'kind', d->'payload', d->>'invitationId', d->>'dedupeKey',
      iso_time(d->>'runAt'), iso_time(d->>'createdAt')
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(d, n) ORDER BY n
    ON CONFLICT (dedupe_key) DO NOTHING`,
  // One statement, so one transaction. SKIP LOCKED: replicas claiming at once take disjoint jobs instead of
  // queueing on each other's rows; a row whose claim committed meanwhile fails the re-checked lease condition.
  claimJobs: `WITH due AS (
      SELECT id FROM outbox
      WHERE state = 'pending' AND run_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
      ORDER BY run_at, seq LIMIT $2
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE outbox SET lease_until = $3 FROM due WHERE outbox.id = due.id RETURNING outbox.*
    )
    SELECT ${JOB_COLUMNS} FROM claimed ORDER BY run_at, seq`,
  completeJob: `UPDATE outbox SET state = 'done', lease_until = NULL, attempts = attempts + 1 WHERE id = $1`,
  pruneDoneJobs: `DELETE FROM outbox WHERE state = 'done' AND run_at < $1`,
  renewLeases: `UPDATE outbox SET lease_until = $2
    WHERE id = ANY($1) AND state = 'pending' AND lease_until IS NOT NULL`,
  retryJob: `UPDATE outbox SET run_at = $2, lease_until = NULL, attempts = attempts + $3, last_error = $4
    WHERE id = $1`,
  buryJob: `UPDATE outbox SET state = 'dead', lease_until = NULL, attempts = attempts + 1, last_error = $2
    WHERE id = $1`,
  jobs: `SELECT ${JOB_COLUMNS} FROM outbox
    WHERE ($1::text IS NULL OR invitation_id = $1) AND ($2::text IS NULL OR state = $2) ORDER BY seq`,

  pruneDrafts: `DELETE FROM drafts WHERE expires_at <= $1`,
  putDraft: `INSERT INTO drafts (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`,
  /** The person's newest MAX_DRAFTS_PER_USER ($3) drafts stay. */
  trimDrafts: `DELETE FROM drafts WHERE id IN (SELECT id FROM drafts WHERE doc->>'userId' = $1 AND doc->>'platform' = $2
    ORDER BY doc->>'createdAt' DESC, id DESC OFFSET $3)`,
  getDraft: `SELECT doc FROM drafts WHERE id = $1 AND expires_at > $2`,
  deleteDraft: `DELETE FROM drafts WHERE id = $1`,

  ensureRateRow: `INSERT INTO rate_tokens (key) VALUES ($1) ON CONFLICT (key) DO NOTHING`,
  lockRateRow: `SELECT taken FROM rate_tokens WHERE key = $1 FOR UPDATE`,
  saveRateRow: `UPDATE rate_tokens SET taken = $2 WHERE key = $1`,
} as const;

const DocRow = z.object({ doc: z.unknown() });

const JobRow = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.unknown(),
  invitation_id: z.string().nullable(),
  dedupe_key: z.string(),
  attempts: z.number(),
  run_at: z.date(),
  state: z.string(),
  lease_until: z.date().nullable(),
  last_error: z.string().nullable(),
  created_at: z.date(),
});

function toJob(row: unknown): OutboxJob {
  const r = JobRow.parse(row);
  return OutboxJob.parse({
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    invitationId: r.invitation_id ?? undefined,
    dedupeKey: r.dedupe_key,
    attempts: r.attempts,
    runAt: r.run_at.toISOString(),
    state: r.state,
    leaseUntil: r.lease_until?.toISOString(),
    lastError: r.last_error ?? undefined,
    createdAt: r.created_at.toISOString(),
  });
}

/** A patch as SQL parameters: the keys it sets to undefined are removed from the document (as Object.assign
 * clears them in the lowdb store), the rest are merged in. */
function patchParams(patch: object): [removedKeys: string[], merged: string] {
  const removed = Object.entries(patch)
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);
  return [removed, JSON.stringify(patch)];
}

/** WHERE and LIMIT/OFFSET for an InvitationQuery, with its parameters. Empty strings filter nothing, as in lowdb. */
function invitationFilter(q: InvitationQuery): { where: string; paging: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (q.platform) add((p) => `platform = ${p}`, q.platform);
  if (q.workspaceId) add((p) => `workspace_id = ${p}`, q.workspaceId);
  if (q.inviterId) add((p) => `inviter_id = ${p}`, q.inviterId);
  if (q.email) add((p) => `email = ${p}`, q.email);
  if (q.batchId) add((p) => `batch_id = ${p}`, q.batchId);
  if (q.linkTokenHash) add((p) => `link_token_hash = ${p}`, q.linkTokenHash);
  if (q.sponsorId) add((p) => `sponsor_id = ${p}`, q.sponsorId);
  if (q.accessEndsBefore) add((p) => `access_ends_at < ${p}::timestamptz`, q.accessEndsBefore);
  if (q.states) add((p) => `state = ANY(${p}::text[])`, [...q.states]);
  let paging = '';
  if (q.limit !== undefined) {
    params.push(q.limit);
    paging += ` LIMIT $${params.length}`;
  }
  if (q.offset) {
    params.push(q.offset);
    paging += ` OFFSET $${params.length}`;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', paging, params };
}

/** The sliding window: the times (ms) taken within the last `windowMs` count against `limit`. */
function slidingWindow(
  taken: readonly number[],
  limit: number,
  windowMs: number,
  now: number,
): { taken: number[]; answer: { ok: true } | { ok: false; retryAt: Date } } {
  const recent = taken.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  if (recent.length >= limit) return { taken: recent, answer: { ok: false, retryAt: new Date(recent[0]! + windowMs) } };
  return { taken: [...recent, now], answer: { ok: true } };
}

function newJobs(jobs: readonly NewJob[], now: Date): object[] {
  return jobs.map((job) => ({
    ...job,
    id: newId(),
    runAt: job.runAt ?? now.toISOString(),
    createdAt: now.toISOString(),
  }));
}

export class PostgresStore implements Store {
  private ended: Promise<void> | undefined;

  private readonly watchers = new Set<() => void>();
  /** The connection that LISTENs for queued jobs while anyone watches. */
  private listener: pg.Client | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
  ) {}

  /** Connects and brings the schema up to date. `schema` keeps every table in that schema (created if missing). */
  static async open(databaseUrl: string, opts: { schema?: string } = {}): Promise<PostgresStore> {
    const { schema } = opts;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(
        `Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _.`,
      );
    }
    const config: pg.ClientConfig = {
      connectionString: databaseUrl,
      application_name: 'guestlist',
      // Every connection resolves unqualified names in our schema: the SQL above stays schema-agnostic.
      options: schema ? `-c search_path=${schema}` : undefined,
    };
    const pool = new pg.Pool(config);
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener the
    // 'error' event would crash the process. The next query reports a lasting outage.
    pool.on('error', () => undefined);
    const store = new PostgresStore(pool, config);
    try {
      await store.migrate(schema);
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** Applies the missing migrations in one transaction. The advisory lock makes replicas that start together take
   * turns: the second one waits, then finds every version recorded and applies nothing. */
  private async migrate(schema: string | undefined): Promise<void> {
    await this.transaction(async (db) => {
      await db.query(SQL.migrationLock, [`guestlist:migrations:${schema ?? ''}`]);
      if (schema) await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await db.query(SQL.migrationsTable);
      const { rows } = await db.query<{ version: number }>(SQL.appliedMigrations);
      const applied = new Set(rows.map((r) => r.version));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await db.query(migration.sql);
        await db.query(SQL.recordMigration, [migration.version, migration.name]);
      }
    });
  }

  private async transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await db.query('BEGIN');
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (err) {
      await db.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw err;
    } finally {
      db.release(broken); // a connection that cannot even roll back is discarded
    }
  }

  private async docs<T>(
    schema: z.ZodType<T>,
    sql: string,
    params: unknown[],
    db: pg.Pool | PoolClient = this.pool,
  ): Promise<T[]> {
    const { rows } = await db.query<QueryResultRow>(sql, params);
    return rows.map((row) => schema.parse(DocRow.parse(row).doc));
  }

  /** Runs an UPDATE of one job by id; an unknown id is a programming error, as in the lowdb store. */
  private async updateJob(sql: string, params: unknown[], db: pg.Pool | PoolClient = this.pool): Promise<void> {
    const { rowCount } = await db.query(sql, params);
    if (!rowCount) throw new Error(`unknown outbox job ${String(params[0])}`);
  }

  async createInvitations(
    invitations: Invitation[],
    audit: AuditEntry[],
    jobs: NewJob[],
    checks?: CreateChecks,
  ): Promise<CreateOutcome> {
    return this.transaction(async (db) => {
      const refused = checks && (await this.refusal(db, invitations, checks));
      if (refused) return refused;
      await db.query(SQL.insertInvitations, [JSON.stringify(invitations)]);
      await db.query(SQL.insertAudit, [JSON.stringify(audit)]);
      await db.query(SQL.enqueue, [JSON.stringify(newJobs(jobs, new Date()))]);
      return { ok: true };
    });
  }

  /** Under the inviter's and the workspaces' locks, held until the transaction ends, each statement sees every
   * creation committed before: the checks and the insert are one step. */
  private async refusal(
    db: PoolClient,
    invitations: Invitation[],
    { openStates, rateLimit }: CreateChecks,
  ): Promise<CreateOutcome | undefined> {
    await db.query(SQL.creationLock, [1, rateLimit.inviterId]);
    const workspaces = [...new Set(invitations.map((i) => JSON.stringify([i.platform, i.workspaceId])))].sort();
    for (const workspace of workspaces) await db.query(SQL.creationLock, [2, workspace]);
    const { rows } = await db.query<{ email: string }>(SQL.openDuplicates, [
      JSON.stringify(invitations),
      [...openStates],
    ]);
    if (rows.length) return { ok: false, refused: 'duplicates', emails: rows.map((r) => r.email) };
    const { rows: count } = await db.query<{ n: number }>(SQL.countCreatedSince, [
      rateLimit.inviterId,
      rateLimit.since,
    ]);
    const recent = count[0]?.n ?? 0;
    if (!withinRateLimit(recent, invitations.length, rateLimit.limit).ok)
      return { ok: false, refused: 'rateLimit', recent };
    return undefined;
  }

  async getInvitation(id: string): Promise<Invitation | undefined> {
    const [found] = await this.docs(Invitation, SQL.getInvitation, [id]);
    return found;
  }

  async listInvitations(query: InvitationQuery): Promise<Invitation[]> {
    const { where, paging, params } = invitationFilter(query);
    return this.docs(Invitation, SQL.listInvitations(where, paging), params);
  }

  async transition(id: string, change: Transition): Promise<Invitation | undefined> {
    const [removed, merged] = patchParams({ ...change.patch, state: change.to, updatedAt: change.audit.at });
    return this.transaction(async (db) => {
      const [updated] = await this.docs(Invitation, SQL.transition, [id, [...change.from], removed, merged], db);
      if (!updated) return undefined; // not in `from` (or unknown): nothing else is written
      await db.query(SQL.insertAudit, [JSON.stringify([change.audit])]);
      await db.query(SQL.enqueue, [JSON.stringify(newJobs(change.jobs ?? [], new Date()))]);
      return updated;
    });
  }

  async patchInvitation(
    id: string,
    patch: Transition['patch'],
    audit?: AuditEntry,
    jobs: NewJob[] = [],
  ): Promise<Invitation | undefined> {
    const [removed, merged] = patchParams(patch ?? {});
    return this.transaction(async (db) => {
      const [updated] = await this.docs(Invitation, SQL.patchInvitation, [id, removed, merged], db);
      if (!updated) return undefined;
      if (audit) await db.query(SQL.insertAudit, [JSON.stringify([audit])]);
      if (jobs.length) await db.query(SQL.enqueue, [JSON.stringify(newJobs(jobs, new Date()))]);
      return updated;
    });
  }

  async auditTrail(invitationId: string): Promise<StoredAuditEntry[]> {
    return this.docs(StoredAuditEntry, SQL.auditTrail, [invitationId]);
  }

  async enqueue(jobs: NewJob[]): Promise<void> {
    await this.pool.query(SQL.enqueue, [JSON.stringify(newJobs(jobs, new Date()))]);
  }

  async claimJobs(now: Date, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    const { rows } = await this.pool.query(SQL.claimJobs, [now, limit, new Date(now.getTime() + leaseMs)]);
    return rows.map(toJob);
  }

  async renewLeases(ids: string[], leaseUntil: Date): Promise<void> {
    if (ids.length) await this.pool.query(SQL.renewLeases, [ids, leaseUntil]);
  }

  watchJobs(wake: () => void): () => void {
    this.watchers.add(wake);
    if (!this.listener) void this.listen();
    return () => this.watchers.delete(wake);
  }

  /** LISTENs on a connection of its own (a pooled one would be handed to other queries). A lost connection is
   * opened again; once listening, the watchers are woken for whatever was queued while nobody listened. */
  private async listen(): Promise<void> {
    if (this.ended) return;
    const client = new pg.Client(this.config);
    this.listener = client;
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      if (!this.ended) setTimeout(() => void this.listen(), RELISTEN_MS).unref();
    };
    client.on('error', () => client.end().catch(() => undefined));
    client.on('end', lost);
    try {
      await client.connect();
      if (this.ended) return void (await client.end());
      const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
      const schema = rows[0]?.schema;
      client.on('notification', (n) => {
        if (n.channel === JOBS_CHANNEL && n.payload === schema) for (const wake of this.watchers) wake();
      });
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
      for (const wake of this.watchers) wake();
    } catch {
      await client.end().catch(() => undefined);
      lost();
    }
  }

  async completeJob(id: string): Promise<void> {
    await this.transaction(async (db) => {
      await this.updateJob(SQL.completeJob, [id], db);
      await db.query(SQL.pruneDoneJobs, [new Date(Date.now() - DONE_JOB_RETENTION_MS)]);
    });
  }

  async retryJob(id: string, runAt: Date, error: string, countAttempt = true): Promise<void> {
    await this.updateJob(SQL.retryJob, [id, runAt, countAttempt ? 1 : 0, error]);
  }

  async buryJob(id: string, error: string): Promise<void> {
    await this.updateJob(SQL.buryJob, [id, error]);
  }

  async jobs(filter: { invitationId?: string; state?: OutboxJob['state'] } = {}): Promise<OutboxJob[]> {
    const { rows } = await this.pool.query(SQL.jobs, [filter.invitationId || null, filter.state || null]);
    return rows.map(toJob);
  }

  async putDraft(draft: Draft): Promise<void> {
    const admitted = admit(Draft, draft, 'draft');
    await this.transaction(async (db) => {
      await db.query(SQL.pruneDrafts, [new Date()]);
      await db.query(SQL.putDraft, [admitted.id, JSON.stringify(admitted)]);
      await db.query(SQL.trimDrafts, [admitted.userId, admitted.platform, MAX_DRAFTS_PER_USER]);
    });
  }

  async getDraft(id: string): Promise<Draft | undefined> {
    const [found] = await this.docs(Draft, SQL.getDraft, [id, new Date()]);
    return found;
  }

  async deleteDraft(id: string): Promise<void> {
    await this.pool.query(SQL.deleteDraft, [id]);
  }

  async takeRateToken(
    key: string,
    limit: number,
    windowMs: number,
    now: Date,
  ): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
    return this.transaction(async (db) => {
      await db.query(SQL.ensureRateRow, [key]);
      const { rows } = await db.query<{ taken: Date[] }>(SQL.lockRateRow, [key]);
      const taken = (rows[0]?.taken ?? []).map((at) => at.getTime());
      const next = slidingWindow(taken, limit, windowMs, now.getTime());
      if (next.answer.ok) await db.query(SQL.saveRateRow, [key, next.taken.map((at) => new Date(at))]);
      return next.answer;
    });
  }

  /** A session-level advisory lock held on one connection for the duration of `work`; a replica that does not
   * get it skips this run instead of waiting. */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const db = await this.pool.connect();
    try {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `guestlist:job:${name}`,
      ]);
      if (!rows[0]?.locked) return undefined;
      try {
        return await work();
      } finally {
        await db.query('SELECT pg_advisory_unlock(hashtext($1))', [`guestlist:job:${name}`]);
      }
    } finally {
      db.release();
    }
  }

  /** Ends the pool; calling it again is harmless. */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.ended ??= Promise.all([this.pool.end(), listener?.end().catch(() => undefined)]).then(() => undefined);
    await this.ended;
  }
}
