/** Store write latency against the number of invitations stored (1k, 10k, 100k), for LowdbStore and PostgresStore.
 * Each sample is one awaited call, one at a time (no coalescing with other callers): a `transition` (sent → expired,
 * with its audit entry and one job, as an expiry does), a `patchInvitation` (with an audit entry, as approvals do)
 * or a `createInvitations` of one invitation (with its audit entry and its delivery job), in turn. */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Invitation } from '../src/core/model.js';
import { LowdbStore } from '../src/store/lowdbStore.js';
import { PostgresStore } from '../src/store/postgresStore.js';
import { unreachable } from '../test/support/postgres.js';
import { DATABASE_URL, fmt, now, round, say, table } from './lib.js';
import {
  type LowdbSize,
  measureWrites,
  type Op,
  type Row,
  SAMPLES,
  seedAudit,
  seedId,
  seedInvitation,
  WARMUP_SAMPLES,
} from './storeWrites.js';

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
  lowdb_open_vs_parse_100k: number;
  lowdb_rss_mib_1k: number;
  lowdb_rss_mib_10k: number;
  lowdb_rss_mib_100k: number;
  lowdb_rss_records_mib_100k: number;
  lowdb_heap_mib_100k: number;
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
    `  lowdb open with 100k: ${fmt(at(100_000).openMs, 0)} ms (target ≤ 2000 ms), ` +
      `${fmt(at(100_000).openMs / at(100_000).parseMs, 2)}× a bare JSON.parse of its files in the same process; ` +
      `resident memory after open at 1k / 10k / 100k: ${sizes.map((r) => fmt(r.rssMiB, 0)).join(' / ')} MiB ` +
      '(target ≤ 250 MiB at 100k)',
  );
  say(
    `  of which the records (RSS after open − before): ` +
      `${sizes.map((r) => fmt(r.rssMiB - r.rssBeforeMiB, 0)).join(' / ')} MiB; ` +
      `JS heap in use: ${sizes.map((r) => fmt(r.heapMiB, 0)).join(' / ')} MiB ` +
      '(one process per size, loading only the store)',
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
    lowdb_open_vs_parse_100k: round(at(100_000).openMs / at(100_000).parseMs),
    lowdb_rss_mib_1k: round(at(1_000).rssMiB, 0),
    lowdb_rss_mib_10k: round(at(10_000).rssMiB, 0),
    lowdb_rss_mib_100k: round(at(100_000).rssMiB, 0),
    lowdb_rss_records_mib_100k: round(at(100_000).rssMiB - at(100_000).rssBeforeMiB, 0),
    lowdb_heap_mib_100k: round(at(100_000).heapMiB, 0),
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
