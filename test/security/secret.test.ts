/** The signing secret: never weak, never left half-written, one per data directory. */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { loadOrCreateSecret } from '../../src/security/secret.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guestlist-secret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the signing secret', () => {
  it('refuses to start on an empty secret file (left by a first start on a full disk), naming the file', async () => {
    await writeFile(path.join(dir, 'secret'), '');
    const start = buildApp(loadConfig({ PORT: '0', DATA_DIR: dir }), { log: createLogger('silent'), schedule: false });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`${path.join(dir, 'secret')} is 0 bytes long; at least 32 are needed`);
  });

  it('refuses a secret file cut short', async () => {
    await writeFile(path.join(dir, 'secret'), 'abcdefghij0123456789abcdefghij\n');
    await expect(loadOrCreateSecret(dir)).rejects.toThrow(/secret is 30 bytes long/);
  });

  it('refuses a configured secret shorter than 32 bytes, naming GUESTLIST_SECRET', async () => {
    await expect(loadOrCreateSecret(dir, 'short')).rejects.toThrow(
      'The signing secret in GUESTLIST_SECRET is 5 bytes long',
    );
    await expect(loadOrCreateSecret(dir, '')).rejects.toThrow(/GUESTLIST_SECRET is 0 bytes/);
    expect(await loadOrCreateSecret(dir, 'x'.repeat(32))).toBe('x'.repeat(32));
  });

  it('generates a secret of at least 32 bytes, kept with mode 0600 and used again at the next start', async () => {
    const secret = await loadOrCreateSecret(dir);
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    const file = path.join(dir, 'secret');
    expect(await readFile(file, 'utf8')).toBe(secret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSecret(dir)).toBe(secret);
    expect(await readdir(dir)).toEqual(['secret']);
  });

  it('gives every concurrent first start the same secret', async () => {
    const secrets = await Promise.all(Array.from({ length: 20 }, () => loadOrCreateSecret(dir)));
    expect(new Set(secrets).size).toBe(1);
    expect(Buffer.byteLength(secrets[0]!)).toBeGreaterThanOrEqual(32);
    expect(await readFile(path.join(dir, 'secret'), 'utf8')).toBe(secrets[0]);
    expect(await readdir(dir)).toEqual(['secret']);
  });
});
