/** The shared Infomaniak budget under load, through the outbox: 200 invitations (400 calls with their rights)
 * never take more than 60 calls in any minute of the bot's clock, and waiting for the budget costs no attempt. */
import nock from 'nock';
import { afterAll, expect, it } from 'vitest';
import {
  ACCOUNT,
  dialogValues,
  ik,
  ikInvitation,
  infomaniakThroughNock,
  invitationPath,
  ok,
  organization,
  startKchat,
} from './kchatHarness.js';

infomaniakThroughNock();
afterAll(() => {
  nock.cleanAll();
});

it('keeps 200 invitations within 60 Infomaniak calls a minute', { timeout: 120_000 }, async () => {
  const calls: number[] = [];
  let clock = () => 0;
  const record = () => calls.push(clock());
  organization({ 'root@acme.test': 'admin' }, 200, record);
  ik()
    .persist()
    .post(`/1/accounts/${ACCOUNT}/invitations`)
    .reply(() => (record(), [201, ok(ikInvitation())]));
  ik()
    .persist()
    .post(`${invitationPath()}/ksuite`)
    .reply(() => (record(), [201, ok(ikInvitation())]));

  const k = await startKchat({ env: { INVITES_PER_HOUR: '1000' } });
  clock = k.now;
  try {
    const emails = Array.from({ length: 200 }, (_, i) => `p${i}@example.org`).join('\n');
    expect(
      (await k.invite(k.admin, dialogValues({ emails, role: 'collaborator', channels: k.general.id }))).body,
    ).toEqual({});

    for (let round = 0; round < 400 && (await k.app.store.jobs({ state: 'pending' })).length; round++) {
      await k.settle();
      k.advance(10_000);
    }
    const invitations = await k.app.store.listInvitations({});
    expect(invitations).toHaveLength(200);
    expect(invitations.every((i) => i.state === 'sent' && !i.lastError)).toBe(true);
    expect(await k.app.store.jobs({ state: 'dead' })).toEqual([]);

    const times = calls.sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(400);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[j]! <= times[i]! - 60_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(60);
    expect(busiest).toBeGreaterThan(50);
    // Waiting for the budget is not failing: no job spent an attempt.
    expect((await k.app.store.jobs({})).every((j) => j.attempts <= 1)).toBe(true);
  } finally {
    await k.close();
  }
});
