/** The arrival flow through an in-memory port: a member-arrived event or a reconciliation pass ends an awaited
 * invitation in one arrival, with its jobs, whichever path saw it and however often. */

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArrivalFlow } from '../../src/flows/arrivals.js';
import type { ChatPort, ChatUser } from '../../src/flows/chatPort.js';
import type { Outbox } from '../../src/outbox/outbox.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';
import { locales } from '../support/words.js';

const ana: ChatUser = { id: 'u-ana', username: 'ana', displayName: 'Ana Lima', email: 'Ana@Example.com' };

/** Only what arrivals ask of a platform: its users, by id and by address. */
function memoryPort(users: ChatUser[], calls: string[]): ChatPort {
  const port: Partial<ChatPort> = {
    platform: 'mattermost',
    async user(id) {
      calls.push(`user:${id}`);
      const found = users.find((u) => u.id === id);
      if (!found) throw new Error(`no user ${id}`);
      return found;
    },
    async userByEmail(email) {
      calls.push(`userByEmail:${email}`);
      return users.find((u) => u.email?.toLowerCase() === email);
    },
  };
  return port as ChatPort;
}

let store: LowdbStore;
let cleanup: () => Promise<void>;
let calls: string[];
let kicks: number;
const clock = { now: () => new Date('2030-01-02T10:00:00.000Z') };

function flow(users: ChatUser[] = [ana]): ArrivalFlow {
  const outbox = { kick: () => void kicks++ } as unknown as Outbox;
  return new ArrivalFlow({ store, clock, outbox, locales, log: pino({ level: 'silent' }) }, memoryPort(users, calls));
}

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  calls = [];
  kicks = 0;
});
afterEach(async () => cleanup());

describe('a member-arrived event', () => {
  it('matches the address to the awaited invitation and records one arrival with its jobs', async () => {
    const inv = anInvitation({ channelIds: ['c1', 'c2'] });
    const other = anInvitation({ email: 'rui@example.com' });
    const elsewhere = anInvitation({ platform: 'slack' });
    await store.createInvitations([inv, other, elsewhere], [], []);

    const arrivals = flow();
    expect(await arrivals.arrived({ platform: 'mattermost', userId: 'u-ana', via: 'websocket:new_user' })).toBe(1);
    expect(calls).toEqual(['user:u-ana']);
    expect(await store.getInvitation(inv.id)).toMatchObject({ state: 'arrived', arrivedUserId: 'u-ana' });
    expect((await store.getInvitation(other.id))?.state).toBe('sent');
    expect((await store.getInvitation(elsewhere.id))?.state).toBe('sent');
    expect((await store.auditTrail(inv.id)).map((a) => [a.action, a.detail])).toEqual([
      ['arrived', { via: 'websocket:new_user' }],
    ]);
    expect((await store.jobs({ invitationId: inv.id })).map((j) => j.dedupeKey).sort()).toEqual([
      `announce:${inv.id}:c1`,
      `announce:${inv.id}:c2`,
      `notify-inviter:${inv.id}:arrival`,
      `welcome:mattermost:team1:u-ana`,
    ]);
    expect(kicks).toBe(1);

    // Seen again (another event, the reconciliation): nothing more.
    expect(
      await arrivals.arrived({ platform: 'mattermost', userId: 'u-ana', email: 'ana@example.com', via: 'user_added' }),
    ).toBe(0);
    expect(await arrivals.reconcile()).toBe(0);
    expect(await store.auditTrail(inv.id)).toHaveLength(1);
    expect(await store.jobs({ invitationId: inv.id })).toHaveLength(4);
  });

  it('uses the address the event carries without asking the platform', async () => {
    await store.createInvitations([anInvitation()], [], []);
    expect(
      await flow([]).arrived({ platform: 'mattermost', userId: 'u-ana', email: 'ANA@example.com', via: 'team_join' }),
    ).toBe(1);
    expect(calls).toEqual([]);
  });

  it('says so when the platform hides the address, and records nothing', async () => {
    const inv = anInvitation();
    await store.createInvitations([inv], [], []);
    const hidden = { ...ana, email: undefined };
    expect(
      await flow([hidden]).arrived({ platform: 'mattermost', userId: 'u-ana', via: 'websocket:new_user' }),
    ).toBeUndefined();
    expect((await store.getInvitation(inv.id))?.state).toBe('sent');
  });
});

describe('reconciliation', () => {
  it('looks every awaited address up through the port and records the arrivals it finds', async () => {
    const found = anInvitation({ state: 'sending' });
    const missing = anInvitation({ email: 'rui@example.com' });
    const waiting = anInvitation({ email: 'ana@example.com', state: 'pending_approval', workspaceId: 'team2' });
    await store.createInvitations([found, missing, waiting], [], []);

    expect(await flow().reconcile()).toBe(1);
    expect(calls.sort()).toEqual(['userByEmail:ana@example.com', 'userByEmail:rui@example.com']);
    expect(await store.getInvitation(found.id)).toMatchObject({ state: 'arrived', arrivedUserId: 'u-ana' });
    expect((await store.auditTrail(found.id)).map((a) => a.detail)).toEqual([{ via: 'reconcile' }]);
    expect((await store.getInvitation(missing.id))?.state).toBe('sent');
    expect((await store.getInvitation(waiting.id))?.state).toBe('pending_approval');
  });
});
