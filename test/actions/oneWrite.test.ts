/** Each state change is one store write: a process that dies right after its first write leaves the change
 * whole (audit entry and jobs together), never a request on record whose job was never queued. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestRenewal } from '../../src/actions/requestRenewal.js';
import { requestResend } from '../../src/actions/requestResend.js';
import { showLinkAgain } from '../../src/actions/showLinkAgain.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import type { Store } from '../../src/store/store.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';

const WRITES = new Set(['createInvitations', 'transition', 'patchInvitation', 'enqueue']);
const clock = { now: () => new Date('2030-01-02T10:00:00.000Z') };
const inviter = { id: 'inviter1', username: 'bob' };

let store: LowdbStore;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ store, cleanup } = await tempStore()));
afterEach(() => cleanup());

/** The store of a process that dies after its first write: every later write fails. */
function diesAfterOneWrite(inner: Store): Store {
  let writes = 0;
  return new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (WRITES.has(String(name)) && ++writes > 1) return Promise.reject(new Error('the process died'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('a change written in one store call', () => {
  const cases = [
    [
      'a resend request',
      'resend_requested',
      'resend',
      (s: Store, id: string) =>
        requestResend(
          { store: s, clock },
          { invitationId: id, by: inviter, byLevel: 'member', method: 'link', offered: ['link'] },
        ),
    ],
    [
      'a request to show the link again',
      'link_requested',
      'notify-inviter',
      (s: Store, id: string) =>
        showLinkAgain({ store: s, clock }, { invitationId: id, by: inviter, byLevel: 'member' }),
    ],
    [
      'an invitee’s request for a new invitation',
      'renewal_requested',
      'notify-inviter',
      async (s: Store, id: string) => requestRenewal({ store: s, clock }, (await s.getInvitation(id))!),
    ],
  ] as const;

  it.each(cases)('keeps %s whole: its audit entry and its job', async (_what, action, job, act) => {
    const inv = anInvitation();
    await store.createInvitations([inv], [], []);
    expect(await act(diesAfterOneWrite(store), inv.id)).toMatchObject({ ok: true });
    expect((await store.auditTrail(inv.id)).map((a) => a.action)).toEqual([action]);
    expect((await store.jobs({ invitationId: inv.id })).map((j) => j.kind)).toEqual([`mattermost.${job}`]);
  });
});
