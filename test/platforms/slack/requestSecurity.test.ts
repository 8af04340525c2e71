/** What reaches /slack/events: only requests signed with the signing secret within 5 minutes of now, with a
 * bounded body; and the slash command is acknowledged at once even when Slack's API is slow. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../src/platforms/slack/receiver.js';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { post, signature } from './signedRequest.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(() => h.close());

const FORM = 'application/x-www-form-urlencoded';
const command = new URLSearchParams({
  team_id: 'T0ACME',
  channel_id: 'CGENERAL',
  user_id: 'UALICE',
  command: '/invite-people',
  text: 'help',
  trigger_id: 't',
  response_url: 'https://hooks.slack.test/x',
}).toString();
const now = () => Math.floor(Date.now() / 1000);

describe('Slack request verification', () => {
  it('answers a correctly signed request', async () => {
    expect((await h.send(command, FORM)).status).toBe(200);
  });

  it('refuses unsigned, wrongly signed, stale and far-future requests', async () => {
    const calls = h.fake.calls.length;
    const unsigned = await post(`${h.url}/slack/events`, command, { 'Content-Type': FORM });
    expect(unsigned.status).toBe(401);
    expect(
      (await h.send(command, FORM, { 'X-Slack-Signature': signature(command, now(), 'another-secret') })).status,
    ).toBe(401);
    expect(
      (await h.send(`${command}&text=list`, FORM, { 'X-Slack-Signature': signature(command, now()) })).status,
    ).toBe(401);
    for (const ts of [now() - 301, now() + 301]) {
      expect(
        (
          await h.send(command, FORM, {
            'X-Slack-Request-Timestamp': String(ts),
            'X-Slack-Signature': signature(command, ts),
          })
        ).status,
      ).toBe(401);
    }
    expect(h.fake.calls).toHaveLength(calls); // none reached the bot: no Web API call followed
  });

  it('refuses oversized bodies with 413 before reading them, signed or not', async () => {
    const big = `${command}&pad=${'x'.repeat(MAX_BODY_BYTES)}`;
    expect((await h.send(big, FORM)).status).toBe(413);
  });

  it('acknowledges the command at once even when Slack answers slowly, and opens the modal after', async () => {
    h.fake.slow.set('users.info', 1500);
    const views = h.fake.viewsOpened.length;
    const lookups = h.fake.callsOf('users.info').length; // the help asked earlier looked the member up
    const ack = await h.command(h.member);
    expect(ack.status).toBe(200);
    // The ack came back before Slack answered the inviter's lookup, so before the modal could open.
    expect(h.fake.callsOf('users.info')).toHaveLength(lookups);
    expect(h.fake.viewsOpened).toHaveLength(views);
    await eventually(() => h.fake.viewsOpened.length > views, 5000);
    expect(h.fake.callsOf('users.info').length).toBeGreaterThan(lookups);
    h.fake.slow.clear();
  });
});
