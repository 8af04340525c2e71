/** PostgreSQL for tests: where it is, whether it answers, and fresh schemas. Suites that need it skip when it is
 * unreachable, unless CI=true or REQUIRE_POSTGRES=1 makes that a failure. */
import pg from 'pg';
import { it } from 'vitest';
import { recordSkip, requiredByCi } from './skips.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = requiredByCi('REQUIRE_POSTGRES');
const shownUrl = DATABASE_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/** Why PostgreSQL cannot be used, or undefined when it can. */
export async function unreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Checks the server once per test file; registers a failing test under REQUIRE_POSTGRES=1 when it is missing.
 * Returns true when the suite should be skipped. */
export async function skipWithoutPostgres(suite: string): Promise<boolean> {
  const problem = await unreachable();
  if (!problem) return false;
  if (REQUIRED) {
    it(`reaches PostgreSQL for ${suite} (CI=true or REQUIRE_POSTGRES=1)`, () => {
      throw new Error(`PostgreSQL is required here but ${shownUrl} is unreachable: ${problem}`);
    });
  } else {
    recordSkip(suite, `no PostgreSQL at ${shownUrl} (${problem}); set DATABASE_URL to run it`);
  }
  return true;
}

let schemas = 0;
export const freshSchema = (prefix = 'gl_test') => `${prefix}_${process.pid}_${Date.now()}_${schemas++}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
