/** What kChat's schedules and limits do, through the running app: the status poll on ARRIVAL_POLL_INTERVAL, its cap
 * of 20 invitations a round, and the web form's one-hour link. */
import nock from 'nock';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Invitation } from '../../../src/core/model.js';
import { InfomaniakAccess } from '../../../src/platforms/kchat/access.js';
import type { AccessCheck } from '../../../src/platforms/kchat/infomaniakApi.js';
import { invitation } from '../../store/storeContract.js';
import { eventually } from '../../support/freePort.js';
import {
  ACCOUNT,
  ik,
  ikInvitation,
  infomaniakThroughNock,
  type Kchat,
  ok,
  organization,
  sentToInfomaniak,
  startKchat,
} from './kchatHarness.js';

let k: Kchat | undefined;
infomaniakThroughNock();
afterEach(async () => {
  await k?.close();
  k = undefined;
  nock.cleanAll();
  sentToInfomaniak.splice(0);
});

/** `count` invitations out on Infomaniak (ids 9000…), as the delivery leaves them. */
async function sentInvitations(count: number): Promise<Invitation[]> {
  const now = new Date(k!.now()).toISOString();
  const made = Array.from({ length: count }, (_, i) =>
    invitation(`kc${i}`, {
      workspaceId: k!.team.id,
      channelIds: [k!.general.id],
      inviter: { id: k!.admin.id, username: k!.admin.username },
      state: 'sent',
      delivery: 'platform_email',
      role: 'collaborator',
      createdAt: now,
      updatedAt: now,
      external: { infomaniakInvitationId: String(9000 + i) },
    }),
  );
  await k!.app.store.createInvitations(made, [], []);
  return made;
}

/** Answers every status read with `status`, recording which invitation ids were read. */
function statuses(status: string): string[] {
  const read: string[] = [];
  ik()
    .persist()
    .get(new RegExp(`^/1/accounts/${ACCOUNT}/invitations/(\\d+)`))
    .reply((request) => {
      // nock 15 hands fetch's requests over as Request objects.
      const url = typeof request === 'string' ? request : (request as unknown as Request).url;
      const id = /invitations\/(\d+)/.exec(url)![1]!;
      read.push(id);
      return [200, ok(ikInvitation({ id: Number(id), status }))];
    });
  return read;
}

describe('kChat schedules', () => {
  it('reads at most 20 invitation statuses a round, those checked longest ago first', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    await sentInvitations(25);
    const read = statuses('pending');

    await k.app.mattermost!.pollArrivals();
    expect(read).toHaveLength(20);
    const first = new Set(read);
    read.length = 0;
    await k.app.mattermost!.pollArrivals();
    expect(read).toHaveLength(20);
    // The five left out of the first round come first in the second.
    const left = Array.from({ length: 25 }, (_, i) => String(9000 + i)).filter((id) => !first.has(id));
    expect(left).toHaveLength(5);
    expect(read.slice(0, 5).sort()).toEqual(left.sort());
  });

  it('polls on ARRIVAL_POLL_INTERVAL through the app’s scheduler: a cancellation is followed', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat({ env: { ARRIVAL_POLL_INTERVAL: '5' }, app: { schedule: true } });
    const [inv] = await sentInvitations(1);
    statuses('cancelled');
    await eventually(async () => (await k!.app.store.getInvitation(inv!.id))!.state === 'revoked', 15_000);
    await k.settle();
    expect(k.dms(k.admin).at(-1)).toMatch(/cancelled outside the chat/);
  }, 20_000);

  it('gives a web form link that works for one hour, then says the form has expired', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    k.fake.failNext('POST', /\/actions\/dialogs\/open$/, [
      { status: 404, body: { id: 'api.context.404.app_error', message: 'Not found.', status_code: 404 } },
    ]);
    const answer = await k.command(k.admin);
    const link = /(http:\/\/\S+\/mattermost\/form\?t=\S+)/.exec((answer.body as { text: string }).text)![1]!;
    expect((await fetch(link)).status).toBe(200);
    k.advance(59 * 60_000);
    expect((await fetch(link)).status).toBe(200);
    k.advance(2 * 60_000);
    const expired = await fetch(link);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('This form has expired');
  });
});

describe('the kChat access re-check', () => {
  it('checks a failed token again every five minutes and is ready once it passes', async () => {
    vi.useFakeTimers();
    try {
      const answers: AccessCheck[] = [
        { ok: false, problem: 'missing_scope', message: '403' },
        { ok: false, problem: 'unreachable', message: 'down' },
        { ok: true },
      ];
      let calls = 0;
      const access = new InfomaniakAccess({ checkAccess: async () => answers[calls++]! }, pino({ level: 'silent' }));
      await access.start();
      expect(access.ready()).toBe(false);
      await vi.advanceTimersByTimeAsync(4 * 60_000);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect([calls, access.ready()]).toEqual([2, false]);
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect([calls, access.ready()]).toEqual([3, true]);
      // Once it passed, it is not asked again.
      await vi.advanceTimersByTimeAsync(30 * 60_000);
      expect(calls).toBe(3);
      access.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
