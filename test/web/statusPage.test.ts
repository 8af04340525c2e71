/** GET / on a configured deployment: the version and each platform's connection, as a page and as JSON, and not
 * one secret of the configuration. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Playground, startPlayground, textOf } from '../platforms/local/browser.js';
import { type Harness, startHarness } from '../platforms/mattermost/harness.js';
import { eventually } from '../support/freePort.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

let h: Harness | undefined;
let pg: Playground | undefined;
afterEach(async () => {
  await h?.close();
  await pg?.close();
  h = pg = undefined;
});

describe('the status page at /', () => {
  it('shows the version and that Mattermost is connected, as HTML and as JSON, with no secret in either', async () => {
    h = await startHarness({ env: { ORG_NAME: 'Acme Cooperative' } });
    const url = h.url;
    await eventually(async () => (await fetch(`${url}/readyz`)).ok, 10_000);
    const page = await fetch(`${h.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = textOf(await page.text());
    expect(text).toContain('Guestlist is running');
    expect(text).toContain(`Version ${version}`);
    expect(text).toMatch(/Mattermost ?: connected/);

    const json = await fetch(`${h.url}/`, { headers: { Accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json.text();
    expect(JSON.parse(body)).toEqual({
      name: 'guestlist',
      version,
      platforms: [{ platform: 'mattermost', connected: true }],
    });
    for (const secret of [h.env.GUESTLIST_SECRET!, 'bot-token', h.env.MATTERMOST_COMMAND_TOKEN!, h.fake.url]) {
      expect(body).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
  });

  it('says a configured platform is not connected yet, and stays off where the playground answers /', async () => {
    const slack = {
      SLACK_BOT_TOKEN: 'xoxb-status-test',
      SLACK_SIGNING_SECRET: 'status-signing-secret',
      SLACK_JOIN_URL: 'https://join.example.org',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    };
    pg = await startPlayground(slack);
    const res = await fetch(`${pg.url}/`, { headers: { Accept: 'application/json' } });
    expect(await res.json()).toMatchObject({ platforms: [{ platform: 'slack', connected: false }] });
    const text = textOf(await (await fetch(`${pg.url}/`)).text());
    expect(text).toMatch(/Slack ?: configured, not connected yet/);
    expect(text).not.toContain('xoxb-status-test');
    expect(text).not.toContain('status-signing-secret');
    await pg.close();

    pg = await startPlayground({ ...slack, PLAYGROUND: 'on' });
    expect((await fetch(`${pg.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/playground/');
  });
});
