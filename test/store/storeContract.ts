/** The behaviour every Store must have, as one suite that each store's test file runs against its own store. */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInvitations } from '../../src/actions/createInvitations.js';
import type { AuditAction, AuditEntry, Invitation, Skipped } from '../../src/core/model.js';
import type { Draft, NewJob, OutboxJob, Store } from '../../src/store/store.js';
import { en } from '../support/words.js';

/** A store on fresh, empty storage. */
export interface StoreHandle {
  store: Store;
  /** Opens another store on the same storage (after `store` was closed), to check what was made durable. */
  reopen(): Promise<Store>;
  /** Closes every store it opened and removes the storage. */
  cleanup(): Promise<void>;
  /** Only one process ever opens this storage, so leases found on reopening belong to a dead process. */
  singleProcess?: boolean;
}

const at = (ms: number) => new Date(ms).toISOString();

export function invitation(id: string, over: Partial<Invitation> = {}): Invitation {
  return {
    id,
    platform: 'mattermost',
    workspaceId: 'team-1',
    email: `${id}@example.com`,
    name: `Guest ${id}`,
    role: 'external',
    channelIds: ['chan-1'],
    kdriveRight: 'none',
    billingRights: false,
    billingReminders: { email: false, sms: false },
    delivery: 'platform_email',
    message: '',
    inviter: { id: 'u-alice', username: 'alice' },
    originChannelId: 'chan-0',
    state: 'pending_approval',
    createdAt: '2030-01-01T10:00:00.000Z',
    updatedAt: '2030-01-01T10:00:00.000Z',
    expiresAt: null,
    approvalPosts: [],
    ...over,
  };
}

const audit = (invitationId: string, action: AuditAction, when = '2030-01-01T11:00:00.000Z'): AuditEntry => ({
  at: when,
  invitationId,
  actor: 'u-bob',
  action,
  detail: { note: action },
});

const job = (dedupeKey: string, over: Partial<NewJob> = {}): NewJob => ({
  kind: 'send',
  payload: { key: dedupeKey },
  dedupeKey,
  ...over,
});

const draft = (id: string, over: Partial<Draft> = {}): Draft => ({
  id,
  userId: 'u-alice',
  platform: 'mattermost',
  workspaceId: 'team-1',
  channelId: 'chan-0',
  values: { emails: 'a@example.com', name: '', role: 'collaborator' },
  bot: { username: 'alice' },
  createdAt: '2030-01-01T10:00:00.000Z',
  // Far ahead: putting a draft may drop the ones that expired (by the real clock).
  expiresAt: '2999-01-01T00:00:00.000Z',
  ...over,
});

