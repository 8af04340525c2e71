/** lowdb under faults: a write that fails is undone (never served, written or delivered later), a record that
 * cannot be serialized is refused alone, a broken data file is named, drafts are bounded. Writes are made to fail
 * the way root cannot ignore: the journal is replaced by a directory (test/support/storeFaults.ts). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditAction, AuditEntry } from '../../src/core/model.js';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import { StoreRecordError } from '../../src/store/records.js';
import { blockStoreWrites } from '../support/storeFaults.js';
import { invitation } from './storeContract.js';

let dir: string;
let store: LowdbStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guestlist-faults-'));
  store = await LowdbStore.open(dir);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

let unblockWrites: () => Promise<void>;
const blockWrites = async () => void (unblockWrites = await blockStoreWrites(dir));
const entry = (invitationId: string, action: AuditAction, detail?: Record<string, unknown>): AuditEntry => ({
  at: '2030-01-01T11:00:00.000Z',
  invitationId,
  actor: 'u-bob',
  action,
  ...(detail && { detail }),
});
const job = (key: string, payload: Record<string, unknown> = {}) => ({
  kind: 'send',
  payload,
  dedupeKey: key,
  invitationId: key,
});

describe('a write that fails', () => {
  it('is undone: refused, not served, never claimed, and absent after recovery and restart', async () => {
    await store.createInvitations([invitation('a')], [entry('a', 'created')], []);
    await blockWrites();

    await expect(store.createInvitations([invitation('b')], [entry('b', 'created')], [job('b')])).rejects.toThrow(
      /EISDIR/,
    );
    await expect(
      store.transition('a', {
        from: ['pending_approval'],
        to: 'sending',
        audit: entry('a', 'approve'),
        jobs: [job('a')],
      }),
    ).rejects.toThrow(/EISDIR/);
    expect(await store.getInvitation('b')).toBeUndefined();
    expect((await store.getInvitation('a'))?.state).toBe('pending_approval');
    expect((await store.auditTrail('a')).map((e) => e.action)).toEqual(['created']);
    expect(await store.claimJobs(new Date('2100-01-01'), 10, 60_000)).toEqual([]);
    expect(await store.writable()).toBe(false);

    await unblockWrites();
    expect(await store.writable()).toBe(true);
    await store.createInvitations([invitation('c')], [entry('c', 'created')], [job('c')]);
    expect((await store.claimJobs(new Date('2100-01-01'), 10, 60_000)).map((j) => j.dedupeKey)).toEqual(['c']);
    await store.close();

    store = await LowdbStore.open(dir);
    expect((await store.listInvitations({})).map((i) => i.id).sort()).toEqual(['a', 'c']);
    expect((await store.getInvitation('a'))?.state).toBe('pending_approval');
    expect((await store.auditTrail('a')).map((e) => e.action)).toEqual(['created']);
    expect((await store.jobs()).map((j) => j.dedupeKey)).toEqual(['c']);
    expect(await readFile(store.auditFile, 'utf8')).not.toContain('approve');
  });

  it('also undoes the changes made while it ran, which share the next write', async () => {
    await blockWrites();
    const first = store.createInvitations([invitation('a')], [], []);
    await new Promise((resolve) => setImmediate(resolve)); // the write of 'a' is under way
    const second = store.createInvitations([invitation('b')], [], [job('b')]);
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    await unblockWrites();
    expect(await store.listInvitations({})).toEqual([]);
    expect(await store.jobs()).toEqual([]);
  });
});

describe('a record that cannot be serialized', () => {
  it('is refused on its own, and the next change is written', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { deep };
    await expect(store.enqueue([job('poison', { deep })])).rejects.toThrow(StoreRecordError);
    await store.createInvitations([invitation('a')], [entry('a', 'created')], []);
    await expect(
      store.transition('a', { from: ['pending_approval'], to: 'sending', audit: entry('a', 'approve', { n: 10n }) }),
    ).rejects.toThrow(/audit entry refused/);
    await expect(store.patchInvitation('a', { name: 10n as unknown as string })).rejects.toThrow(
      /change of a refused: name/,
    );
    expect((await store.getInvitation('a'))?.state).toBe('pending_approval');
    await store.transition('a', { from: ['pending_approval'], to: 'sending', audit: entry('a', 'approve') });
    await store.close();

    store = await LowdbStore.open(dir);
    expect((await store.getInvitation('a'))?.state).toBe('sending');
    expect(await store.jobs()).toEqual([]);
  });

  it('keeps only the known fields of what it stores', async () => {
    await store.createInvitations(
      [{ ...invitation('a'), responseUrl: 'http://evil', inviter: { id: 'u', username: 'u', admin: true } } as never],
      [],
      [],
    );
    const stored = await store.getInvitation('a');
    expect(stored).not.toHaveProperty('responseUrl');
    expect(stored?.inviter).toEqual({ id: 'u', username: 'u' });
  });
});

describe('a broken data file', () => {
  it(
    'stops the start with an error naming the file when ' + 'it is not JSON, or holds null, and leaves it untouched',
    async () => {
      await store.close();
      const file = path.join(dir, 'guestlist.json');
      await writeFile(file, '{"version":2,"invitations":[');
      await expect(LowdbStore.open(dir)).rejects.toThrow(`The data file ${file} is not valid JSON`);
      await writeFile(file, 'null');
      await expect(LowdbStore.open(dir)).rejects.toThrow(`The data file ${file} holds null, not Guestlist data`);
      expect(await readFile(file, 'utf8')).toBe('null');
      await writeFile(file, '[]');
      await expect(LowdbStore.open(dir)).rejects.toThrow('holds an array');
      await rm(file);
      store = await LowdbStore.open(dir);
    },
  );
});
