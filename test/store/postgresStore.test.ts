/** Runs the store contract on PostgreSQL, each test in its own fresh schema, plus what only a shared database
 * has: several replicas (pools) on one schema. Without a reachable server the suite is skipped, unless
 * REQUIRE_POSTGRES=1 makes that a failure. */

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../src/core/model.js';
import { PostgresStore } from '../../src/store/postgresStore.js';
import type { CreateChecks, NewJob } from '../../src/store/store.js';
import { DATABASE_URL, dropSchema, freshSchema, skipWithoutPostgres } from '../support/postgres.js';
import { invitation, type StoreHandle, storeContract } from './storeContract.js';

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
      const { rows } = await client
        .query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`)
        .finally(() => client.end());
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
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
      const jobs: NewJob[] = Array.from({ length: 300 }, (_, n) => ({
        kind: 'send',
        payload: { n },
        dedupeKey: `k${n}`,
        runAt: new Date(now.getTime() - n).toISOString(),
      }));
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
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, n) => stores[n % 2]!.takeRateToken('api', 10, 60_000, now)),
      );
      expect(answers.filter((a) => a.ok)).toHaveLength(10);
    } finally {
      await cleanup();
    }
  });

  it('creates one invitation for an address, and no more than the limit, across two replicas at once', async () => {
    const { stores, cleanup } = await replicas(2);
    try {
      const checks = (perHour: number, inviterId = 'u-alice'): CreateChecks => ({
        openStates: ['pending_approval', 'sending', 'sent', 'failed'],
        rateLimit: { inviterId, since: new Date('2030-01-01T09:00:00.000Z'), limit: { perHour } },
      });
      // Alternating replicas: each is its own pool, as two processes would be.
      const create = (n: number, inv: Invitation, checked: CreateChecks) =>
        stores[n % 2]!.createInvitations([inv], [], [], checked);
      const ana = (n: number) => invitation(`a${n}`, { email: 'ana@example.org' });
      const same = await Promise.all(Array.from({ length: 10 }, (_, n) => create(n, ana(n), checks(20))));
      expect(same.filter((o) => o.ok)).toHaveLength(1);
      const duplicate = { ok: false, refused: 'duplicates', emails: ['ana@example.org'] };
      expect(same.filter((o) => !o.ok)).toEqual(Array(9).fill(duplicate));

      const bobs = (n: number) => invitation(`b${n}`, { inviter: { id: 'u-bob', username: 'bob' } });
      const many = await Promise.all(Array.from({ length: 8 }, (_, n) => create(n, bobs(n), checks(5, 'u-bob'))));
      expect(many.filter((o) => o.ok)).toHaveLength(5);
      expect(many.filter((o) => !o.ok)).toEqual(Array(3).fill({ ok: false, refused: 'rateLimit', recent: 5 }));
      expect(await stores[0]!.listInvitations({ inviterId: 'u-bob' })).toHaveLength(5);
    } finally {
      await cleanup();
    }
  });

  it('reads back an audit action this version does not list (written by another version)', async () => {
    const { stores, schema, cleanup } = await replicas(1);
    const db = new pg.Client({ connectionString: DATABASE_URL });
    try {
      const at = '2030-01-01T11:00:00.000Z';
      await stores[0]!.createInvitations(
        [invitation('a')],
        [{ at, invitationId: 'a', actor: 'u', action: 'created' }],
        [],
      );
      await db.connect();
      await db.query(`INSERT INTO "${schema}".audit (doc) VALUES ($1)`, [
        { at, invitationId: 'a', actor: 'u', action: 'sponsored' },
      ]);
      expect((await stores[0]!.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'sponsored']);
    } finally {
      await db.end();
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
