/** Store write latency against the number of invitations stored (1k, 10k, 100k), for LowdbStore and PostgresStore.
 * Each sample is one awaited call, one at a time (no coalescing with other callers): a `transition` (sent → expired,
 * with its audit entry and one job, as an expiry does), a `patchInvitation` (with an audit entry, as approvals do)
 * or a `createInvitations` of one invitation (with its audit entry and its delivery job), in turn. */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { newId } from '../src/core/clock.js';
import type { AuditEntry, Invitation } from '../src/core/model.js';
import { TRANSITIONS } from '../src/core/stateMachine.js';
import { LowdbStore } from '../src/store/lowdbStore.js';
import { PostgresStore } from '../src/store/postgresStore.js';
import type { Store } from '../src/store/store.js';
import { anInvitation } from '../test/support/invitationFixture.js';
import { unreachable } from '../test/support/postgres.js';
import { DATABASE_URL, fmt, now, round, type Summary, say, summarize, table } from './lib.js';

export interface StoreFigures {
  lowdb_write_p50_ms_1k: number;
  lowdb_write_p99_ms_1k: number;
  lowdb_write_p50_ms_10k: number;
  lowdb_write_p99_ms_10k: number;
  lowdb_write_p50_ms_100k: number;
  lowdb_write_p99_ms_100k: number;
  lowdb_write_growth_100k_1k: number;
  lowdb_file_mib_100k: number;
  lowdb_open_ms_100k: number;
  lowdb_rss_mib_1k: number;
  lowdb_rss_mib_10k: number;
  lowdb_rss_mib_100k: number;
  lowdb_archive_open_ms_10k: number;
  pg_write_p50_ms_1k?: number;
  pg_write_p99_ms_1k?: number;
  pg_write_p50_ms_10k?: number;
  pg_write_p99_ms_10k?: number;
  pg_write_p50_ms_100k?: number;
  pg_write_p99_ms_100k?: number;
  pg_write_growth_100k_1k?: number;
  pg_write_growth_p99_100k_1k?: number;
  pg_skipped?: string;
}

const SIZES = [1_000, 10_000, 100_000] as const;
const SAMPLES = 300;
/** Discarded writes before the first size is measured (JIT, connection pool, plan cache). */
const WARMUP_SAMPLES = 30;
/** Seeded invitations were created over the last 29 days: inside LowdbStore's 30-day archive cutoff, so all of
 * them stay in the hot file, the one rewritten on every change (the case the figures are about). */
const NOW = Date.now();
const SPAN_MS = 29 * 86400_000;

/** A realistic stored invitation: distinct email, inviter among 200, spread over the past, 80% finished
 * (arrived or expired, the rest waiting in `sent`). */
function seedInvitation(i: number, size: number, olderByMs = 0): Invitation {
  const created = NOW - olderByMs - ((size - i) * SPAN_MS) / size;
  const at = new Date(created).toISOString();
  const finished = i % 5 !== 0;
  return anInvitation({
    id: seedId(i),
    email: `guest${i}@example.org`,
    name: `Guest ${i}`,
    role: i % 3 ? 'collaborator' : 'external',
    channelIds: ['chan0000000000000000000001'],
    delivery: 'platform_email',
    inviter: { id: `inviter${i % 200}`, username: `user${i % 200}` },
    state: finished ? (i % 4 ? 'arrived' : 'expired') : 'sent',
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(created + 7 * 86400_000).toISOString(),
    ...(finished && i % 4 ? { arrivedUserId: `user${i}`, arrivedAt: at } : {}),
  });
}

/** Two audit entries per invitation (created, delivered): the least any delivered invitation has. */
function seedAudit(inv: Invitation): AuditEntry[] {
  return [
    {
      at: inv.createdAt,
      invitationId: inv.id,
      actor: inv.inviter.id,
      action: 'created',
      detail: { state: 'sending', role: inv.role },
    },
    { at: inv.createdAt, invitationId: inv.id, actor: 'bot', action: 'delivered', detail: { via: inv.delivery } },
  ];
}

type Op = 'transition' | 'patchInvitation' | 'createInvitations';
const OPS: Op[] = ['transition', 'patchInvitation', 'createInvitations'];

