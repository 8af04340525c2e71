/**
 * A kChat server without the Infomaniak settings: the plain Mattermost adapter,
 * which must live without a WebSocket.
 */
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type Harness, startHarness } from '../mattermost/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('gives up the WebSocket quietly on a 404 and still finds arrivals by reconciliation', async () => {
  const lines: { msg: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) },
  );
  h = await startHarness({ fake: { version: '10.6.0.1.abc.true', websocket: false }, app: { log } });
  await eventually(() => lines.some((l) => /no \/api\/v4\/websocket/.test(l.msg)));
  await new Promise((r) => setTimeout(r, 1500));
  expect(lines.filter((l) => /WebSocket/i.test(l.msg)).map((l) => l.msg)).toEqual([
    'this server has no /api/v4/websocket (kChat): arrivals are found by periodic reconciliation',
  ]);
  expect((await fetch(`${h.url}/readyz`)).status).toBe(200);

  await h.command(h.admin);
  const opened = h.fake.dialogsOpened.at(-1)!;
  await h.fake.submitDialog(opened, h.admin.id, h.general.id, h.team.id, {
    emails: 'xena@partner.test',
    role: 'external',
    channels: h.general.id,
    delivery: 'platform_email',
    expiry: '7',
  });
  await h.app.outbox.drain();
  const xena = h.fake.registerUser({
    email: 'xena@partner.test',
    username: 'xena',
    teamId: h.team.id,
    channelIds: [h.general.id],
    roles: 'system_guest',
  });
  await h.app.mattermost!.pollArrivals();
  await h.app.outbox.drain();
  expect((await h.app.store.listInvitations({}))[0]).toMatchObject({ state: 'arrived', arrivedUserId: xena.id });
});
