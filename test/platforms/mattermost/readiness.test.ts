/** /readyz follows the Mattermost connection: 503 while the server is out of reach (its WebSocket dropped and
 * refused), 200 again once the bot has reconnected by itself. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const readyz = async () => (await fetch(`${h!.url}/readyz`)).status;

describe('readiness on Mattermost', () => {
  it('answers 503 while Mattermost is unreachable and 200 again after it is back', async () => {
    h = await startHarness();
    await eventually(async () => (await readyz()) === 200);
    h.fake.setDown(true);
    await eventually(async () => (await readyz()) === 503);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    h.fake.setDown(false);
    await eventually(async () => (await readyz()) === 200, 10_000);
  });
});