export function storeContract(name: string, open: () => Promise<StoreHandle>): void {
  describe(name, () => {
    let handle: StoreHandle;
    let store: Store;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    describe('invitations', () => {
      it('creates invitations and reads them back as copies', async () => {
        const inv = invitation('a', { batch: { id: 'b1', size: 2 }, decision: undefined });
        await store.createInvitations([inv], [audit('a', 'created')], []);
        expect(await store.getInvitation('a')).toEqual(inv);
        expect(await store.getInvitation('missing')).toBeUndefined();

        const read = (await store.getInvitation('a'))!;
        read.channelIds.push('mutated');
        read.name = 'mutated';
        expect(await store.getInvitation('a')).toEqual(inv);
      });

      it('keeps the invitation’s language and the locale of its inviter and approvers, across a reopen', async () => {
        const inv = invitation('a', {
          language: 'it',
          inviter: { id: 'u-alice', username: 'alice', locale: 'fr-CH' },
          approvalPosts: [{ channelId: 'dm-1', postId: 'p1', locale: 'de' }],
        });
        await store.createInvitations([inv], [audit('a', 'created')], []);
        expect(await store.getInvitation('a')).toEqual(inv);
        await store.close();
        expect(await (await handle.reopen()).getInvitation('a')).toEqual(inv);
      });

      it('lists newest first, same-moment invitations in the order they were created', async () => {
        await store.createInvitations(
          [
            invitation('old', { createdAt: '2030-01-01T08:00:00.000Z' }),
            invitation('new', { createdAt: '2030-01-01T12:00:00.000Z' }),
            invitation('mid1', { createdAt: '2030-01-01T10:00:00.000Z' }),
          ],
          [],
          [],
        );
        await store.createInvitations([invitation('mid2', { createdAt: '2030-01-01T10:00:00.000Z' })], [], []);
        const ids = (await store.listInvitations({})).map((i) => i.id);
        expect(ids).toEqual(['new', 'mid1', 'mid2', 'old']);
      });

      it(
        'filters by platform, workspace, inviter, email, states, ' +
          'batch and link token hash, and pages with limit/offset',
        async () => {
          const carol = { id: 'u-carol', username: 'carol' };
          await store.createInvitations(
            [
              invitation('1', { createdAt: at(Date.UTC(2030, 0, 1)), email: 'x@example.com', linkTokenHash: 'h1' }),
              invitation('2', { createdAt: at(Date.UTC(2030, 0, 2)), inviter: carol, state: 'sent' }),
              invitation('3', {
                createdAt: at(Date.UTC(2030, 0, 3)),
                workspaceId: 'team-2',
                batch: { id: 'b', size: 2 },
              }),
              invitation('4', {
                createdAt: at(Date.UTC(2030, 0, 4)),
                platform: 'slack',
                state: 'arrived',
                batch: { id: 'b', size: 2 },
              }),
              invitation('5', {
                createdAt: at(Date.UTC(2030, 0, 5)),
                inviter: carol,
                email: 'x@example.com',
                state: 'failed',
              }),
            ],
            [],
            [],
          );
          const ids = async (q: Parameters<Store['listInvitations']>[0]) =>
            (await store.listInvitations(q)).map((i) => i.id);
          expect(await ids({ platform: 'mattermost' })).toEqual(['5', '3', '2', '1']);
          expect(await ids({ platform: 'mattermost', workspaceId: 'team-1' })).toEqual(['5', '2', '1']);
          expect(await ids({ inviterId: 'u-carol' })).toEqual(['5', '2']);
          expect(await ids({ email: 'x@example.com' })).toEqual(['5', '1']);
          expect(await ids({ states: ['sent', 'failed', 'arrived'] })).toEqual(['5', '4', '2']);
          expect(await ids({ states: [] })).toEqual([]);
          expect(await ids({ batchId: 'b' })).toEqual(['4', '3']);
          expect(await ids({ linkTokenHash: 'h1' })).toEqual(['1']);
          expect(await ids({ linkTokenHash: 'unknown' })).toEqual([]);
          expect(await ids({ inviterId: 'u-carol', states: ['sent'] })).toEqual(['2']);
          expect(await ids({ limit: 2 })).toEqual(['5', '4']);
          expect(await ids({ limit: 2, offset: 2 })).toEqual(['3', '2']);
          expect(await ids({ offset: 3 })).toEqual(['2', '1']);
          expect(await ids({ limit: 0 })).toEqual([]);
          expect(await ids({ platform: 'mattermost', workspaceId: 'team-1', limit: 1, offset: 1 })).toEqual(['2']);
        },
      );

      it('finds guests by their sponsor (else their inviter) and by the end of their access', async () => {
        const bea = { id: 'u-bea', username: 'bea' };
        await store.createInvitations(
          [
            invitation('1', { state: 'arrived', accessEndsAt: '2030-02-01T10:00:00.000Z' }),
            invitation('2', { state: 'arrived', accessEndsAt: '2030-03-01T10:00:00.000Z', sponsor: bea }),
            invitation('3', { state: 'arrived' }),
            invitation('4', { inviter: bea }),
          ],
          [],
          [],
        );
        const ids = async (q: Parameters<Store['listInvitations']>[0]) =>
          (await store.listInvitations(q)).map((i) => i.id).sort();
        expect(await ids({ sponsorId: 'u-alice' })).toEqual(['1', '3']);
        expect(await ids({ sponsorId: 'u-bea' })).toEqual(['2', '4']);
        expect(await ids({ accessEndsBefore: '2030-02-01T10:00:00.001Z' })).toEqual(['1']);
        expect(await ids({ accessEndsBefore: '2031-01-01T00:00:00.000Z', sponsorId: 'u-bea' })).toEqual(['2']);
        expect(await ids({ accessEndsBefore: '2030-02-01T10:00:00.000Z' })).toEqual([]);
      });

      it('counts for the rate limit what the inviter created since a moment (inclusive)', async () => {
        await store.createInvitations(
          [
            invitation('1', { createdAt: '2030-01-01T09:00:00.000Z' }),
            invitation('2', { createdAt: '2030-01-01T10:00:00.000Z' }),
            invitation('3', { createdAt: '2030-01-01T11:00:00.000Z' }),
            invitation('4', { createdAt: '2030-01-01T11:00:00.000Z', inviter: { id: 'u-carol', username: 'carol' } }),
          ],
          [],
          [],
        );
        const create = (inviterId: string, since: string, perHour: number) => {
          const inv = invitation(`new-${inviterId}-${perHour}`, { inviter: { id: inviterId, username: 'x' } });
          const rateLimit = { inviterId, since: new Date(since), limit: { perHour } };
          return store.createInvitations([inv], [], [], { openStates: [], rateLimit });
        };
        const refused = (recent: number) => ({ ok: false, refused: 'rateLimit', recent });
        expect(await create('u-alice', '2030-01-01T10:00:00.000Z', 2)).toEqual(refused(2));
        expect(await create('u-alice', '2030-01-01T12:00:00.000Z', 0)).toEqual(refused(0));
        expect(await create('u-carol', '2029-01-01T00:00:00.000Z', 1)).toEqual(refused(1));
        expect(await store.listInvitations({})).toHaveLength(4);
        expect(await create('u-alice', '2030-01-01T10:00:00.000Z', 3)).toEqual({ ok: true });
        expect((await store.getInvitation('new-u-alice-3'))?.inviter.id).toBe('u-alice');
      });

      it('refuses, writing nothing, an address with an open invitation in the same workspace', async () => {
        const old = invitation('old', { email: 'bo@example.org', state: 'expired' });
        await store.createInvitations([invitation('a', { email: 'ana@example.org' }), old], [], []);
        const checks = {
          openStates: ['pending_approval', 'sent'] as const,
          rateLimit: { inviterId: 'u-alice', since: new Date(0), limit: { perHour: 100 } },
        };
        const again = [invitation('b', { email: 'ana@example.org' }), invitation('c', { email: 'cy@example.org' })];
        const jobs = [job('send:b', { invitationId: 'b' })];
        const refused = await store.createInvitations(again, [audit('b', 'created')], jobs, checks);
        expect(refused).toEqual({ ok: false, refused: 'duplicates', emails: ['ana@example.org'] });
        expect((await store.listInvitations({})).map((i) => i.id).sort()).toEqual(['a', 'old']);
        expect(await store.auditTrail('b')).toEqual([]);
        expect(await store.jobs()).toEqual([]);
        // Another workspace's, or a finished invitation, is no duplicate.
        const elsewhere = invitation('d', { email: 'ana@example.org', workspaceId: 'team-2' });
        const finished = invitation('e', { email: 'bo@example.org' });
        expect(await store.createInvitations([elsewhere, finished], [], [], checks)).toEqual({ ok: true });
      });

      it('stores the audit entries and jobs given with the invitations', async () => {
        await store.createInvitations(
          [invitation('a'), invitation('b')],
          [audit('a', 'created'), audit('b', 'created')],
          [job('approve:a', { invitationId: 'a' }), job('approve:b', { invitationId: 'b' })],
        );
        expect(await store.auditTrail('a')).toEqual([audit('a', 'created')]);
        expect((await store.jobs({ invitationId: 'b' })).map((j) => j.dedupeKey)).toEqual(['approve:b']);
      });

      describe('concurrent submissions through createInvitations', () => {
        const submit = (emails: string[], perHour = 20) =>
          createInvitations(
            { store, clock: { now: () => new Date('2030-01-01T10:00:00.000Z') } },
            {
              platform: 'mattermost',
              workspaceId: 'team-1',
              inviter: { id: 'u-alice', username: 'alice' },
              level: 'admin',
              originChannelId: 'chan-0',
              caps: {
                roles: ['external'],
                missingRoleReasons: {},
                kdrive: false,
                billing: false,
                deliveries: ['platform_email'],
              },
              request: {
                recipients: emails.map((email) => ({ email, name: '' })),
                role: 'external',
                channelIds: ['chan-1'],
                kdriveRight: 'none',
                billingRights: false,
                billingReminders: { email: false, sms: false },
                delivery: 'platform_email',
                language: 'en',
                message: '',
                expiryDays: 7,
              },
              existingAccounts: new Set(),
              rateLimit: { perHour },
            },
          );

        it('invites an address once when ten submissions for it arrive at once', async () => {
          const results = await Promise.all(Array.from({ length: 10 }, () => submit(['Ana@example.org'])));
          expect(await store.listInvitations({ email: 'ana@example.org' })).toHaveLength(1);
          expect(await store.jobs()).toHaveLength(1);
          const created = results.flatMap((r) => (r.ok ? r.created : []));
          expect(created).toHaveLength(1);
          const skipped = results.flatMap((r) => (r.ok ? r.skipped : [])).map(worded);
          const pending = { email: 'ana@example.org', reason: 'already has a pending invitation' };
          expect(skipped).toEqual(Array(9).fill(pending));
        });

        it('holds an inviter to the hourly limit when eight submissions arrive at once', async () => {
          const results = await Promise.all(Array.from({ length: 8 }, (_, n) => submit([`guest${n}@example.org`], 5)));
          expect(await store.listInvitations({ inviterId: 'u-alice' })).toHaveLength(5);
          expect(await store.jobs()).toHaveLength(5);
          const refusals = results.flatMap((r) => (r.ok ? [] : [r.reason(en)]));
          const reason =
            'You can send 5 invitations an hour and have 0 left. ' + 'Try again later, or ask an administrator.';
          expect(refusals).toEqual(Array(3).fill(reason));
        });

        it('creates the fresh addresses of a batch and reports the pending one', async () => {
          await submit(['ana@example.org']);
          const result = await submit(['bo@example.org', 'ana@example.org', 'cy@example.org']);
          const skipped = [{ email: 'ana@example.org', reason: 'already has a pending invitation' }];
          expect(result.ok && result.skipped.map(worded)).toEqual(skipped);
          const created = result.ok ? result.created : [];
          expect(created.map((i) => i.email)).toEqual(['bo@example.org', 'cy@example.org']);
          expect(created.map((i) => i.batch?.size)).toEqual([2, 2]);
        });
      });
    });

    describe('transition', () => {
      beforeEach(async () => {
        await store.createInvitations([invitation('a')], [audit('a', 'created')], []);
      });

      it('moves the state, applies the patch, stamps updatedAt and writes the audit entry and jobs', async () => {
        const decision = { by: { id: 'u-bob', username: 'bob' }, at: '2030-01-01T11:00:00.000Z', approved: true };
        const updated = await store.transition('a', {
          from: ['pending_approval'],
          to: 'sending',
          patch: { decision, expiresAt: '2030-02-01T00:00:00.000Z' },
          audit: audit('a', 'approve'),
          jobs: [job('send:a', { invitationId: 'a' })],
        });
        const expected = {
          ...invitation('a'),
          state: 'sending',
          decision,
          expiresAt: '2030-02-01T00:00:00.000Z',
          updatedAt: '2030-01-01T11:00:00.000Z',
        };
        expect(updated).toEqual(expected);
        expect(await store.getInvitation('a')).toEqual(expected);
        expect(await store.auditTrail('a')).toEqual([audit('a', 'created'), audit('a', 'approve')]);
        expect((await store.jobs({ invitationId: 'a' })).map((j) => j.dedupeKey)).toEqual(['send:a']);
      });

      it('is a compare-and-set: from a state it has left, it changes nothing and returns undefined', async () => {
        const change = {
          from: ['pending_approval'] as const,
          to: 'sending' as const,
          audit: audit('a', 'approve'),
          jobs: [job('send:a')],
        };
        expect(await store.transition('a', change)).toBeDefined();
        const denied = await store.transition('a', {
          from: ['pending_approval'],
          to: 'denied',
          audit: audit('a', 'deny'),
          jobs: [job('deny:a')],
        });
        expect(denied).toBeUndefined();
        expect((await store.getInvitation('a'))?.state).toBe('sending');
        expect((await store.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'approve']);
        expect((await store.jobs()).map((j) => j.dedupeKey)).toEqual(['send:a']);
        expect(await store.transition('missing', change)).toBeUndefined();
      });

      it('lets exactly one of several concurrent transitions win', async () => {
        const attempts = ['sending', 'denied', 'revoked', 'sending'].map((to, n) =>
          store.transition('a', {
            from: ['pending_approval'],
            to: to as Invitation['state'],
            patch: { lastError: `attempt ${n}` },
            audit: { ...audit('a', 'approve'), detail: { note: `attempt ${n}` } },
            jobs: [job(`job:${n}`)],
          }),
        );
        const results = await Promise.all(attempts);
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        const winner = results.findIndex((r) => r !== undefined);
        expect(await store.getInvitation('a')).toEqual(winners[0]);
        expect((await store.auditTrail('a')).map((e) => e.detail?.note)).toEqual(['created', `attempt ${winner}`]);
        expect((await store.jobs()).map((j) => j.dedupeKey)).toEqual([`job:${winner}`]);
      });

      it('accepts any of several from-states', async () => {
        await store.transition('a', { from: ['pending_approval'], to: 'failed', audit: audit('a', 'delivery_failed') });
        const retried = await store.transition('a', {
          from: ['sending', 'failed'],
          to: 'sending',
          audit: audit('a', 'retry'),
        });
        expect(retried?.state).toBe('sending');
      });
    });

    describe('patchInvitation', () => {
      beforeEach(async () => {
        await store.createInvitations([invitation('a', { lastError: 'boom' })], [], []);
      });

      it('changes fields without moving the state, with an optional audit entry', async () => {
        const posts = [{ channelId: 'admins', postId: 'p1' }];
        const patched = await store.patchInvitation('a', { approvalPosts: posts }, audit('a', 'link_requested'));
        expect(patched).toEqual({ ...invitation('a', { lastError: 'boom' }), approvalPosts: posts });
        expect(await store.getInvitation('a')).toEqual(patched);
        expect(await store.auditTrail('a')).toEqual([audit('a', 'link_requested')]);

        await store.patchInvitation('a', { name: 'Renamed' });
        expect((await store.getInvitation('a'))?.name).toBe('Renamed');
        expect(await store.auditTrail('a')).toHaveLength(1);
      });

      it('clears a field patched to undefined', async () => {
        await store.patchInvitation('a', { lastError: undefined });
        expect((await store.getInvitation('a'))?.lastError).toBeUndefined();
      });

      it('returns undefined for an unknown invitation and records nothing', async () => {
        const jobs = [job('notify:missing', { invitationId: 'missing' })];
        expect(
          await store.patchInvitation('missing', { name: 'x' }, audit('missing', 'link_requested'), jobs),
        ).toBeUndefined();
        expect(await store.auditTrail('missing')).toEqual([]);
        expect(await store.jobs()).toEqual([]);
      });

      it('writes the change, its audit entry and its jobs together, durably', async () => {
        const jobs = [job('notify:a', { invitationId: 'a' }), job('resend:a', { invitationId: 'a' })];
        const patched = await store.patchInvitation(
          'a',
          { lastError: undefined },
          audit('a', 'resend_requested'),
          jobs,
        );
        expect(patched?.lastError).toBeUndefined();
        await store.close();
        const reopened = await handle.reopen();
        expect((await reopened.getInvitation('a'))?.lastError).toBeUndefined();
        expect((await reopened.auditTrail('a')).map((e) => e.action)).toEqual(['resend_requested']);
        expect((await reopened.jobs({ invitationId: 'a' })).map((j) => [j.dedupeKey, j.state])).toEqual([
          ['notify:a', 'pending'],
          ['resend:a', 'pending'],
        ]);
      });

      it('writes none of it when one of its jobs cannot be stored', async () => {
        const bad = job('bad:a', { invitationId: 'a', payload: { n: BigInt(1) } });
        await expect(
          store.patchInvitation('a', { name: 'Renamed' }, audit('a', 'link_requested'), [bad]),
        ).rejects.toThrow();
        expect((await store.getInvitation('a'))?.name).toBe('Guest a');
        expect(await store.auditTrail('a')).toEqual([]);
        expect(await store.jobs()).toEqual([]);
      });
    });

    it('keeps each invitation’s audit trail in order', async () => {
      await store.createInvitations(
        [invitation('a'), invitation('b')],
        [audit('a', 'created'), audit('b', 'created')],
        [],
      );
      await store.patchInvitation('a', {}, audit('a', 'link_requested'));
      await store.transition('b', { from: ['pending_approval'], to: 'denied', audit: audit('b', 'deny') });
      await store.transition('a', { from: ['pending_approval'], to: 'sending', audit: audit('a', 'approve') });
      expect((await store.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'link_requested', 'approve']);
      expect((await store.auditTrail('b')).map((e) => e.action)).toEqual(['created', 'deny']);
      expect(await store.auditTrail('nobody')).toEqual([]);
    });

    describe('outbox', () => {
      const now = Date.now();
      const due = (offsetMs: number) => at(now + offsetMs);

      it('enqueues pending jobs with defaults', async () => {
        const before = Date.now();
        await store.enqueue([job('k1', { invitationId: 'a', payload: { to: 'x', n: [1, 2] } })]);
        const [stored] = await store.jobs();
        expect(stored).toMatchObject({
          kind: 'send',
          payload: { to: 'x', n: [1, 2] },
          invitationId: 'a',
          dedupeKey: 'k1',
          attempts: 0,
          state: 'pending',
        });
        expect(stored?.leaseUntil).toBeUndefined();
        expect(stored?.lastError).toBeUndefined();
        expect(Date.parse(stored!.runAt)).toBeGreaterThanOrEqual(before - 1);
        expect(stored?.createdAt).toBe(stored?.runAt);
      });

      it('keeps the first job of a dedupe key, across calls and within one call', async () => {
        await store.enqueue([job('k1', { payload: { v: 1 } }), job('k1', { payload: { v: 2 } }), job('k2')]);
        await store.enqueue([job('k1', { payload: { v: 3 } })]);
        await store.createInvitations([invitation('a')], [], [job('k2', { payload: { v: 4 } })]);
        await store.transition('a', {
          from: ['pending_approval'],
          to: 'sending',
          audit: audit('a', 'approve'),
          jobs: [job('k1', { payload: { v: 5 } })],
        });
        const jobs = await store.jobs();
        expect(jobs.map((j) => [j.dedupeKey, j.payload])).toEqual([
          ['k1', { v: 1 }],
          ['k2', { key: 'k2' }],
        ]);
        expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
      });

      it('claims due jobs by due time, leasing them until the lease runs out', async () => {
        await store.enqueue([
          job('third', { runAt: due(-1000) }),
          job('first', { runAt: due(-3000) }),
          job('later', { runAt: due(5000) }),
          job('second', { runAt: due(-2000) }),
        ]);
        const first = await store.claimJobs(new Date(now), 2, 1000);
        expect(first.map((j) => j.dedupeKey)).toEqual(['first', 'second']);
        expect(first.every((j) => j.leaseUntil === due(1000))).toBe(true);

        expect((await store.claimJobs(new Date(now), 10, 1000)).map((j) => j.dedupeKey)).toEqual(['third']);
        expect(await store.claimJobs(new Date(now + 999), 10, 1000)).toEqual([]);
        // The leases of the first claim ran out (their worker died): those jobs are due again.
        expect((await store.claimJobs(new Date(now + 1000), 10, 60_000)).map((j) => j.dedupeKey)).toEqual([
          'first',
          'second',
          'third',
        ]);
        expect((await store.claimJobs(new Date(now + 5000), 10, 60_000)).map((j) => j.dedupeKey)).toEqual(['later']);

        const leased = await store.jobs();
        expect(leased.every((j) => j.state === 'pending' && j.attempts === 0 && j.leaseUntil !== undefined)).toBe(true);
      });

      it('never hands one job to two concurrent claims', async () => {
        await store.enqueue(Array.from({ length: 20 }, (_, n) => job(`k${n}`, { runAt: due(-n) })));
        const claims = await Promise.all(Array.from({ length: 6 }, () => store.claimJobs(new Date(now), 4, 60_000)));
        const ids = claims.flat().map((j) => j.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toHaveLength(20);
      });

      it('completes a job: done, counted, never claimed again', async () => {
        await store.enqueue([job('k', { runAt: due(-1000) })]);
        const [claimed] = await store.claimJobs(new Date(now), 1, 1000);
        await store.completeJob(claimed!.id);
        const [done] = await store.jobs();
        expect(done).toMatchObject({ id: claimed!.id, state: 'done', attempts: 1 });
        expect(done?.leaseUntil).toBeUndefined();
        expect(await store.claimJobs(new Date(now + 10_000), 10, 1000)).toEqual([]);
      });

      it('retries a job later, counting the attempt unless told not to', async () => {
        await store.enqueue([job('k', { runAt: due(-1000) })]);
        const [claimed] = await store.claimJobs(new Date(now), 1, 60_000);
        await store.retryJob(claimed!.id, new Date(now + 2000), 'timeout');
        let [retried] = await store.jobs();
        expect(retried).toMatchObject({ state: 'pending', attempts: 1, lastError: 'timeout', runAt: due(2000) });
        expect(retried?.leaseUntil).toBeUndefined();
        expect(await store.claimJobs(new Date(now + 1999), 1, 60_000)).toEqual([]);

        const [again] = await store.claimJobs(new Date(now + 2000), 1, 60_000);
        expect(again?.attempts).toBe(1);
        await store.retryJob(again!.id, new Date(now + 3000), 'paced', false);
        [retried] = await store.jobs();
        expect(retried).toMatchObject({ attempts: 1, lastError: 'paced', runAt: due(3000) });
        expect((await store.claimJobs(new Date(now + 3000), 1, 60_000)).map((j) => j.id)).toEqual([claimed!.id]);
      });

      it('buries a job: dead, counted, never claimed again', async () => {
        await store.enqueue([job('k', { runAt: due(-1000) })]);
        const [claimed] = await store.claimJobs(new Date(now), 1, 60_000);
        await store.buryJob(claimed!.id, 'forbidden');
        const [dead] = await store.jobs();
        expect(dead).toMatchObject({ state: 'dead', attempts: 1, lastError: 'forbidden' });
        expect(dead?.leaseUntil).toBeUndefined();
        expect(await store.claimJobs(new Date(now + 120_000), 10, 1000)).toEqual([]);
      });

      it('rejects changes to an unknown job', async () => {
        await expect(store.completeJob('nope')).rejects.toThrow(/nope/);
        await expect(store.retryJob('nope', new Date(now), 'x')).rejects.toThrow(/nope/);
        await expect(store.buryJob('nope', 'x')).rejects.toThrow(/nope/);
      });

      it('lists jobs in enqueue order, filtered by invitation and state', async () => {
        await store.enqueue([
          job('a1', { invitationId: 'a', runAt: due(-3) }),
          job('b1', { invitationId: 'b', runAt: due(-2) }),
          job('a2', { invitationId: 'a', runAt: due(-1) }),
          job('none'),
        ]);
        const [a1] = await store.claimJobs(new Date(now), 1, 1000);
        await store.buryJob(a1!.id, 'gone');
        const keys = async (filter?: Parameters<Store['jobs']>[0]) =>
          (await store.jobs(filter)).map((j) => j.dedupeKey);
        expect(await keys()).toEqual(['a1', 'b1', 'a2', 'none']);
        expect(await keys({})).toEqual(['a1', 'b1', 'a2', 'none']);
        expect(await keys({ invitationId: 'a' })).toEqual(['a1', 'a2']);
        expect(await keys({ state: 'pending' })).toEqual(['b1', 'a2', 'none']);
        expect(await keys({ invitationId: 'a', state: 'dead' })).toEqual(['a1']);
        expect(await keys({ state: 'done' })).toEqual([]);
      });
    });

    describe('drafts', () => {
      it('puts, replaces, gets and deletes drafts', async () => {
        const d = draft('d1');
        await store.putDraft(d);
        await store.putDraft(draft('d2'));
        expect(await store.getDraft('d1')).toEqual(d);

        const replaced = { ...d, values: { emails: 'b@example.com', name: 'Bo', role: 'external' } };
        await store.putDraft(replaced);
        expect(await store.getDraft('d1')).toEqual(replaced);

        await store.deleteDraft('d1');
        expect(await store.getDraft('d1')).toBeUndefined();
        expect(await store.getDraft('d2')).toEqual(draft('d2'));
        await store.deleteDraft('never-there');
      });

      it('never returns a draft past its expiry, when its dialog can no longer be submitted', async () => {
        await store.putDraft(draft('gone', { expiresAt: new Date(Date.now() - 1000).toISOString() }));
        expect(await store.getDraft('gone')).toBeUndefined();
        await store.putDraft(draft('live'));
        expect(await store.getDraft('gone')).toBeUndefined();
        expect(await store.getDraft('live')).toEqual(draft('live'));
      });

      it('keeps the newest 20 drafts of a person, dropping the oldest', async () => {
        await store.putDraft(draft('bob', { userId: 'u-bob' }));
        for (let i = 0; i < 25; i++)
          await store.putDraft(draft(`d${i}`, { createdAt: at(Date.UTC(2030, 0, 1, 10, i)) }));
        const kept = await Promise.all(
          Array.from({ length: 25 }, async (_, i) => (await store.getDraft(`d${i}`)) !== undefined),
        );
        expect(kept).toEqual([...Array(5).fill(false), ...Array(20).fill(true)]);
        expect(await store.getDraft('bob')).toEqual(draft('bob', { userId: 'u-bob' }));
      });

      it('counts the drafts stored before a reopen towards the newest 20', async () => {
        for (let i = 0; i < 20; i++)
          await store.putDraft(draft(`d${i}`, { createdAt: at(Date.UTC(2030, 0, 1, 10, i)) }));
        await store.close(); // drafts are written after putDraft returns (they are no acknowledgement)
        const reopened = await handle.reopen();
        await reopened.putDraft(draft('d20', { createdAt: at(Date.UTC(2030, 0, 1, 10, 20)) }));
        expect(await reopened.getDraft('d0')).toBeUndefined();
        expect(await reopened.getDraft('d1')).toEqual(draft('d1', { createdAt: at(Date.UTC(2030, 0, 1, 10, 1)) }));
        expect(await reopened.getDraft('d20')).toBeDefined();
      });
    });

    describe('exclusive', () => {
      it('runs work of one name once at a time, skips the overlapping call, and frees the name after', async () => {
        let release!: () => void;
        const first = store.exclusive('reconcile', () => new Promise<string>((r) => (release = () => r('first'))));
        await new Promise((r) => setTimeout(r, 50));
        expect(await store.exclusive('reconcile', async () => 'second')).toBeUndefined();
        expect(await store.exclusive('expire', async () => 'other name')).toBe('other name');
        release();
        expect(await first).toBe('first');
        expect(await store.exclusive('reconcile', async () => 'again')).toBe('again');
      });

      it('frees the name when the work throws', async () => {
        await expect(
          store.exclusive('job', async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.exclusive('job', async () => 'ok')).toBe('ok');
      });
    });

    describe('takeRateToken', () => {
      const t = Date.UTC(2030, 0, 1);

      it('allows `limit` tokens per sliding window and says when the next frees up', async () => {
        const take = (ms: number, key = 'api') => store.takeRateToken(key, 3, 1000, new Date(t + ms));
        expect(await take(0)).toEqual({ ok: true });
        expect(await take(100)).toEqual({ ok: true });
        expect(await take(200)).toEqual({ ok: true });
        expect(await take(300)).toEqual({ ok: false, retryAt: new Date(t + 1000) });
        expect(await take(999)).toEqual({ ok: false, retryAt: new Date(t + 1000) });
        expect(await take(300, 'other')).toEqual({ ok: true });
        // The token taken at 0 leaves the window at 1000; refusals took nothing.
        expect(await take(1000)).toEqual({ ok: true });
        expect(await take(1001)).toEqual({ ok: false, retryAt: new Date(t + 1100) });
        expect(await take(1100)).toEqual({ ok: true });
      });

      it('grants exactly `limit` tokens to concurrent takers', async () => {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => store.takeRateToken('api', 4, 60_000, new Date(t))),
        );
        expect(answers.filter((a) => a.ok)).toHaveLength(4);
        expect(answers.filter((a) => !a.ok)).toEqual(Array(6).fill({ ok: false, retryAt: new Date(t + 60_000) }));
      });
    });

    it('keeps every change across close and reopen', async () => {
      const now = Date.now();
      await store.createInvitations(
        [invitation('a'), invitation('b')],
        [audit('a', 'created')],
        [job('approve:a', { invitationId: 'a', runAt: at(now - 1000) })],
      );
      await store.transition('a', {
        from: ['pending_approval'],
        to: 'sending',
        audit: audit('a', 'approve'),
        jobs: [job('send:a', { invitationId: 'a', runAt: at(now - 500) })],
      });
      await store.patchInvitation('b', { lastError: 'boom' }, audit('b', 'delivery_failed'));
      const [approve] = await store.claimJobs(new Date(now), 2, 60_000);
      await store.retryJob(approve!.id, new Date(now + 5000), 'timeout');
      await store.putDraft(draft('d1'));
      await store.takeRateToken('api', 1, 60_000, new Date(now));
      const before = {
        a: await store.getInvitation('a'),
        b: await store.getInvitation('b'),
        jobs: await store.jobs(),
        draft: await store.getDraft('d1'),
      };
      await store.close();

      const reopened = await handle.reopen();
      expect(await reopened.getInvitation('a')).toEqual(before.a);
      expect(await reopened.getInvitation('b')).toEqual(before.b);
      expect(before.a?.state).toBe('sending');
      expect(before.b?.lastError).toBe('boom');
      expect((await reopened.auditTrail('a')).map((e) => e.action)).toEqual(['created', 'approve']);
      expect(await reopened.auditTrail('b')).toEqual([audit('b', 'delivery_failed')]);
      const withoutLease = (jobs: OutboxJob[]) => jobs.map(({ leaseUntil: _, ...rest }) => rest);
      expect(handle.singleProcess ? withoutLease(await reopened.jobs()) : await reopened.jobs()).toEqual(
        handle.singleProcess ? withoutLease(before.jobs) : before.jobs,
      );
      expect(before.jobs.find((j) => j.dedupeKey === 'approve:a')).toMatchObject({ attempts: 1, lastError: 'timeout' });
      expect(await reopened.getDraft('d1')).toEqual(before.draft);
      expect(await reopened.takeRateToken('api', 1, 60_000, new Date(now + 1))).toEqual({
        ok: false,
        retryAt: new Date(now + 60_000),
      });
      if (handle.singleProcess) {
        // The process that held send:a's lease is gone: the job is due again at once; the retry time still holds.
        expect((await reopened.claimJobs(new Date(now + 4999), 10, 1000)).map((j) => j.dedupeKey)).toEqual(['send:a']);
      } else {
        // Another replica may still run send:a: its lease holds, and so does approve:a's retry time.
        expect(await reopened.claimJobs(new Date(now + 4999), 10, 1000)).toEqual([]);
      }
      expect((await reopened.claimJobs(new Date(now + 5000), 10, 1000)).map((j) => j.dedupeKey)).toEqual(['approve:a']);
    });
  });
}

/** A skipped address with its reason in English, as the inviter reads it. */
const worded = (s: Skipped) => ({ email: s.email, reason: s.reason(en) });
