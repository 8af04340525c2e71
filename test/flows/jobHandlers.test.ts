/** The job handlers read payloads through their schemas: a stored job whose payload has a wrong type (another
 * version's, or a hand-edited row) is buried at once with a message naming the field, and nobody is told anything
 * built from it. */

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB, jobKind } from '../../src/actions/jobs.js';
import { mattermostMarkdown } from '../../src/core/format.js';
import type { ChatPort, ChatUser } from '../../src/flows/chatPort.js';
import { jobHandlers } from '../../src/flows/jobHandlers.js';
import { Outbox } from '../../src/outbox/outbox.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';
import { locales } from '../support/words.js';

const ana: ChatUser = { id: 'u-ana', username: 'ana', displayName: 'Ana Lima' };

/** What these handlers ask of a platform, each call recorded. */
function recordingPort(calls: string[]): ChatPort {
  const port: Partial<ChatPort> = {
    platform: 'mattermost',
    format: mattermostMarkdown,
    async directChannel(userId) {
      return `dm-${userId}`;
    },
    async post(channelId, message) {
      calls.push(`post:${channelId}:${message.text}`);
      return { channelId, postId: 'p1' };
    },
    async admit(_inv, userId, channelId) {
      calls.push(`admit:${userId}:${channelId}`);
      return ana;
    },
    async resend(_inv, method) {
      calls.push(`resend:${method}`);
      return { notice: 'sent again' };
    },
    async approvers() {
      calls.push('approvers');
      return ['u-admin'];
    },
    async channelNames(inv) {
      return inv.channelIds;
    },
  };
  return port as ChatPort;
}

let store: LowdbStore;
let cleanup: () => Promise<void>;
let calls: string[];
let outbox: Outbox;
const clock = { now: () => new Date('2030-01-02T10:00:00.000Z') };

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  calls = [];
  const log = pino({ level: 'silent' });
  outbox = new Outbox(store, clock, log);
  const handlers = jobHandlers({ store, clock, outbox, log, locales }, recordingPort(calls));
  for (const [kind, handler] of Object.entries(handlers)) outbox.register(kind, handler);
});
afterEach(async () => cleanup());

async function runOne(what: Parameters<typeof jobKind>[1], payload: Record<string, unknown>, invitationId?: string) {
  await store.enqueue([{ kind: jobKind('mattermost', what), invitationId, dedupeKey: `${what}:1`, payload }]);
  await outbox.drain();
  return (await store.jobs())[0]!;
}

describe('a job whose payload has a wrong type', () => {
  it('announce: buried, naming channelId, and nothing is posted or admitted', async () => {
    const inv = anInvitation({ state: 'arrived', arrivedUserId: 'u-ana', channelIds: ['c1'] });
    await store.createInvitations([inv], [], []);
    const job = await runOne(JOB.announce, { channelId: 42 }, inv.id);
    expect(job).toMatchObject({ state: 'dead', attempts: 1 });
    expect(job.lastError).toMatch(/^mattermost\.announce job payload not readable: channelId: .*expected string/);
    expect(calls).toEqual([]);
  });

  it(
    'notify-inviter: a progress count that is not a ' + 'number is buried, and the inviter gets no "NaN" notice',
    async () => {
      const inv = anInvitation({ batch: { id: 'b1', size: 40 } });
      await store.createInvitations([inv], [], []);
      const job = await runOne(JOB.notifyInviter, { about: 'progress', done: 'many' }, inv.id);
      expect(job.state).toBe('dead');
      expect(job.lastError).toMatch(/notify-inviter job payload not readable: done: .*expected number/);
      expect(calls).toEqual([]);
    },
  );

  it('notify-inviter: an unknown notice is buried instead of silently done', async () => {
    const inv = anInvitation();
    await store.createInvitations([inv], [], []);
    const job = await runOne(JOB.notifyInviter, { about: 'welcome' }, inv.id);
    expect(job.state).toBe('dead');
    expect(job.lastError).toMatch(/payload not readable: about: /);
  });

  it('resend: a method that is not a delivery is buried before anything is sent', async () => {
    const inv = anInvitation({ delivery: 'platform_email' });
    await store.createInvitations([inv], [], []);
    const job = await runOne(JOB.resend, { method: 'pigeon' }, inv.id);
    expect(job.state).toBe('dead');
    expect(job.lastError).toMatch(/resend job payload not readable: method: /);
    expect(calls).toEqual([]);
  });

  it('approval-digest: ids that are not a list are buried, and no approver is asked', async () => {
    const job = await runOne(JOB.approvalDigest, { workspaceId: 'team1', invitationIds: 'abc' });
    expect(job.state).toBe('dead');
    expect(job.lastError).toMatch(/approval-digest job payload not readable: invitationIds: /);
    expect(calls).toEqual([]);
  });

  it('a well-typed payload still runs: the announcement is posted in its channel', async () => {
    const inv = anInvitation({ state: 'arrived', arrivedUserId: 'u-ana', channelIds: ['c1'] });
    await store.createInvitations([inv], [], []);
    expect(await runOne(JOB.announce, { channelId: 'c1' }, inv.id)).toMatchObject({ state: 'done' });
    expect(calls[0]).toBe('admit:u-ana:c1');
    expect(calls[1]).toMatch(/^post:c1:/);
  });
});

describe('an approver whose language cannot be read', () => {
  it('still gets the approval request, in the organization’s language, and the job is done', async () => {
    const inv = anInvitation({ state: 'pending_approval', name: 'Ana', email: 'ana@example.org' });
    await store.createInvitations([inv], [], []);
    const job = await runOne(JOB.requestApproval, {}, inv.id);
    // recordingPort has no user lookup: every locale lookup fails, as when the platform is slow or refuses it.
    expect(job.state).toBe('done');
    expect(calls.filter((c) => c.startsWith('post:dm-u-admin:'))).toEqual([
      expect.stringMatching(/asks to invite Ana \(ana@example\.org\) with the role/),
    ]);
  });
});
