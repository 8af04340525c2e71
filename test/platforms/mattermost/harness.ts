/** A Guestlist bot wired to an in-process Mattermost fake, driven through its real HTTP endpoints. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type App, type AppOptions, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import {
  type FakeChannel,
  type FakeTeam,
  type FakeUser,
  MattermostFake,
  type MattermostFakeOptions,
} from '../../fakes/mattermostFake.js';
import { freePort } from '../../support/freePort.js';

export const COMMAND_TOKEN = 'cmdtoken0123456789abcdefgh';

export interface World {
  fake: MattermostFake;
  team: FakeTeam;
  bot: FakeUser;
  admin: FakeUser;
  admin2: FakeUser;
  member: FakeUser;
  guest: FakeUser;
  general: FakeChannel;
  secret: FakeChannel;
  approvals: FakeChannel;
}

export function seed(fake: MattermostFake): World {
  const team = fake.addTeam({ name: 'acme', display_name: 'Acme' });
  const bot = fake.addUser({
    username: 'guestlist',
    email: 'bot@acme.test',
    is_bot: true,
    roles: 'system_user system_admin',
  });
  const admin = fake.addUser({ username: 'root', email: 'root@acme.test', roles: 'system_user' });
  const admin2 = fake.addUser({ username: 'carla', email: 'carla@acme.test', roles: 'system_user' });
  const member = fake.addUser({ username: 'alice', email: 'alice@acme.test', first_name: 'Alice' });
  const guest = fake.addUser({ username: 'gus', email: 'gus@elsewhere.test', roles: 'system_guest' });
  fake.addToken('bot-token', bot.id);
  fake.addTeamMember(team.id, bot.id);
  fake.addTeamMember(team.id, admin.id, 'team_user team_admin');
  fake.addTeamMember(team.id, admin2.id, 'team_user team_admin');
  fake.addTeamMember(team.id, member.id);
  fake.addTeamMember(team.id, guest.id, 'team_guest');
  const general = fake.addChannel({ team_id: team.id, name: 'general', display_name: 'General', type: 'O' });
  const secret = fake.addChannel({ team_id: team.id, name: 'secret', display_name: 'Secret', type: 'P' });
  const approvals = fake.addChannel({ team_id: team.id, name: 'approvals', display_name: 'Approvals', type: 'P' });
  for (const u of [bot, admin, admin2, member, guest]) fake.addChannelMember(general.id, u.id);
  for (const u of [bot, admin]) fake.addChannelMember(secret.id, u.id);
  for (const u of [bot, admin, admin2]) fake.addChannelMember(approvals.id, u.id);
  return { fake, team, bot, admin, admin2, member, guest, general, secret, approvals };
}

export interface Harness extends World {
  app: App;
  url: string;
  dataDir: string;
  env: Record<string, string>;
  /** What the bot posted to each command's response_url. */
  responses: unknown[];
  responseUrl: string;
  command(
    user: FakeUser,
    text?: string,
    opts?: { token?: string; channel?: FakeChannel; responseUrl?: string },
  ): Promise<{ status: number; body: any }>;
  /** Stops the bot (not the fake) and starts a new one on the same data: a restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    fake?: MattermostFakeOptions;
    env?: Record<string, string>;
    dataDir?: string /** e.g. a clock or a logger */;
    app?: AppOptions;
  } = {},
): Promise<Harness> {
  const fake = await MattermostFake.start({ version: '11.1.0.1.abc.true', triggerLifetimeMs: 3000, ...opts.fake });
  const world = seed(fake);
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'guestlist-')));
  const responses = fake.commandResponses;
  // As the server gives it: the command hook on the server itself (the bot posts nowhere else).
  const responseUrl = `${fake.url}/hooks/commands/${'c'.repeat(26)}`;
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    GUESTLIST_SECRET: 'test-secret-0123456789-0123456789-abcdef',
    MATTERMOST_URL: fake.url,
    MATTERMOST_BOT_TOKEN: 'bot-token',
    MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
    MATTERMOST_APPROVAL_CHANNEL_ID: world.approvals.id,
    ...opts.env,
  };
  const boot = async () => {
    const app = await buildApp(loadConfig(env), {
      schedule: false,
      log: pino({ level: 'silent' }),
      outbox: { pollMs: 60_000, baseDelayMs: 1 },
      ...opts.app,
    });
    await app.listen();
    await app.outbox.stop(); // tests drain the outbox by hand
    return app;
  };
  const h: Harness = {
    ...world,
    app: await boot(),
    url: env.PUBLIC_URL!,
    dataDir,
    env,
    responses,
    responseUrl,
    async command(user, text = '', o = {}) {
      const channel = o.channel ?? world.general;
      const form = new URLSearchParams({
        token: o.token ?? COMMAND_TOKEN,
        team_id: world.team.id,
        team_domain: 'acme',
        channel_id: channel.id,
        channel_name: channel.name,
        user_id: user.id,
        user_name: user.username,
        command: '/invite-people',
        text,
        trigger_id: fake.issueTriggerId(user.id),
        response_url: o.responseUrl ?? responseUrl,
      });
      const res = await fetch(`${h.url}/mattermost/command`, {
        method: 'POST',
        body: form,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      return { status: res.status, body: await res.json() };
    },
    async restart() {
      await h.app.stop();
      h.app = await boot();
    },
    async close() {
      await h.app.stop();
      await fake.stop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
