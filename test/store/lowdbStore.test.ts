import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import type { Store } from '../../src/store/store.js';
import { invitation, storeContract } from './storeContract.js';

storeContract('LowdbStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-store-'));
  const opened: Store[] = [await LowdbStore.open(dir)];
  return {
    singleProcess: true,
    store: opened[0]!,
    async reopen() {
      const store = await LowdbStore.open(dir);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('LowdbStore archive', () => {
  it('moves finished invitations past the retention out of the hot file, keeps open ones, and loses nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-archive-'));
    try {
      const store = await LowdbStore.open(dir);
      const old = '2020-01-01T00:00:00.000Z';
      await store.createInvitations(
        [invitation('done', { state: 'arrived', updatedAt: old }), invitation('open', { state: 'sent', updatedAt: old }), invitation('recent', { state: 'denied' })],
        [{ at: old, invitationId: 'done', actor: 'u', action: 'arrived' }],
        [],
      );
      await store.close();
      const reopened = await LowdbStore.open(dir, 'guestlist.json', 30);
      expect((await reopened.listInvitations({})).map((i) => i.id).sort()).toEqual(['open', 'recent']);
      const archived = (await readFile(reopened.archiveFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(archived).toEqual([{ invitation: expect.objectContaining({ id: 'done', state: 'arrived' }), audit: [expect.objectContaining({ action: 'arrived' })] }]);
      expect(JSON.parse(await readFile(reopened.file, 'utf8')).audit).toEqual([]);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
