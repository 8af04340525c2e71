/** SIGTERM: the bot stops taking requests, finishes what it holds, flushes the store and exits cleanly. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MattermostFake } from '../fakes/mattermostFake.js';
import { COMMAND_TOKEN, seed } from '../platforms/mattermost/harness.js';
import { startBot } from '../support/botProcess.js';
import { eventually } from '../support/freePort.js';

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The bot as a child process on a Mattermost fake, and the admin's slash command. */
async function botOnFake() {
  const fake = await MattermostFake.start({ version: '11.1.0.1.abc.true' });
  const w = seed(fake);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-shutdown-'));
  const bot = await startBot({
    DATA_DIR: dir,
    LOG_LEVEL: 'info',
    GUESTLIST_SECRET: 'test-secret-0123456789-0123456789-abcdef',
    MATTERMOST_URL: fake.url,
    MATTERMOST_BOT_TOKEN: 'bot-token',
    MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
  });
  const command = () =>
    fetch(`${bot.url}/mattermost/command`, {
      method: 'POST',
      body: new URLSearchParams({
        token: COMMAND_TOKEN,
        team_id: w.team.id,
        channel_id: w.general.id,
        user_id: w.admin.id,
        user_name: w.admin.username,
        command: '/invite-people',
        text: '',
        trigger_id: fake.issueTriggerId(w.admin.id),
        response_url: `${fake.url}/hooks/commands/x`,
      }),
    });
  const stop = async () => {
    await bot.kill();
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { fake, w, dir, bot, command, stop };
}

describe('graceful shutdown', () => {
  it('exits 0 on SIGTERM with its data file whole and its port closed', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-shutdown-'));
    const bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
    bot.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(bot.output()).toMatch(/SIGTERM: shutting down/);
    await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();
    expect(JSON.parse(await readFile(path.join(dataDir, 'guestlist.json'), 'utf8'))).toMatchObject({
      version: 2,
      invitations: [],
    });
  });

  it('answers the request in flight when SIGTERM comes, then exits 0', async () => {
    const { fake, bot, command, stop } = await botOnFake();
    try {
      const held = fake.holdNext('POST', /\/actions\/dialogs\/open$/);
      const answer = command();
      await held.reached; // the command waits for its dialog to open

      const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
      bot.child.kill('SIGTERM');
      await eventually(() => /SIGTERM: shutting down/.test(bot.output()));
      held.release();
      expect((await answer).status).toBe(200);
      expect(await exited).toBe(0);
      expect(fake.dialogsOpened).toHaveLength(1);
    } finally {
      await stop();
    }
  }, 30_000);

  it('finishes the outbox job in flight when SIGTERM comes, then exits 0', async () => {
    const { fake, w, dir, bot, command, stop } = await botOnFake();
    try {
      const held = fake.holdNext('POST', /\/invite\/email$/);
      expect((await command()).status).toBe(200);
      const flow = fake.dialogFlow(await eventually(() => fake.dialogsOpened[0]), {
        userId: w.admin.id,
        channelId: w.general.id,
        teamId: w.team.id,
      });
      await flow.submit({ emails: 'ana@example.org', role: 'collaborator' });
      await flow.submit({ channels: [w.general.id], delivery: 'platform_email', expiry: '7' });
      await held.reached; // the delivery job is waiting on Mattermost

      const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
      bot.child.kill('SIGTERM');
      await eventually(() => /SIGTERM: shutting down/.test(bot.output()));
      expect(bot.child.exitCode).toBeNull(); // still holding the job
      held.release();
      expect(await exited).toBe(0);
      expect(fake.invitesSent).toEqual([expect.objectContaining({ emails: ['ana@example.org'] })]);
      const data = JSON.parse(await readFile(path.join(dir, 'guestlist.json'), 'utf8'));
      expect(data.invitations).toEqual([expect.objectContaining({ email: 'ana@example.org', state: 'sent' })]);
    } finally {
      await stop();
    }
  }, 30_000);
});
