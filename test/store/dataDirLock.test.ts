/** Stale data directory locks: what a restarted container or a crash leaves is taken over, a live holder is not. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/store/dataDirLock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-lockunit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
const left = (holder: object | string) =>
  writeFile(path.join(dir, 'guestlist.lock'), typeof holder === 'string' ? holder : JSON.stringify(holder));

describe('lockDataDir', () => {
  it('takes over a lock whose pid now belongs to another process (a restarted container is pid 1 again)', async () => {
    await left({ pid: process.pid, start: '1', host: os.hostname(), since: '2030-01-01T00:00:00.000Z' });
    const lock = await lockDataDir(dir);
    expect(JSON.parse(await readFile(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over an unreadable lock, and refuses while the lock it took is held', async () => {
    await left('{"pid":');
    const lock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(`in use by process ${process.pid}`);
    await lock.release();
    await (await lockDataDir(dir)).release();
  });

  it('lets exactly one of several concurrent starts take over a stale lock', async () => {
    await left({ pid: 2 ** 22 + 1, host: os.hostname(), since: '2030-01-01T00:00:00.000Z' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDataDir(dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
