/** The schedules on Mattermost, run by the app's own scheduler (every second here) against a clock moved ahead:
 * each invitee's one reminder by the way their invitation went out, the approvers' digest, expiry with its
 * notices, the catch-up pass at start, RECONCILE_CRON and the daily archive. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type LinkSinks, linksIn, movableClock, startLinkSinks } from '../../support/linkChannels.js';
import { type Harness, startHarness } from './harness.js';
import { countPasses, dmTo, invite } from './invite.js';

const DAY = 86400_000;
const EVERY_SECOND = '* * * * * *';
let h: Harness | undefined;
let sinks: LinkSinks | undefined;
afterEach(async () => {
  await h?.close();
  await sinks?.stop();
  h = sinks = undefined;
});

/** Drains the outbox until `check` holds: the scheduler queues, the test runs what was queued. */
const until = (check: () => unknown) => eventually(async () => (await h!.app.outbox.drain(), check()), 10_000);

describe('the lifecycle pass, every ten minutes', () => {
  it('reminds each invitee once by the way it went out, digests waiting requests, then expires and tells', async () => {
    sinks = await startLinkSinks();
    const clock = movableClock();
    h = await startHarness({ env: sinks.env, app: { clock, schedule: true, cron: { lifecycle: EVERY_SECOND } } });
    const passes = countPasses(h, 'lifecycle');
    await invite(h, h.admin, { delivery: 'platform_email' }, 'ana@example.org');
    await invite(h, h.admin, { delivery: 'bot_email' }, 'ben@example.org');
    await invite(h, h.admin, { delivery: 'sms', phone: '+41791234567' }, 'cleo@example.org');
    await invite(h, h.admin, { delivery: 'link' }, 'dan@example.org');
    await invite(h, h.member, { delivery: 'link' }, 'eve@example.org');
    const firstMail = linksIn(sinks.smtp.received[0]!.raw)[0]!;
    expect([
      h.fake.invitesSent.length,
      sinks.smtp.received.length,
      sinks.texts.length,
      dmTo(h, h.admin.id).length,
    ]).toEqual([1, 1, 1, 1]);

    clock.advance(6.5 * DAY);
    await until(
      () => sinks!.smtp.received.length === 2 && sinks!.texts.length === 2 && h!.fake.invitesSent.length === 2,
    );
    await until(() => dmTo(h!, h!.admin.id).length === 2 && h!.fake.postsIn(h!.approvals.id).length === 2);
    expect(h.fake.invitesSent[1]).toMatchObject({ emails: ['ana@example.org'] });
    expect(sinks.smtp.received[1]!.to).toEqual(['ben@example.org']);
    expect(sinks.texts[1]).toEqual({ to: '+41791234567', text: expect.stringMatching(/\/join\//) });
    expect(dmTo(h, h.admin.id)[1]).toMatch(/dan@example\.org\) has not accepted your invitation yet\. It expires on/);
    expect(h.fake.postsIn(h.approvals.id)[1]!.message).toMatch(
      /1 invitation request has waited more than a day[\s\S]*eve@example\.org/,
    );
    // The reminder's email carries a new link; the first one stopped working.
    const reminderLink = linksIn(sinks.smtp.received[1]!.raw)[0]!;
    expect([(await fetch(reminderLink)).status, (await fetch(firstMail)).status]).toEqual([200, 404]);

    // Two more passes change nothing: each reminder went out once, the digest once that day.
    const seen = passes();
    await until(() => passes() >= seen + 2);
    expect([h.fake.invitesSent.length, sinks.smtp.received.length, sinks.texts.length]).toEqual([2, 2, 2]);
    expect([dmTo(h, h.admin.id).length, h.fake.postsIn(h.approvals.id).length]).toEqual([2, 2]);

    clock.advance(DAY);
    await until(async () => (await h!.app.store.listInvitations({ states: ['expired'] })).length === 5);
    await until(
      () => dmTo(h!, h!.admin.id).length === 6 && dmTo(h!, h!.member.id).some((m) => /expired before/.test(m)),
    );
    expect(
      dmTo(h, h.admin.id)
        .slice(2)
        .every((m) => /expired before it was accepted/.test(m)),
    ).toBe(true);
    expect(h.fake.postsIn(h.approvals.id)[0]!.message).toMatch(/now expired/);
    expect((await fetch(reminderLink)).status).toBe(410);
  });

  it('runs once at start, catching up on what fell due while the bot was down', async () => {
    const clock = movableClock();
    h = await startHarness({ app: { clock, schedule: true, cron: { lifecycle: '0 0 1 1 *' } } });
    await invite(h, h.admin, { delivery: 'link' });
    clock.advance(8 * DAY);
    await h.restart();
    await until(() => dmTo(h!, h!.admin.id).some((m) => /expired before it was accepted/.test(m)));
    expect((await h.app.store.listInvitations({}))[0]!.state).toBe('expired');
  });
});

describe('RECONCILE_CRON', () => {
  it('finds an invitee whose arrival no event reported, and announces them once', async () => {
    h = await startHarness({ env: { RECONCILE_CRON: EVERY_SECOND }, app: { schedule: true } });
    await invite(h, h.admin, { delivery: 'platform_email' });
    // Made behind the bot's back: no WebSocket event tells it.
    h.fake.addUser({ username: 'ana', email: 'ana@example.org' });
    await until(() => h!.fake.postsIn(h!.general.id).some((p) => /Please welcome @ana/.test(p.message)));
    const [inv] = await h.app.store.listInvitations({});
    expect(inv!.state).toBe('arrived');
    expect((await h.app.store.auditTrail(inv!.id)).find((a) => a.action === 'arrived')?.detail).toEqual({
      via: 'reconcile',
    });
    expect(dmTo(h, h.admin.id).filter((m) => /accepted your invitation/.test(m))).toHaveLength(1);
  });
});

describe('stopping', () => {
  it('waits for a scheduled pass in flight and keeps what it found', async () => {
    h = await startHarness({ env: { RECONCILE_CRON: EVERY_SECOND }, app: { schedule: true } });
    await invite(h, h.admin, { delivery: 'platform_email' });
    h.fake.addUser({ username: 'ana', email: 'ana@example.org' });
    const held = h.fake.holdNext('GET', /\/users\/email\//);
    await held.reached; // reconciliation is asking Mattermost about ana
    const stopped = h.app.stop();
    held.release();
    await stopped;
    const data = JSON.parse(await readFile(path.join(h.dataDir, 'guestlist.json'), 'utf8'));
    expect(data.invitations[0]).toMatchObject({ email: 'ana@example.org', state: 'arrived' });
  });
});

describe('the daily archive', () => {
  it('moves invitations finished more than ARCHIVE_AFTER_DAYS ago out of the data file', async () => {
    const clock = movableClock();
    h = await startHarness({
      env: { ARCHIVE_AFTER_DAYS: '30' },
      app: { clock, schedule: true, cron: { lifecycle: EVERY_SECOND, archive: EVERY_SECOND } },
    });
    await invite(h, h.admin, { delivery: 'link' });
    const [inv] = await h.app.store.listInvitations({});
    clock.advance(8 * DAY);
    await until(async () => (await h!.app.store.getInvitation(inv!.id))?.state === 'expired');
    clock.advance(31 * DAY);
    await until(async () => !(await h!.app.store.getInvitation(inv!.id)));
    const archived = await readFile(path.join(h.dataDir, 'guestlist-archive.jsonl'), 'utf8');
    expect(JSON.parse(archived.trim().split('\n')[0]!)).toMatchObject({
      invitation: { id: inv!.id, state: 'expired' },
    });
  });
});
