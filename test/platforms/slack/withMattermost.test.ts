/** One bot process serving Mattermost and Slack at once: each platform's requests reach its own adapter, and
 * readiness waits for both. Slack's fake answers over real HTTP here: nock would break the Mattermost client's
 * requests to its fake (see slackNock.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackFake } from '../../fakes/slackFake.js';
import { eventually } from '../../support/freePort.js';
import { type Harness, startHarness } from '../mattermost/harness.js';
import { JOIN_URL, post, SIGNING_SECRET, signature } from './signedRequest.js';

let h: Harness;
const slack = new SlackFake();
beforeAll(async () => {
  slack.addUser({ id: 'UALICE', name: 'alice', email: 'alice@acme.test' });
  slack.addChannel('CGENERAL', 'general', ['UALICE', slack.botUserId]);
  const apiUrl = await slack.listen();
  h = await startHarness({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: apiUrl,
      SLACK_JOIN_URL: JOIN_URL,
    },
  });
});
afterAll(async () => {
  await h.close();
  await slack.stop();
});

describe('Mattermost and Slack in one process', () => {
  it('opens each platform’s own wizard and is ready only with both connected', async () => {
    const readyz = async () => (await fetch(`${h.url}/readyz`)).status;
    await eventually(async () => (await readyz()) === 200);
    // Slack still connected, Mattermost out of reach: not ready, until it is back.
    h.fake.setDown(true);
    await eventually(async () => (await readyz()) === 503);
    expect(h.app.slack!.ready()).toBe(true);
    h.fake.setDown(false);
    await eventually(async () => (await readyz()) === 200, 10_000);

    expect((await h.command(h.member)).status).toBe(200);
    expect(h.fake.dialogsOpened).toHaveLength(1);

    const body = new URLSearchParams({
      team_id: slack.team.id,
      channel_id: 'CGENERAL',
      user_id: 'UALICE',
      user_name: 'alice',
      command: '/invite-people',
      text: '',
      trigger_id: slack.issueTrigger(),
      response_url: `${h.url}/nowhere`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const res = await post(`${h.url}/slack/events`, body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': signature(body, ts),
    });
    expect(res.status).toBe(200);
    await eventually(() => slack.viewsOpened.length);
    expect(slack.viewsOpened[0]!.view.callback_id).toBe('invite-who');
    expect(h.fake.dialogsOpened).toHaveLength(1);
  });
});
