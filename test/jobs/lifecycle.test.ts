import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLifecycle } from '../../src/jobs/lifecycle.js';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import { invitation } from '../store/storeContract.js';

const DAY = 86400_000;
const start = Date.UTC(2030, 0, 1);
let now = start;
const clock = { now: () => new Date(now) };
let dir: string;
let store: LowdbStore;

beforeEach(async () => {
  now = start;
  dir = await mkdtemp(path.join(tmpdir(), 'guestlist-lifecycle-'));
  store = await LowdbStore.open(dir);
  const at = new Date(start).toISOString();
  const expires = (days: number) => new Date(start + days * DAY).toISOString();
  await store.createInvitations(
    [
      invitation('week', { state: 'sent', createdAt: at, updatedAt: at, expiresAt: expires(7) }),
      invitation('day', { state: 'sent', createdAt: at, updatedAt: at, expiresAt: expires(1) }),
      invitation('never', { state: 'sent', createdAt: at, updatedAt: at, expiresAt: null }),
      invitation('asking', {
        state: 'pending_approval',
        createdAt: at,
        updatedAt: at,
        expiresAt: expires(3),
        workspaceId: 'team1',
      }),
    ],
    [],
    [],
  );
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const state = async (id: string) => (await store.getInvitation(id))!.state;
const jobKinds = async () =>
  (await store.jobs()).map((j) => `${j.kind}:${j.invitationId ?? j.payload.workspaceId}`).sort();

describe('expiry, reminders and the approvers’ digest', () => {
  it('does nothing while nothing is due', async () => {
    expect(await runLifecycle({ store, clock })).toEqual({
      expired: 0,
      reminded: 0,
      digests: 0,
      accessEnded: 0,
      sponsorsReminded: 0,
    });
  });

  it('reminds once before expiry, halfway for a one-day invitation', async () => {
    now = start + 12 * 3600_000;
    expect((await runLifecycle({ store, clock })).reminded).toBe(1);
    expect(await runLifecycle({ store, clock })).toMatchObject({ reminded: 0 });
    expect(await jobKinds()).toEqual(['mattermost.remind-invitee:day']);
  });

  it('expires after downtime, once, tells the inviter and digests what waited more than a day', async () => {
    now = start + 8 * DAY; // the bot was down for a week
    expect(await runLifecycle({ store, clock })).toEqual({
      expired: 3,
      reminded: 0,
      digests: 0,
      accessEnded: 0,
      sponsorsReminded: 0,
    });
    expect(await runLifecycle({ store, clock })).toEqual({
      expired: 0,
      reminded: 0,
      digests: 0,
      accessEnded: 0,
      sponsorsReminded: 0,
    });
    expect([await state('week'), await state('day'), await state('asking'), await state('never')]).toEqual([
      'expired',
      'expired',
      'expired',
      'sent',
    ]);
    expect((await jobKinds()).filter((k) => k.startsWith('mattermost.notify-inviter'))).toHaveLength(3);
    expect((await store.auditTrail('week')).map((a) => a.action)).toEqual(['expired']);
  });

  it('sends one digest per workspace and day for requests waiting over a day', async () => {
    now = start + DAY + 1000;
    expect((await runLifecycle({ store, clock })).digests).toBe(1);
    await runLifecycle({ store, clock });
    expect((await store.jobs()).filter((j) => j.kind === 'mattermost.approval-digest')).toEqual([
      expect.objectContaining({ payload: { workspaceId: 'team1', invitationIds: ['asking'] } }),
    ]);
  });
});
