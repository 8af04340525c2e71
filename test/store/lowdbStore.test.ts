import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './storeContract.js';

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
