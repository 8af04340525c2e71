/** SIGKILL during a burst of 500 submissions: whatever was acknowledged survives and is delivered. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import { type FakeUser, MattermostFake, type OpenedDialog } from '../fakes/mattermostFake.js';
import { COMMAND_TOKEN, seed, type World } from '../platforms/mattermost/harness.js';
import { type BotProcess, startBot } from '../support/botProcess.js';
import { eventually } from '../support/freePort.js';

const BURST = 500;
let fake: MattermostFake;
let world: World;
let admins: FakeUser[];
const opener = new Map<string, FakeUser>();
let dataDir: string;
let bot: BotProcess | undefined;

/** What the files hold (data file + journals), read without opening the store. */
const readData = () => LowdbStore.peek(dataDir);

beforeAll(async () => {
  // 10.6: the whole wizard is one dialog. The server's invite limiter is out of the way here.
  fake = await MattermostFake.start({
    version: '10.6.0.1.abc.true',
    triggerLifetimeMs: 120_000,
    emailInvitesPerHour: 1e6,
    emailInvitesMaxBurst: 1e6,
  });
  world = seed(fake);
  // Administrators, whose invitations are sent at once; several, as each person keeps at most 20 open dialogs.
  admins = Array.from({ length: 25 }, (_, i) => {
    const admin = fake.addUser({ username: `admin${i}`, email: `admin${i}@acme.test` });
    fake.addTeamMember(world.team.id, admin.id, 'team_user team_admin');
    fake.addChannelMember(world.general.id, admin.id);
    return admin;
  });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-crash-'));
});
afterAll(async () => {
  await bot?.kill();
  await fake.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const env = () => ({
  DATA_DIR: dataDir,
  MATTERMOST_URL: fake.url,
  MATTERMOST_BOT_TOKEN: 'bot-token',
  MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
  GUESTLIST_SECRET: 'crash-test-secret-0123456789-0123456789',
  INVITES_PER_HOUR: '100000',
  MATTERMOST_INVITE_EMAILS_PER_HOUR: '100000',
});

async function openDialogs(n: number): Promise<OpenedDialog[]> {
  const { team, general } = world;
  const before = fake.dialogsOpened.length;
  for (let i = 0; i < n; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, async (_, j) => {
        const admin = admins[j]!;
        const triggerId = fake.issueTriggerId(admin.id);
        opener.set(triggerId, admin);
        const form = new URLSearchParams({
          token: COMMAND_TOKEN,
          team_id: team.id,
          channel_id: general.id,
          user_id: admin.id,
          user_name: admin.username,
          text: '',
          trigger_id: triggerId,
        });
        const res = await fetch(`${bot!.url}/mattermost/command`, { method: 'POST', body: form });
        expect(await res.json()).toEqual({});
      }),
    );
  }
  return fake.dialogsOpened.slice(before);
}

describe('crash safety (lowdb)', () => {
  it('keeps every acknowledged submission across a SIGKILL ' +
    'and delivers each, re-sending only what was in flight', async () => {
    bot = await startBot(env());
    const dialogs = await openDialogs(BURST);
    const acknowledged: string[] = [];
    let answered = 0;
    const submissions = dialogs.map(async (opened, i) => {
      const email = `guest${i}@example.org`;
      try {
        const res = await fake.submitDialog(
          opened,
          opener.get(opened.trigger_id)!.id,
          world.general.id,
          world.team.id,
          {
            emails: email,
            role: 'collaborator',
            channels: world.general.id,
            delivery: 'platform_email',
            expiry: '7',
          },
        );
        if (res.status === 200 && JSON.stringify(res.body) === '{}') acknowledged.push(email);
      } catch {
        // the connection died with the bot: not acknowledged
      } finally {
        answered++;
      }
    });
    await eventually(() => answered >= BURST / 4, 20_000);
    await bot.kill('SIGKILL');
    await Promise.all(submissions);

    const atKill = await readData(); // readable, or this throws
    const inFlight = new Set(
      atKill.outbox
        .filter((j) => j.kind === 'mattermost.deliver' && j.state === 'pending' && j.leaseUntil)
        .map((j) => j.invitationId),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = new Set(atKill.invitations.map((i) => i.email));
    expect(acknowledged.filter((e) => !stored.has(e))).toEqual([]);

    bot = await startBot(env());
    await eventually(async () => (await readData()).invitations.every((i) => i.state === 'sent'), 30_000);
    const after = await readData();
    const sent = fake.invitesSent.flatMap((i) => i.emails);
    const count = new Map<string, number>();
    for (const e of sent) count.set(e, (count.get(e) ?? 0) + 1);
    for (const inv of after.invitations) {
      const times = count.get(inv.email) ?? 0;
      // Delivered once; twice only when the kill cut a call in flight (the platform's invite call is not idempotent).
      expect(times, inv.email).toBeGreaterThanOrEqual(1);
      if (!inFlight.has(inv.id)) expect(times, inv.email).toBe(1);
    }
    expect(after.invitations.length).toBeGreaterThanOrEqual(acknowledged.length);
  }, 120_000);
});
