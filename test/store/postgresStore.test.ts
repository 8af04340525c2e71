/** Runs the store contract on PostgreSQL, each test in its own fresh schema, plus what only a shared database
 * has: several replicas (pools) on one schema. Without a reachable server the suite is skipped, unless
 * REQUIRE_POSTGRES=1 makes that a failure. */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgresStore.js';
import type { NewJob } from '../../src/store/store.js';
import { storeContract, type StoreHandle } from './storeContract.js';
import { DATABASE_URL, dropSchema, freshSchema, skipWithoutPostgres } from '../support/postgres.js';

const skip = await skipWithoutPostgres('the PostgresStore tests');

/** Stores on one fresh schema; cleanup closes them all and drops the schema. */
async function replicas(count: number): Promise<{ stores: PostgresStore[]; schema: string; cleanup(): Promise<void> }> {
  const schema = freshSchema();
  const stores = await Promise.all(Array.from({ length: count }, () => PostgresStore.open(DATABASE_URL, { schema })));
  return {
    stores,
    schema,
    async cleanup() {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    },
  };
}

describe.skipIf(skip)('PostgresStore', () => {
  storeContract('contract', async (): Promise<StoreHandle> => {
    const { stores, schema, cleanup } = await replicas(1);
    return {
      store: stores[0]!,
      async reopen() {
        const store = await PostgresStore.open(DATABASE_URL, { schema });
        stores.push(store);
        return store;
      },
      cleanup,
    };
  });

  it('migrates once when replicas start together, and again is a no-op', async () => {
    const { stores, schema, cleanup } = await replicas(4);
    try {
      stores.push(await PostgresStore.open(DATABASE_URL, { schema }));
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`).finally(() => client.end());
      expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      await cleanup();
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresStore.open(DATABASE_URL, { schema: 'x; DROP TABLE y' })).rejects.toThrow(/schema name/);
  });

  it('hands every job to exactly one of two replicas claiming at once', async () => {
    const { stores, cleanup } = await replicas(2);
    try {
      const now = new Date();
      const jobs: NewJob[] = Array.from({ length: 300 }, (_, n) => ({ kind: 'send', payload: { n }, dedupeKey: `k${n}`, runAt: new Date(now.getTime() - n).toISOString() }));
      await stores[0]!.enqueue(jobs);
      const claimed: string[] = [];
      // Four workers per replica, each claiming small batches until nothing is left for it.
      const worker = async (store: PostgresStore) => {
        for (;;) {
          const batch = await store.claimJobs(now, 7, 60_000);
          if (!batch.length) return;
          claimed.push(...batch.map((j) => j.dedupeKey));
        }
      };
      await Promise.all(stores.flatMap((store) => Array.from({ length: 4 }, () => worker(store))));
      expect(claimed).toHaveLength(jobs.length);
      expect(new Set(claimed).size).toBe(jobs.length);
      expect(await stores[1]!.claimJobs(now, 100, 60_000)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('shares one rate budget between replicas', async () => {
    const { stores, cleanup } = await replicas(2);
    try {
      const now = new Date();
      const answers = await Promise.all(Array.from({ length: 30 }, (_, n) => stores[n % 2]!.takeRateToken('api', 10, 60_000, now)));
      expect(answers.filter((a) => a.ok)).toHaveLength(10);
    } finally {
      await cleanup();
    }
  });

  it('runs a scheduled job on one replica per tick', async () => {
    const { stores, cleanup } = await replicas(3);
    try {
      let runs = 0;
      const work = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 100));
        return true;
      };
      const results = await Promise.all(stores.map((s) => s.exclusive('reconcile', work)));
      expect(runs).toBe(1);
      expect(results.filter((r) => r === true)).toHaveLength(1);
    } finally {
      await cleanup();
    }
  });
});