/** `samples` writes, the three kinds in turn; the invitations they touch are fresh ones in state `sent`. */
async function measureWrites(
  store: Store,
  targets: string[],
  samples: number,
): Promise<{ all: Summary; byOp: Record<Op, Summary> }> {
  const times: Record<Op, number[]> = { transition: [], patchInvitation: [], createInvitations: [] };
  const all: number[] = [];
  let t = 0;
  for (let i = 0; i < samples; i++) {
    const op = OPS[i % OPS.length]!;
    const id = targets[t++ % targets.length]!;
    const at = new Date().toISOString();
    const start = now();
    if (op === 'transition') {
      const done = await store.transition(id, {
        ...TRANSITIONS.expire,
        audit: { at, invitationId: id, actor: 'bot', action: 'expired' },
        jobs: [
          {
            kind: 'mattermost.notify-inviter',
            invitationId: id,
            dedupeKey: `bench-expired:${id}:${i}`,
            payload: { about: 'expired' },
          },
        ],
      });
      if (!done) throw new Error(`transition of ${id} did nothing`);
    } else if (op === 'patchInvitation') {
      const done = await store.patchInvitation(
        id,
        { approvalPosts: [{ channelId: 'chan0000000000000000000001', postId: newId() }] },
        { at, invitationId: id, actor: 'bot', action: 'link_requested' },
      );
      if (!done) throw new Error(`patch of ${id} did nothing`);
    } else {
      const inv = anInvitation({
        email: `new${i}-${newId()}@example.org`,
        state: 'sending',
        delivery: 'platform_email',
        createdAt: at,
        updatedAt: at,
      });
      await store.createInvitations(
        [inv],
        [{ at, invitationId: inv.id, actor: 'inviter1', action: 'created' }],
        [{ kind: 'mattermost.deliver', invitationId: inv.id, dedupeKey: `deliver:${inv.id}`, payload: {} }],
      );
    }
    const ms = now() - start;
    times[op].push(ms);
    all.push(ms);
  }
  return {
    all: summarize(all),
    byOp: {
      transition: summarize(times.transition),
      patchInvitation: summarize(times.patchInvitation),
      createInvitations: summarize(times.createInvitations),
    },
  };
}

/** Ids of seeded invitations in state `sent` (every fifth seed is), newest first, skipping `skip` of them. */
function sentTargets(size: number, count: number, skip = 0): string[] {
  const ids: string[] = [];
  for (let i = size - 1; i >= 0 && ids.length < count + skip; i--) if (i % 5 === 0) ids.push(seedId(i));
  return ids.slice(skip);
}

const seedId = (i: number) => `seed${i.toString(36).padStart(8, '0')}`;

export interface Row {
  store: string;
  size: number;
  all: Summary;
  byOp: Record<Op, Summary>;
  extra: string;
}

function printRows(rows: Row[]): void {
  const out: (string | number)[][] = [
    [
      'store @ invitations',
      'writes',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'transition p50/p99',
      'patch p50/p99',
      'create(1) p50/p99',
      'setup',
    ],
  ];
  for (const r of rows) {
    const o = (op: Op) => `${fmt(r.byOp[op].p50)}/${fmt(r.byOp[op].p99)}`;
    out.push([
      `${r.store} @ ${r.size / 1000}k`,
      r.all.n,
      fmt(r.all.p50),
      fmt(r.all.p90),
      fmt(r.all.p99),
      fmt(r.all.max),
      o('transition'),
      o('patchInvitation'),
      o('createInvitations'),
      r.extra,
    ]);
  }
  table(out);
}

/** Writes a LowdbStore's files for these invitations, as a compaction leaves them (data file naming journal 0 and
 * the audit log's length); returns the data file's size in MiB. */
async function seedLowdb(dir: string, invitations: Invitation[]): Promise<number> {
  const audit = invitations
    .flatMap(seedAudit)
    .map((e) => JSON.stringify(e) + '\n')
    .join('');
  const json = JSON.stringify({
    version: 2,
    journal: 0,
    auditBytes: Buffer.byteLength(audit),
    invitations,
    outbox: [],
    drafts: [],
    rate: {},
  });
  await writeFile(path.join(dir, 'guestlist.json'), json);
  await writeFile(path.join(dir, 'guestlist-audit.jsonl'), audit);
  return Buffer.byteLength(json) / 2 ** 20;
}

export interface LowdbSize {
  row: Row;
  mib: number;
  openMs: number;
  rssMiB: number;
}

