/** The bot as an operator starts it: no platform, health endpoints, and logs that never carry secrets. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { COMMAND_TOKEN, type Harness, startHarness } from './platforms/mattermost/harness.js';

let app: App | undefined;
let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  app = h = dir = undefined;
});

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write: (chunk, _enc, done) => ((text += chunk), done()) }), text: () => text };
}

describe('starting the bot', () => {
  it('starts with no platform configured, answers health and readiness, and says how to connect one', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'guestlist-app-'));
    const logs = capture();
    app = await buildApp(loadConfig({ PORT: '0', DATA_DIR: dir }), {
      log: createLogger('info', logs.stream),
      schedule: false,
    });
    const server = await app.listen();
    const port = (server.address() as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/nothing-here`)).status).toBe(404);
    expect(logs.text()).toMatch(/set MATTERMOST_URL and MATTERMOST_BOT_TOKEN/);
  });

  it('keeps tokens and secrets out of the logs, even when refusing a bad token', async () => {
    h = await startHarness();
    const logs = capture();
    await h.app.stop();
    h.app = await buildApp(loadConfig(h.env), { log: createLogger('debug', logs.stream), schedule: false });
    await h.app.listen();
    await h.command(h.member, '', { token: 'not-the-token' });
    await h.command(h.member, 'help');
    expect(logs.text()).toMatch(/wrong token refused/);
    for (const secret of [COMMAND_TOKEN, 'not-the-token', h.env.MATTERMOST_BOT_TOKEN!, h.env.GUESTLIST_SECRET!])
      expect(logs.text()).not.toContain(secret);
  });
});
