/** SIGTERM: the bot stops taking requests, finishes what it holds, flushes the store and exits cleanly. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBot } from '../support/botProcess.js';

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('graceful shutdown', () => {
  it('exits 0 on SIGTERM with its data file whole and its port closed', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-shutdown-'));
    const bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
    bot.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(bot.output()).toMatch(/SIGTERM: shutting down/);
    await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();
    expect(JSON.parse(await readFile(path.join(dataDir, 'guestlist.json'), 'utf8'))).toMatchObject({ version: 2, invitations: [] });
  });
});
