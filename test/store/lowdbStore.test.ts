import { spawnSync } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/model.js';
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
  it(
    'moves finished invitations past the retention out ' + 'of the hot file, keeps open ones, and loses nothing',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-archive-'));
      try {
        const store = await LowdbStore.open(dir);
        const old = '2020-01-01T00:00:00.000Z';
        await store.createInvitations(
          [
            invitation('done', { state: 'arrived', updatedAt: old }),
            invitation('open', { state: 'sent', updatedAt: old }),
            invitation('recent', { state: 'denied' }),
          ],
          [{ at: old, invitationId: 'done', actor: 'u', action: 'arrived' }],
          [],
        );
        await store.close();
        const reopened = await LowdbStore.open(dir, 'guestlist.json', 30);
        expect((await reopened.listInvitations({})).map((i) => i.id).sort()).toEqual(['open', 'recent']);
        const archived = (await readFile(reopened.archiveFile, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(archived).toEqual([
          {
            invitation: expect.objectContaining({ id: 'done', state: 'arrived' }),
            audit: [expect.objectContaining({ action: 'arrived' })],
          },
        ]);
        expect(await reopened.auditTrail('done')).toEqual([]);
        // The audit log itself is append-only: the entry stays there too.
        expect(await readFile(reopened.auditFile, 'utf8')).toContain('"invitationId":"done"');
        await reopened.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('LowdbStore archive while changes go on', () => {
  it('keeps in the hot file an invitation changed while the archive reads its trail', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-archive-race-'));
    try {
      const store = await LowdbStore.open(dir);
      const old = '2020-01-01T00:00:00.000Z';
      const entry = (id: string): AuditEntry => ({ at: old, invitationId: id, actor: 'u', action: 'arrived' });
      await store.createInvitations(
        [invitation('a', { state: 'arrived', updatedAt: old }), invitation('b', { state: 'arrived', updatedAt: old })],
        [entry('a'), entry('b')],
        [],
      );
      await store.compact(); // the trails are in the log now: archiving reads them from there
      const archiving = store.archiveFinished(new Date('2021-01-01T00:00:00.000Z'));
      await store.patchInvitation('b', { lastError: 'late' }, { ...entry('b'), action: 'link_requested' });
      expect(await archiving).toBe(1);
      expect((await store.listInvitations({})).map((i) => i.id)).toEqual(['b']);
      expect((await store.getInvitation('b'))?.lastError).toBe('late');
      expect((await store.auditTrail('b')).map((e) => e.action)).toEqual(['arrived', 'link_requested']);
      const archived = (await readFile(store.archiveFile, 'utf8')).trim().split('\n');
      expect(archived.map((l) => JSON.parse(l).invitation.id)).toEqual(['a']);
      await store.close();
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
      const v1 = {
        version: 1,
        invitations: [invitation('a', { createdAt: at, updatedAt: at })],
        audit: [{ at, invitationId: 'a', actor: 'u', action: 'created' }],
        outbox: [],
        drafts: [],
        rate: {},
      };
      await writeFile(path.join(dir, 'guestlist.json'), JSON.stringify(v1, null, 2));
      const store = await LowdbStore.open(dir);
      await store.patchInvitation(
        'a',
        { lastError: 'x' },
        { at, invitationId: 'a', actor: 'bot', action: 'link_requested' },
      );
      await store.close();
      const raw = await readFile(store.file, 'utf8');
      expect(raw).not.toContain('\n');
      expect(JSON.parse(raw)).not.toHaveProperty('audit');
      expect((await readFile(store.auditFile, 'utf8')).trim().split('\n')).toHaveLength(2);
      // torn by a crash
      await appendFile(path.join(dir, 'guestlist-audit.jsonl'), '{"at":"2030-01-01T00:00:00.000Z","invit');
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'link_requested']);
      await reopened.patchInvitation('a', {}, { at, invitationId: 'a', actor: 'bot', action: 'link_issued' });
      await reopened.close();
      const third = await LowdbStore.open(dir);
      expect((await third.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'link_requested', 'link_issued']);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('LowdbStore leftovers', () => {
  it("removes at open the snapshot temp file of a process that died writing it, not a live process's", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-temps-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid is free
      const deadTemp = path.join(dir, `.guestlist.json.${dead}.tmp`);
      const liveTemp = path.join(dir, `.guestlist.json.${process.pid}.tmp`);
      const other = path.join(dir, `.secret.json.${dead}.tmp`);
      for (const file of [deadTemp, liveTemp, other]) await writeFile(file, '{"version":2,"invitations":[');
      const store = await LowdbStore.open(dir);
      const names = await readdir(dir);
      expect(names).not.toContain(path.basename(deadTemp));
      expect(names).toContain(path.basename(liveTemp));
      expect(names).toContain(path.basename(other));
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('LowdbStore audit actions', () => {
  it('refuses to write an action outside the enum, and reads back one written by another version', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-actions-'));
    try {
      const at = '2030-01-01T11:00:00.000Z';
      const legacy = { at, invitationId: 'a', actor: 'u', action: 'sponsored' };
      const v1 = { version: 1, invitations: [invitation('a')], audit: [legacy], outbox: [], drafts: [], rate: {} };
      await writeFile(path.join(dir, 'guestlist.json'), JSON.stringify(v1));
      const store = await LowdbStore.open(dir);
      const unknown = { ...legacy, action: 'renamed' } as unknown as AuditEntry;
      await expect(store.patchInvitation('a', { lastError: 'x' }, unknown)).rejects.toThrow(
        /audit entry refused: action/,
      );
      await store.patchInvitation('a', {}, { at, invitationId: 'a', actor: 'bot', action: 'link_requested' });
      await store.close();
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.getInvitation('a'))?.lastError).toBeUndefined();
      expect((await reopened.auditTrail('a')).map((e) => e.action)).toEqual(['sponsored', 'link_requested']);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('LowdbStore journal', () => {
  const at = '2030-01-01T11:00:00.000Z';
  const journals = async (dir: string) => (await readdir(dir)).filter((n) => /^guestlist-journal\.\d+\.jsonl$/.test(n));

  it('appends each change to the journal, synced before it resolves, without rewriting the data file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-journal-'));
    try {
      const store = await LowdbStore.open(dir);
      await store.createInvitations([invitation('a'), invitation('b')], [], []);
      await store.close();
      const snapshot = await readFile(path.join(dir, 'guestlist.json'), 'utf8');
      const reopened = await LowdbStore.open(dir);
      await reopened.patchInvitation(
        'a',
        { lastError: 'x' },
        { at, invitationId: 'a', actor: 'bot', action: 'link_requested' },
      );
      expect(await readFile(path.join(dir, 'guestlist.json'), 'utf8')).toBe(snapshot);
      const lines = (await Promise.all((await journals(dir)).map((n) => readFile(path.join(dir, n), 'utf8'))))
        .join('')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(1); // one group commit, holding only invitation a and its audit entry
      expect(lines[0]).toContain('"id":"a"');
      expect(lines[0]).not.toContain('"id":"b"');
      // Not closed (as after a crash): the journal alone brings the change back.
      const third = await LowdbStore.open(dir);
      expect((await third.getInvitation('a'))?.lastError).toBe('x');
      expect((await third.auditTrail('a')).map((e) => e.action)).toEqual(['link_requested']);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes a command's draft with the next change, not on its own, and keeps the order of changes", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-drafts-'));
    const draft = (id: string) => ({
      id,
      userId: 'u-alice',
      platform: 'mattermost' as const,
      workspaceId: 'team-1',
      channelId: 'chan-0',
      values: { emails: 'a@example.com', name: '', role: 'collaborator' },
      bot: { username: 'alice' },
      createdAt: at,
      expiresAt: '2999-01-01T00:00:00.000Z',
    });
    const lines = async () =>
      (await Promise.all((await journals(dir)).map((n) => readFile(path.join(dir, n), 'utf8')))).join('').trim();
    try {
      const store = await LowdbStore.open(dir);
      for (const id of ['d1', 'd2', 'd3']) await store.putDraft(draft(id));
      expect(await lines()).toBe(''); // three commands, no journal write yet
      // d2 submitted while an invitation is made: one commit, d2's removal after its creation.
      await Promise.all([store.deleteDraft('d2'), store.createInvitations([invitation('a')], [], [])]);
      const written = (await lines()).split('\n');
      expect(written).toHaveLength(1);
      expect(written[0]!.indexOf('"id":"d2"')).toBeLessThan(written[0]!.indexOf('["D","d2"]'));
      // Not closed (as after a crash): the journal alone brings everything back.
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.getDraft('d1'))?.id).toBe('d1');
      expect(await reopened.getDraft('d2')).toBeUndefined();
      expect((await reopened.getInvitation('a'))?.id).toBe('a');
      await reopened.putDraft(draft('d4'));
      await reopened.close(); // a draft still waiting is written at close
      expect((await (await LowdbStore.open(dir)).getDraft('d4'))?.id).toBe('d4');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ignores a last line torn by a crash, and keeps working after it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-torn-'));
    try {
      const store = await LowdbStore.open(dir);
      await store.createInvitations([invitation('a')], [{ at, invitationId: 'a', actor: 'u', action: 'created' }], []);
      const [journal] = await journals(dir);
      await appendFile(path.join(dir, journal!), '[["i",{"id":"b","platfo'); // the crash cut this commit short
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.listInvitations({})).map((i) => i.id)).toEqual(['a']);
      await reopened.createInvitations([invitation('c')], [], []);
      await reopened.close();
      const third = await LowdbStore.open(dir);
      expect((await third.listInvitations({})).map((i) => i.id).sort()).toEqual(['a', 'c']);
      expect((await third.auditTrail('a')).map((e) => e.action)).toEqual(['created']);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a trail from the audit log and the journal together, before and after compactions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-trail-'));
    const entry = (n: number): AuditEntry => ({
      at,
      invitationId: 'a',
      actor: 'u',
      action: 'link_requested',
      detail: { note: `n${n} "é" \n` },
    });
    try {
      const store = await LowdbStore.open(dir);
      await store.createInvitations([invitation('a'), invitation('b')], [entry(0)], []);
      await store.compact(); // entry 0 now in the log, the others only in the journal
      await store.patchInvitation('a', { lastError: 'x' }, entry(1));
      const third = store.patchInvitation('a', {}, entry(2));
      const folding = store.compact(); // while the third write is on its way
      await third;
      await folding;
      await store.patchInvitation('a', {}, entry(3));
      const notes = [0, 1, 2, 3].map((n) => `n${n} "é" \n`);
      expect((await store.auditTrail('a')).map((e) => e.detail?.note)).toEqual(notes);
      await store.close();
      const reopened = await LowdbStore.open(dir);
      expect((await reopened.auditTrail('a')).map((e) => e.detail?.note)).toEqual(notes);
      expect(await reopened.auditTrail('b')).toEqual([]);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a data file written by hand or by an older version, laid out with indentation', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-pretty-'));
    try {
      const data = { version: 2, invitations: [invitation('a')], outbox: [], drafts: [], rate: { k: [1] } };
      await writeFile(path.join(dir, 'guestlist.json'), JSON.stringify(data, null, 2));
      const store = await LowdbStore.open(dir);
      expect(await store.getInvitation('a')).toEqual(invitation('a'));
      await store.close();
      await writeFile(path.join(dir, 'guestlist.json'), JSON.stringify({ ...data, drafts: undefined }, null, 2));
      await expect(LowdbStore.open(dir)).rejects.toThrow('not valid Guestlist data (drafts: expected an array)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('folds the journal into the data file once it passes its size, while changes go on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-compact-'));
    try {
      const store = await LowdbStore.open(dir, 'guestlist.json', 30, { compactBytes: 4096 });
      for (let n = 0; n < 60; n++) {
        await store.createInvitations(
          [invitation(`i${n}`)],
          [{ at, invitationId: `i${n}`, actor: 'u', action: 'created' }],
          [],
        );
      }
      expect(await journals(dir)).not.toEqual([]);
      await store.compact(); // the one under way, if any
      const data = JSON.parse(await readFile(path.join(dir, 'guestlist.json'), 'utf8'));
      expect(data.invitations.length).toBeGreaterThan(30);
      expect((await journals(dir)).length).toBeLessThanOrEqual(2);
      const reopened = await LowdbStore.open(dir);
      expect(await reopened.listInvitations({})).toHaveLength(60);
      expect((await reopened.auditTrail('i0')).map((e) => e.action)).toEqual(['created']);
      expect((await reopened.auditTrail('i59')).map((e) => e.action)).toEqual(['created']);
      await reopened.close();
      expect((await readFile(path.join(dir, 'guestlist-audit.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(60);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
