/** One bot per data directory: a second one refuses to start, naming the holder; a killed one does not keep it. */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotProcess, startBot } from '../support/botProcess.js';

let dataDir: string;
const bots: BotProcess[] = [];
const env = () => ({ DATA_DIR: dataDir, GUESTLIST_SECRET: 'lock-test-secret-0123456789-0123456789' });
const lockFile = () => path.join(dataDir, 'guestlist.lock');

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-lock-'));
});
afterAll(async () => {
  for (const bot of bots) await bot.kill();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the data directory lock', () => {
  it('refuses a second bot on the same data directory, naming the process that holds it', async () => {
    const first = await startBot(env());
    bots.push(first);
    const second = startBot(env());
    await expect(second).rejects.toThrow(`is in use by process ${first.child.pid} on ${os.hostname()}`);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    // Killed without a chance to clean up: the lock file stays, but names a process that is gone.
    await first.kill('SIGKILL');
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const third = await startBot(env());
    bots.push(third);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: third.child.pid });

    // A clean stop releases it.
    await third.kill('SIGTERM');
    expect(third.child.exitCode).toBe(0);
    await expect(access(lockFile())).rejects.toThrow(/ENOENT/);
  }, 60_000);
});
