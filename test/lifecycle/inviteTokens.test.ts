import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueLinkToken } from '../../src/actions/issueLinkToken.js';
import { recordArrival } from '../../src/actions/recordArrival.js';
import {
  acceptanceUrl,
  findInvitationByLinkToken,
  hashLinkToken,
  isWellFormedLinkToken,
  linkStatus,
  newLinkToken,
} from '../../src/lifecycle/inviteTokens.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';

const clock = { now: () => new Date('2030-01-02T00:00:00.000Z') };

describe('link tokens', () => {
  it('carry 256 random bits as base64url and are stored as SHA-256 only', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, hash } = newLinkToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(hash).toBe(hashLinkToken(token));
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      seen.add(token);
    }
    expect(seen.size).toBe(200);
  });

  it('refuses malformed tokens before any lookup', () => {
    expect(isWellFormedLinkToken('short')).toBe(false);
    expect(isWellFormedLinkToken(`${'a'.repeat(42)}=`)).toBe(false);
    expect(isWellFormedLinkToken(undefined)).toBe(false);
    expect(isWellFormedLinkToken(newLinkToken().token)).toBe(true);
  });

  it('builds the acceptance URL', () => {
    expect(acceptanceUrl('https://bot.example.com/', 'abc')).toBe('https://bot.example.com/join/abc');
  });
});

describe('issuing and finding links', () => {
  let store: LowdbStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ store, cleanup } = await tempStore()));
  afterEach(() => cleanup());

  it('stores only the hash, finds the invitation by token, and a new link kills the old one', async () => {
    const inv = anInvitation();
    await store.createInvitations([inv], [], []);
    const first = await issueLinkToken({ store, clock }, inv, 'bob');
    expect(first?.invitation.linkTokenHash).toBe(hashLinkToken(first!.token));
    // Everything the store keeps on disk: its snapshot (once written) and journal files.
    const dir = path.dirname(store.file);
    const files = await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name), 'utf8')));
    const file = files.join('\n');
    expect(file).not.toContain(first!.token);
    expect(file).toContain(hashLinkToken(first!.token));
    expect((await findInvitationByLinkToken(store, first!.token))?.id).toBe(inv.id);

    const second = await issueLinkToken({ store, clock }, inv, 'bob');
    expect(await findInvitationByLinkToken(store, first!.token)).toBeUndefined();
    expect((await findInvitationByLinkToken(store, second!.token))?.id).toBe(inv.id);
    const trail = await store.auditTrail(inv.id);
    expect(trail.map((a) => a.action)).toEqual(['link_issued', 'link_issued']);
    expect(JSON.stringify(trail)).not.toContain(second!.token);
  });

  it('finds nothing for unknown or malformed tokens', async () => {
    expect(await findInvitationByLinkToken(store, newLinkToken().token)).toBeUndefined();
    expect(await findInvitationByLinkToken(store, '../../etc/passwd')).toBeUndefined();
  });

  it('is single use: accepting moves the invitation to arrived once, and the link then reads as used', async () => {
    const inv = anInvitation();
    await store.createInvitations([inv], [], []);
    const { token } = (await issueLinkToken({ store, clock }, inv, 'bob'))!;
    const found = (await findInvitationByLinkToken(store, token))!;
    expect(linkStatus(found, clock.now())).toBe('usable');
    const [a, b] = await Promise.all([
      recordArrival({ store, clock }, found, 'user1', 'acceptance-page'),
      recordArrival({ store, clock }, found, 'user2', 'acceptance-page'),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(linkStatus((await findInvitationByLinkToken(store, token))!, clock.now())).toBe('used');
  });
});

describe('link status', () => {
  const now = new Date('2030-01-05T00:00:00.000Z');
  it('reads the state, and the expiry date before the expiry job has run', () => {
    expect(linkStatus(anInvitation({ state: 'sent' }), now)).toBe('usable');
    expect(linkStatus(anInvitation({ state: 'sent', expiresAt: null }), now)).toBe('usable');
    expect(linkStatus(anInvitation({ state: 'sent', expiresAt: '2030-01-04T23:59:59.000Z' }), now)).toBe('expired');
    expect(linkStatus(anInvitation({ state: 'expired' }), now)).toBe('expired');
    expect(linkStatus(anInvitation({ state: 'revoked' }), now)).toBe('revoked');
    expect(linkStatus(anInvitation({ state: 'arrived' }), now)).toBe('used');
    expect(linkStatus(anInvitation({ state: 'pending_approval' }), now)).toBe('unavailable');
    expect(linkStatus(anInvitation({ state: 'denied' }), now)).toBe('unavailable');
  });
});
