/** A stored-shape invitation for tests, and a LowdbStore in a fresh temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newId } from '../../src/core/clock.js';
import type { Invitation } from '../../src/core/model.js';
import { LowdbStore } from '../../src/store/lowdbStore.js';

export function anInvitation(over: Partial<Invitation> = {}): Invitation {
  const at = '2030-01-01T10:00:00.000Z';
  return {
    id: newId(),
    platform: 'mattermost',
    workspaceId: 'team1',
    email: 'ana@example.com',
    name: 'Ana Lima',
    role: 'external',
    channelIds: [],
    kdriveRight: 'none',
    billingRights: false,
    billingReminders: { email: false, sms: false },
    delivery: 'link',
    message: '',
    inviter: { id: 'inviter1', username: 'bob' },
    originChannelId: 'origin1',
    state: 'sent',
    createdAt: at,
    updatedAt: at,
    expiresAt: '2030-01-08T10:00:00.000Z',
    approvalPosts: [],
    ...over,
  };
}

export async function tempStore(): Promise<{ store: LowdbStore; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'guestlist-test-'));
  const store = await LowdbStore.open(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