/** One size on files seeded in `dir` (bench/storeLowdb.ts runs it in a process of its own, so that the resident
 * memory is the store's): opens the store, measures its writes. */
export async function lowdbSize(size: number, dir: string, mib: number): Promise<LowdbSize> {
  const t = now();
  const store = await LowdbStore.open(dir);
  const openMs = now() - t;
  (globalThis as { gc?: () => void }).gc?.();
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  await measureWrites(store, sentTargets(size, WARMUP_SAMPLES), WARMUP_SAMPLES);
  const { all, byOp } = await measureWrites(store, sentTargets(size, SAMPLES, WARMUP_SAMPLES), SAMPLES);
  await store.close();
  const extra = `file ${mib.toFixed(1)} MiB, open ${fmt(openMs, 0)} ms, RSS ${fmt(rssMiB, 0)} MiB`;
  return { row: { store: 'lowdb', size, all, byOp, extra }, mib, openMs, rssMiB };
}

async function lowdbRows(): Promise<LowdbSize[]> {
  const results: LowdbSize[] = [];
  for (const size of SIZES) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-bench-store-'));
    try {
      // The files are built here, directly (100k separate writes would take long), as a compaction writes them.
      const mib = await seedLowdb(
        dir,
        Array.from({ length: size }, (_, i) => seedInvitation(i, size)),
      );
      const child = fork(new URL('./storeLowdb.ts', import.meta.url), [String(size), dir, String(mib)], {
        execArgv: [...process.execArgv, '--expose-gc'],
        stdio: 'inherit',
      });
      results.push(
        await new Promise<LowdbSize>((resolve, reject) => {
          child.once('message', (m: LowdbSize & { error?: string }) =>
            m.error ? reject(new Error(m.error)) : resolve(m),
          );
          child.once('exit', (code) => reject(new Error(`lowdb ${size}: exited ${code}`)));
        }),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** LowdbStore.open with `size` invitations all older than the 30-day cutoff: it archives the 80% finished. */
async function lowdbArchiveOpen(size: number): Promise<{ ms: number; archived: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-bench-archive-'));
  try {
    const invitations = Array.from({ length: size }, (_, i) => seedInvitation(i, size, 31 * 86400_000));
    await seedLowdb(dir, invitations);
    const t = now();
    const store = await LowdbStore.open(dir);
    const ms = now() - t;
    const archived = size - (await store.listInvitations({})).length;
    await store.close();
    return { ms, archived };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** PostgreSQL grows one set from 1k to 100k (seed positions 0, 1, 2…): `count` sent ones not written before. */
const PG_FINAL = SIZES.at(-1)!;
const used = new Set<number>();
function pgTargets(seeded: number, count: number): string[] {
  const ids: string[] = [];
  for (let i = seeded - 1; i >= 0 && ids.length < count; i--) {
    if (i % 5 !== 0 || used.has(i)) continue;
    used.add(i);
    ids.push(seedId(i));
  }
  return ids;
}

async function pgRows(): Promise<Row[]> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  const rows: Row[] = [];
  let store: PostgresStore | undefined;
  try {
    store = await PostgresStore.open(DATABASE_URL, { schema });
    let seeded = 0;
    for (const size of SIZES) {
      const t = now();
      // Seeded through the store's own insert, 2,000 invitations (and their audit entries) per call.
      while (seeded < size) {
        const batch = Array.from({ length: Math.min(2000, size - seeded) }, (_, k) =>
          seedInvitation(seeded + k, PG_FINAL),
        );
        await store.createInvitations(batch, batch.flatMap(seedAudit), []);
        seeded += batch.length;
      }
      // as autovacuum would
      await admin.query(`ANALYZE ${schema}.invitations; ANALYZE ${schema}.audit; ANALYZE ${schema}.outbox`);
      const seedMs = now() - t;
      const warm = size === SIZES[0] ? WARMUP_SAMPLES : 0;
      if (warm) await measureWrites(store, pgTargets(seeded, warm), warm);
      const { all, byOp } = await measureWrites(store, pgTargets(seeded, SAMPLES), SAMPLES);
      rows.push({ store: 'postgres', size, all, byOp, extra: `seeded in ${fmt(seedMs / 1000, 1)} s` });
    }
  } finally {
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
  return rows;
}

export async function benchStore(): Promise<StoreFigures> {
  say('## store: write latency with 1k, 10k and 100k invitations stored (one awaited write at a time)');
  const sizes = await lowdbRows();
  const low = { rows: sizes.map((r) => r.row), fileMiB: sizes.at(-1)!.mib };
  const at = (size: number) => sizes.find((r) => r.row.size === size)!;
  const archive = [await lowdbArchiveOpen(5_000), await lowdbArchiveOpen(10_000)];
  const problem = await unreachable();
  const pgr = problem ? [] : await pgRows();
  printRows([...low.rows, ...pgr]);
  const get = (rows: Row[], size: number) => rows.find((r) => r.size === size)!.all;
  const lowGrowth = get(low.rows, 100_000).p50 / get(low.rows, 1_000).p50;
  say(
    `  lowdb write p99 at 10k: ${fmt(get(low.rows, 10_000).p99)} ms (target ≤ 10 ms), ` +
      `at 100k: ${fmt(get(low.rows, 100_000).p99)} ms (target ≤ 20 ms); growth 100k/1k (p50): ${fmt(lowGrowth, 1)}×`,
  );
  say(
    `  lowdb open with 100k: ${fmt(at(100_000).openMs, 0)} ms (target ≤ 2000 ms); ` +
      `resident memory after open at 1k / 10k / 100k: ${sizes.map((r) => fmt(r.rssMiB, 0)).join(' / ')} MiB ` +
      '(target ≤ 250 MiB at 100k)',
  );
  say(
    '  lowdb open with 5k / 10k invitations older than the archive cutoff: ' +
      `${fmt(archive[0]!.ms, 0)} ms / ${fmt(archive[1]!.ms, 0)} ms ` +
      `(archived ${archive[0]!.archived} / ${archive[1]!.archived}); ` +
      `×${fmt(archive[1]!.ms / archive[0]!.ms, 1)} for 2× the data`,
  );
  const figures: StoreFigures = {
    lowdb_archive_open_ms_10k: round(archive[1]!.ms, 0),
    lowdb_write_p50_ms_1k: round(get(low.rows, 1_000).p50),
    lowdb_write_p99_ms_1k: round(get(low.rows, 1_000).p99),
    lowdb_write_p50_ms_10k: round(get(low.rows, 10_000).p50),
    lowdb_write_p99_ms_10k: round(get(low.rows, 10_000).p99),
    lowdb_write_p50_ms_100k: round(get(low.rows, 100_000).p50),
    lowdb_write_p99_ms_100k: round(get(low.rows, 100_000).p99),
    lowdb_write_growth_100k_1k: round(lowGrowth, 1),
    lowdb_file_mib_100k: round(low.fileMiB, 1),
    lowdb_open_ms_100k: round(at(100_000).openMs, 0),
    lowdb_rss_mib_1k: round(at(1_000).rssMiB, 0),
    lowdb_rss_mib_10k: round(at(10_000).rssMiB, 0),
    lowdb_rss_mib_100k: round(at(100_000).rssMiB, 0),
  };
  if (problem) {
    say(
      `  PostgreSQL skipped: not reachable at ${DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} ` +
        `(${problem}). Set DATABASE_URL.`,
    );
    figures.pg_skipped = problem;
  } else {
    const growth = get(pgr, 100_000).p50 / get(pgr, 1_000).p50;
    const growth99 = get(pgr, 100_000).p99 / get(pgr, 1_000).p99;
    say(`  PostgreSQL write growth 100k/1k: p50 ${fmt(growth, 2)}×, p99 ${fmt(growth99, 2)}×   (target ≤ 1.5, on p50)`);
    Object.assign(figures, {
      pg_write_p50_ms_1k: round(get(pgr, 1_000).p50),
      pg_write_p99_ms_1k: round(get(pgr, 1_000).p99),
      pg_write_p50_ms_10k: round(get(pgr, 10_000).p50),
      pg_write_p99_ms_10k: round(get(pgr, 10_000).p99),
      pg_write_p50_ms_100k: round(get(pgr, 100_000).p50),
      pg_write_p99_ms_100k: round(get(pgr, 100_000).p99),
      pg_write_growth_100k_1k: round(growth),
      pg_write_growth_p99_100k_1k: round(growth99),
    });
  }
  say();
  return figures;
}
