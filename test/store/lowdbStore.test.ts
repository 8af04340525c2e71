import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
      expect(await reopened.auditTrail('done')).toEqual([]);
      // The audit log itself is append-only: the entry stays there too.
      expect(await readFile(reopened.auditFile, 'utf8')).toContain('"invitationId":"done"');
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('LowdbStore files', () => {
  it('keeps the audit trail in an append-only log beside a compact data file, and reads a version 1 file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-files-'));
    try {
      const at = new Date().toISOString();
      const v1 = { version: 1, invitations: [invitation('a', { createdAt: at, updatedAt: at })], audit: [{ at, invitationId: 'a', actor: 'u', action: 'created' }], outbox: [], drafts: [], rate: {} };
      await writeFile(path.join(dir, 'guestlist.json'), JSON.stringify(v1, null, 2));
      const store = await LowdbStore.open(dir);
      await store.patchInvitation('a', { lastError: 'x' }, { at, invitationId: 'a', actor: 'bot', action: 'noted' });
      const raw = await readFile(store.file, 'utf8');
      expect(raw).not.toContain('\n');
      expect(JSON.parse(raw)).not.toHaveProperty('audit');
      expect((await readFile(store.auditFile, 'utf8')).trim().split('\n')).toHaveLength(2);
      await store.close();
      await appendFile(path.join(dir, 'guestlist-audit.jsonl'), '{"at":"2030-01-01T00:00:00.000Z","invit'); // torn by a crash
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'noted']);
      await reopened.patchInvitation('a', {}, { at, invitationId: 'a', actor: 'bot', action: 'after-crash' });
      await reopened.close();
      const third = await LowdbStore.open(dir);
      expect((await third.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'noted', 'after-crash']);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
