/** The schedules on Slack, run by the app's own scheduler (every second here) against a clock moved ahead: each
 * invitee's one reminder by the way their invitation went out, the approvers' digest, expiry and its notices,
 * and RECONCILE_CRON finding an arrival no event reported. */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type LinkSinks, linksIn, movableClock, startLinkSinks } from '../../support/linkChannels.js';
import { countPasses } from '../mattermost/invite.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { dms, invite } from './invite.js';

const DAY = 86400_000;
const EVERY_SECOND = '* * * * * *';
let h: SlackHarness | undefined;
let sinks: LinkSinks | undefined;
afterEach(async () => {
  await h?.close();
  await sinks?.stop();
  h = sinks = undefined;
});

/** nock, loaded for Slack, drops the body of a fetch it lets through: the SMS gateway is answered by nock too. */
function smsThroughNock(): Record<string, string> {
  nock('https://sms.test')
    .persist()
    .post('/send')
    .reply(async (req) => {
      sinks!.texts.push((await req.json()) as { to: string; text: string });
      return [200, '{}'];
    });
  return { ...sinks!.env, SMS_WEBHOOK_URL: 'https://sms.test/send' };
}

const until = (check: () => unknown) => eventually(async () => (await h!.app.outbox.drain(), check()), 10_000);

describe('the lifecycle pass on Slack', () => {
  it('reminds each invitee once by the way it went out, digests waiting requests, then expires and tells', async () => {
    sinks = await startLinkSinks();
    const clock = movableClock();
    h = await startSlackHarness({
      grid: true,
      env: smsThroughNock(),
      app: { clock, schedule: true, cron: { lifecycle: EVERY_SECOND } },
    });
    const passes = countPasses(h, 'lifecycle');
    await invite(h, h.admin, 'ana@example.org', { delivery: 'platform_email' });
    await invite(h, h.admin, 'ben@example.org', { delivery: 'bot_email' });
    await invite(h, h.admin, 'cleo@example.org', { delivery: 'sms', phone: '+41791234567' });
    await invite(h, h.admin, 'dan@example.org', { delivery: 'link' });
    await invite(h, h.member, 'eve@example.org', { delivery: 'link' });
    const invites = () => h!.fake.callsOf('admin.users.invite').length;
    expect([invites(), sinks.smtp.received.length, sinks.texts.length, dms(h, 'UADMIN').length]).toEqual([1, 1, 1, 1]);

    clock.advance(6.5 * DAY);
    await until(() => sinks!.smtp.received.length === 2 && sinks!.texts.length === 2 && invites() === 2);
    await until(() => dms(h!, 'UADMIN').length === 2 && h!.fake.postsIn('CAPPROVE').length === 2);
    expect(h.fake.callsOf('admin.users.invite')[1]!.args).toMatchObject({
      email: 'ana@example.org',
      channel_ids: ['CGENERAL'],
    });
    expect(sinks.smtp.received[1]!.to).toEqual(['ben@example.org']);
    expect(sinks.texts[1]).toEqual({ to: '+41791234567', text: expect.stringMatching(/\/join\//) });
    expect(dms(h, 'UADMIN')[1]).toMatch(/dan@example\.org\) has not accepted your invitation yet/);
    expect(h.fake.postsIn('CAPPROVE')[1]!.text).toMatch(
      /1 invitation request has waited more than a day[\s\S]*eve@example\.org/,
    );
    expect((await fetch(linksIn(sinks.smtp.received[1]!.raw)[0]!)).status).toBe(200);
    expect((await fetch(linksIn(sinks.smtp.received[0]!.raw)[0]!)).status).toBe(404);

    const seen = passes();
    await until(() => passes() >= seen + 2);
    expect([invites(), sinks.smtp.received.length, sinks.texts.length, dms(h, 'UADMIN').length]).toEqual([2, 2, 2, 2]);
    expect(h.fake.postsIn('CAPPROVE')).toHaveLength(2);

    clock.advance(DAY);
    await until(async () => (await h!.app.store.listInvitations({ states: ['expired'] })).length === 5);
    await until(() => dms(h!, 'UADMIN').length === 6 && dms(h!, 'UALICE').some((m) => /expired before/.test(m)));
    expect(
      dms(h, 'UADMIN')
        .slice(2)
        .every((m) => /expired before it was accepted/.test(m)),
    ).toBe(true);
    expect(h.fake.postsIn('CAPPROVE')[0]!.text).toMatch(/now expired/);
  });
});

describe('RECONCILE_CRON on Slack', () => {
  it('finds an invitee through users.lookupByEmail, adds and announces them once', async () => {
    h = await startSlackHarness({ env: { RECONCILE_CRON: EVERY_SECOND }, app: { schedule: true } });
    await invite(h, h.admin, 'ana@example.org', { delivery: 'link' });
    h.fake.addUser({ id: 'UANA', name: 'ana', email: 'ana@example.org' });
    await until(() => h!.fake.postsIn('CGENERAL').some((p) => /<@UANA>/.test(p.text)));
    const [inv] = await h.app.store.listInvitations({});
    expect((await h.app.store.auditTrail(inv!.id)).find((a) => a.action === 'arrived')?.detail).toEqual({
      via: 'reconcile',
    });
    expect(dms(h, 'UADMIN').filter((m) => /accepted your invitation/.test(m))).toHaveLength(1);
    expect(h.fake.postsIn('CGENERAL').filter((p) => /<@UANA>/.test(p.text))).toHaveLength(1);
  });
});
