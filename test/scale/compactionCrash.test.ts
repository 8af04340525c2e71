/** SIGKILL while the embedded store folds its journal into a new data file: every acknowledged change survives. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdbStore.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs the victim until its snapshot's temp file exists (a compaction is writing it), then kills it. */
async function killDuringCompaction(
  dataDir: string,
  seed: number,
): Promise<{ acked: string[]; temp: boolean; tempFile: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/compactionVictim.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, SEED: String(seed) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked: string[] = [];
  let ready = false;
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') ready = true;
      else if (line.startsWith('ack ')) acked.push(line.slice(4));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const temp = path.join(dataDir, `.guestlist.json.${child.pid}.tmp`);
  const until = Date.now() + 60_000;
  while (!(ready && acked.length > 20 && existsSync(temp)) && Date.now() < until && child.exitCode === null) {
    await new Promise((r) => setImmediate(r));
  }
  const caught = existsSync(temp);
  child.kill('SIGKILL');
  await exited;
  return { acked, temp: caught, tempFile: temp };
}

describe('compaction under SIGKILL (lowdb)', () => {
  it('keeps every acknowledged invitation when killed while a compaction writes the data file', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-compaction-crash-'));
    dirs.push(dataDir);
    const { acked, temp, tempFile } = await killDuringCompaction(dataDir, 20_000);
    expect(temp).toBe(true); // killed in the middle of a compaction
    expect(acked.length).toBeGreaterThan(20);

    const store = await LowdbStore.open(dataDir);
    expect(existsSync(tempFile)).toBe(false); // the dead compaction's half-written snapshot is cleaned up at open
    const ids = new Set((await store.listInvitations({})).map((i) => i.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]);
    expect([...ids].filter((id) => id.startsWith('seed'))).toHaveLength(20_000);
    expect((await store.auditTrail(acked.at(-1)!)).map((e) => e.action)).toEqual(['created']);
    await store.createInvitations(
      [{ ...(await store.getInvitation(acked[0]!))!, id: 'after', email: 'after@example.org' }],
      [],
      [],
    );
    await store.close();
    // The next open sees everything once.
    const again = await LowdbStore.open(dataDir);
    expect((await again.listInvitations({})).length).toBe(ids.size + 1);
    expect(await again.auditTrail(acked[0]!)).toHaveLength(1);
    await again.close();
    expect(
      (await readdir(dataDir)).filter((n) => n.endsWith('.jsonl') && n.includes('journal')).length,
    ).toBeLessThanOrEqual(2);
  }, 120_000);
});
