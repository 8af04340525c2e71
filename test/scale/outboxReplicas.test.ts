/** Replicas' outboxes on one PostgreSQL database, each on a connection pool of its own as in two processes: a job
 * queued by one is picked up by another at once (NOTIFY), not at its next poll, and a job that runs longer than
 * its lease keeps it (renewal) instead of being run a second time. */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { Outbox, type OutboxOptions } from '../../src/outbox/outbox.js';
import { PostgresStore } from '../../src/store/postgresStore.js';
import { eventually } from '../support/freePort.js';
import { DATABASE_URL, dropSchema, freshSchema, skipWithoutPostgres } from '../support/postgres.js';

const skip = await skipWithoutPostgres('the outbox replica tests');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups.length = 0;
});

async function replicas(schema: string, opts: OutboxOptions, run: (replica: number) => Promise<void>) {
  const started: { store: PostgresStore; outbox: Outbox }[] = [];
  for (let i = 0; i < 2; i++) {
    const store = await PostgresStore.open(DATABASE_URL, { schema });
    const outbox = new Outbox(store, systemClock, pino({ level: 'silent' }), opts);
    outbox.register('probe', { run: () => run(i) });
    cleanups.push(
      () => store.close(),
      () => outbox.stop(),
    );
    started.push({ store, outbox });
  }
  return started;
}

describe.skipIf(skip)('outboxes of two replicas on one database', () => {
  it('runs a job queued by one replica on the other without waiting for its poll', async () => {
    const schema = freshSchema('gl_wake');
    cleanups.push(() => dropSchema(schema));
    const ran: number[] = [];
    // Polls once a minute: only the database's notification can start the job within the test.
    const [writer, worker] = await replicas(schema, { pollMs: 60_000 }, async (i) => void ran.push(i));
    worker!.outbox.start();
    await worker!.outbox.drain();
    await writer!.store.enqueue([{ kind: 'probe', payload: {}, dedupeKey: 'wake-1' }]);
    await eventually(() => ran.length > 0, 10_000);
    expect(ran).toEqual([1]);
  });

  it('keeps the lease of a job that runs longer than it, so that no other replica runs it again', async () => {
    const schema = freshSchema('gl_lease');
    cleanups.push(() => dropSchema(schema));
    let runs = 0;
    const slow = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 1500));
    };
    const both = await replicas(schema, { pollMs: 50, leaseMs: 300 }, slow);
    for (const r of both) r.outbox.start();
    await both[0]!.store.enqueue([{ kind: 'probe', payload: {}, dedupeKey: 'slow-1' }]);
    await eventually(async () => (await both[0]!.store.jobs({ state: 'done' })).length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // time for a second claim, had the lease run out
    expect(runs).toBe(1);
  });
});
