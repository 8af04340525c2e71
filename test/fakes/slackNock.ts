/** Puts the Slack fake at the network edge with nock: SLACK_API_URL `${SLACK_API}/api/`, response URLs under HOOKS.
 * Loading nock intercepts every fetch in the process: a fetch with a body that nock lets through to a local server
 * loses its body (nock 15.0.0), so such tests talk to local servers with node:http. */
import nock from 'nock';
import { SlackFake } from './slackFake.js';

export const SLACK_API = 'https://slack.test';
export const HOOKS = 'https://hooks.slack.test';

export function interceptSlack(fake: SlackFake): () => void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  nock(SLACK_API)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply(async (req) =>
      fake.handle(
        new URL(req.url).pathname.replace('/api/', ''),
        req.headers.get('authorization') ?? '',
        await req.text(),
      ),
    );
  nock(HOOKS)
    .persist()
    .post(/.*/)
    .reply(async (req) => {
      fake.responses.push({ path: new URL(req.url).pathname, body: JSON.parse(await req.text()) });
      return [200, 'ok'];
    });
  return () => {
    nock.cleanAll();
    nock.enableNetConnect();
  };
}
