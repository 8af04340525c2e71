/** Shared helpers for the benchmarks: statistics, printing, a bot wired to a Mattermost fake. */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { pino } from 'pino';
import { type App, type AppOptions, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LowdbStore } from '../src/store/lowdbStore.js';
import { PostgresStore } from '../src/store/postgresStore.js';
import type { Store } from '../src/store/store.js';
import { freePort } from '../test/support/freePort.js';

export const COMMAND_TOKEN = 'benchcmdtoken0123456789abcdef';
export const BOT_TOKEN = 'bot-token';
export const SECRET = 'bench-secret-0123456789-0123456789-abcdef';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

import { fmt, now, summarize } from './stats.js';

export { fmt, now, round, type Summary, summarize } from './stats.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Human output goes to stderr when --json is given, so that stdout's last line is the JSON object. */
export let say: (line?: string) => void = (line = '') => console.log(line);
export function sayTo(stream: 'stdout' | 'stderr'): void {
  say = stream === 'stdout' ? (line = '') => console.log(line) : (line = '') => console.error(line);
}

export function table(rows: (string | number)[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  for (const [i, r] of rows.entries()) {
    say(
      '  ' +
        r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!))).join('  '),
    );
    if (i === 0) say('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, stepMs = 10): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) return undefined;
    await sleep(stepMs);
  }
}

/** Where the bot posts its response_url answers (the command's confirmation). */
export async function hookServer(): Promise<{
  url: string;
  received: { at: number; body: unknown }[];
  close(): Promise<void>;
}> {
  const received: { at: number; body: unknown }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ at: now(), body: body ? JSON.parse(body) : undefined });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/commands/x`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Bot {
  app: App;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Which store the bot benchmarks run on: lowdb (the default, as without DATABASE_URL) or BENCH_STORE=postgres. */
export const BOT_STORE: 'lowdb' | 'postgres' = process.env.BENCH_STORE === 'postgres' ? 'postgres' : 'lowdb';

/** The bot as main.ts builds it, pointed at `mattermostUrl`: lowdb in a fresh DATA_DIR, or with BENCH_STORE=postgres a
 * PostgresStore on a schema of its own (dropped on close). `seed` writes to the store before the bot starts. */
export async function startBot(opts: {
  mattermostUrl: string;
  approvalChannelId?: string;
  env?: Record<string, string>;
  app?: AppOptions;
  seed?: (store: Store) => Promise<void>;
  /** A replica: PostgreSQL on this schema, whatever BENCH_STORE says, shared with other bots (not dropped on close). */
  sharedSchema?: string;
}): Promise<Bot> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-bench-'));
  const schema = opts.sharedSchema
    ? undefined
    : BOT_STORE === 'postgres'
      ? `bench_bot_${process.pid}_${Date.now()}`
      : undefined;
  const pgSchema = opts.sharedSchema ?? schema;
  const store = pgSchema
    ? await PostgresStore.open(DATABASE_URL, { schema: pgSchema })
    : await LowdbStore.open(dataDir);
  await opts.seed?.(store);
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    GUESTLIST_SECRET: SECRET,
    MATTERMOST_URL: opts.mattermostUrl,
    MATTERMOST_BOT_TOKEN: BOT_TOKEN,
    MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
    ...(opts.approvalChannelId ? { MATTERMOST_APPROVAL_CHANNEL_ID: opts.approvalChannelId } : {}),
    ...opts.env,
  };
  // BENCH_OUTBOX_CONCURRENCY: what-if runs with more or fewer jobs in flight (by default the bot's own).
  const concurrency = process.env.BENCH_OUTBOX_CONCURRENCY
    ? { concurrency: Number(process.env.BENCH_OUTBOX_CONCURRENCY) }
    : {};
  const appOpts: AppOptions = { schedule: false, log: pino({ level: 'silent' }), store, ...opts.app };
  if (appOpts.outbox) appOpts.outbox = { ...appOpts.outbox, ...concurrency };
  const app = await buildApp(loadConfig(env), appOpts);
  await app.listen();
  return {
    app,
    url: env.PUBLIC_URL!,
    dataDir,
    async close() {
      await app.stop(); // closes the store
      await rm(dataDir, { recursive: true, force: true });
      if (schema) {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  };
}

/** A TypeScript module in a worker thread (tsx registered there too). */
export function tsWorker(entry: URL, workerData: unknown): Worker {
  return new Worker(new URL('./tsWorkerBoot.mjs', import.meta.url), {
    workerData: { entry: entry.href, data: workerData },
  });
}

/** Sends one request to a worker and waits for the answer of the same `type`. */
export function ask<T>(worker: Worker, message: { type: string } & Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; error?: string }) => {
      if (m.type !== message.type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (m.error) reject(new Error(m.error));
      else resolve(m as T);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(message);
  });
}

/** BENCH_TRACE=1: times the bot's store calls and its HTTP calls to the fake, to see where a command waits. */
export function traceBot(app: { store: object }): { report(): void } {
  const times = new Map<string, number[]>();
  const record = (key: string, ms: number) => (times.get(key) ?? times.set(key, []).get(key)!).push(ms);
  const store = app.store as Record<string, unknown>;
  for (const name of [
    'putDraft',
    'getDraft',
    'getInvitation',
    'listInvitations',
    'takeRateToken',
    'transition',
    'patchInvitation',
    'enqueue',
    'claimJobs',
    'completeJob',
    'retryJob',
  ]) {
    const original = store[name] as (...a: unknown[]) => Promise<unknown>;
    store[name] = async (...a: unknown[]) => {
      const t = now();
      try {
        return await original.apply(app.store, a);
      } finally {
        record(`store.${name}`, now() - t);
      }
    };
  }
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const t = now();
    try {
      return await originalFetch(input, init);
    } finally {
      const url = String(input instanceof Request ? input.url : input)
        .replace(/^https?:\/\/[^/]+/, '')
        .replace(/[a-z0-9]{26}/g, ':id')
        .replace(/\/email\/[^/?]+/, '/email/:email')
        .replace(/\?.*/, '');
      record(`fetch ${(init?.method ?? 'GET').toUpperCase()} ${url}`, now() - t);
    }
  };
  return {
    report() {
      globalThis.fetch = originalFetch;
      const rows: (string | number)[][] = [
        ['traced call (whole run incl. warm-up)', 'calls', 'p50 ms', 'p99 ms', 'mean ms'],
      ];
      for (const [k, v] of times) {
        const s = summarize(v);
        rows.push([k, s.n, fmt(s.p50), fmt(s.p99), fmt(s.mean)]);
      }
      table(rows);
    },
  };
}
