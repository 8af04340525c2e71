/** Two real bot processes on one PostgreSQL database share the work: 200 invitations go through approval,
 * delivery and arrival, and each is delivered and announced exactly once; a replica killed in the middle of a job
 * has it taken over by another within a minute. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgresStore.js';
import { MattermostFake } from '../fakes/mattermostFake.js';
import { COMMAND_TOKEN, seed } from '../platforms/mattermost/harness.js';
import { type BotProcess, startBot } from '../support/botProcess.js';
import { eventually } from '../support/freePort.js';
import { DATABASE_URL, dropSchema, freshSchema, skipWithoutPostgres } from '../support/postgres.js';

const N = 200;
const skip = await skipWithoutPostgres('the two-replica test');
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Runs `work` over `items`, `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += limit)
    await Promise.all(items.slice(i, i + limit).map((item, j) => work(item, i + j)));
}

/** The fake, its seeded team, and the environment of replicas sharing a fresh schema. */
async function setUp() {
  const fake = await MattermostFake.start({
    version: '10.6.0.1.abc.true',
    triggerLifetimeMs: 300_000,
    emailInvitesPerHour: 1e6,
    emailInvitesMaxBurst: 1e6,
  });
  cleanups.push(() => fake.stop());
  const w = seed(fake);
  const schema = freshSchema('gl_replicas');
  cleanups.push(() => dropSchema(schema));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-replicas-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const env = {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    DATA_DIR: dataDir,
    MATTERMOST_URL: fake.url,
    MATTERMOST_BOT_TOKEN: 'bot-token',
    MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
    MATTERMOST_APPROVAL_CHANNEL_ID: w.approvals.id,
    GUESTLIST_SECRET: 'replica-secret-0123456789-0123456789-ab',
    INVITES_PER_HOUR: '100000',
    MATTERMOST_INVITE_EMAILS_PER_HOUR: '100000',
  };
  return { fake, w, env, schema };
}

/** Runs the slash command and submits the one-step wizard for `email`, as a member. */
async function invite(bot: BotProcess, { fake, w }: Awaited<ReturnType<typeof setUp>>, email: string): Promise<void> {
  const trigger = fake.issueTriggerId(w.member.id);
  const form = new URLSearchParams({
    token: COMMAND_TOKEN,
    team_id: w.team.id,
    channel_id: w.general.id,
    user_id: w.member.id,
    user_name: w.member.username,
    text: '',
    trigger_id: trigger,
  });
  expect(await (await fetch(`${bot.url}/mattermost/command`, { method: 'POST', body: form })).json()).toEqual({});
  const opened = fake.dialogsOpened.find((d) => d.trigger_id === trigger)!;
  const res = await fake.submitDialog(opened, w.member.id, w.general.id, w.team.id, {
    emails: email,
    role: 'collaborator',
    channels: w.general.id,
    delivery: 'platform_email',
    expiry: '7',
  });
  expect(res.body).toEqual({});
}

describe.skipIf(skip)('two replicas on one database', () => {
  it(`deliver and announce each of ${N} approved invitations exactly once`, async () => {
    const setup = await setUp();
    const { fake, w, env, schema } = setup;
    const bots: BotProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const bot = await startBot(env);
      bots.push(bot);
      cleanups.push(() => bot.kill('SIGTERM'));
    }
    await eventually(() => fake.wsConnections >= 2, 10_000);

    // Members ask, alternating between the replicas.
    const emails = Array.from({ length: N }, (_, i) => `replica${i}@example.org`);
    await inBatches(emails, 20, (email, i) => invite(bots[i % 2]!, setup, email));

    const requests = await eventually(
      () => (fake.postsIn(w.approvals.id).length >= N ? fake.postsIn(w.approvals.id) : undefined),
      60_000,
    );
    expect(requests).toHaveLength(N);
    // Two admins approve every request at the same moment.
    await inBatches(requests, 10, async (post) => {
      await Promise.all([
        fake.clickButton(post.id, 'approve', w.admin.id),
        fake.clickButton(post.id, 'approve', w.admin2.id),
      ]);
    });
    await eventually(() => fake.invitesSent.length >= N, 60_000);

    for (const email of emails) fake.registerUser({ email, username: email.split('@')[0]!, teamId: w.team.id });
    const announced = () =>
      fake.postsIn(w.general.id).filter((p) => p.user_id === w.bot.id && p.message.includes('Please welcome'));
    await eventually(() => announced().length >= N, 90_000);
    const store = await PostgresStore.open(DATABASE_URL, { schema });
    cleanups.push(() => store.close());
    // A late duplicate could only come from a job still queued or running: wait until none is.
    await eventually(async () => (await store.jobs({ state: 'pending' })).length === 0, 30_000);

    const sentTo = fake.invitesSent.flatMap((i) => i.emails);
    expect(sentTo).toHaveLength(N);
    expect(new Set(sentTo).size).toBe(N);
    const welcomed = announced().map((p) => /@(replica\d+)/.exec(p.message)?.[1]);
    expect(welcomed).toHaveLength(N);
    expect(new Set(welcomed).size).toBe(N);

    const invitations = await store.listInvitations({});
    expect(invitations).toHaveLength(N);
    expect(invitations.every((i) => i.state === 'arrived')).toBe(true);
    const approvals = await Promise.all(
      invitations.map(async (i) => (await store.auditTrail(i.id)).filter((a) => a.action === 'approve').length),
    );
    expect(approvals.every((n) => n === 1)).toBe(true);
  }, 240_000);

  it('takes over the job of a replica killed while running it, within a minute', async () => {
    const setup = await setUp();
    const { fake, w, env } = setup;
    const first = await startBot(env);
    cleanups.push(() => first.kill());
    // The approval request's post is held (never answered, never stored): the first replica has claimed the job
    // and is in the middle of it.
    const held = fake.holdNext('POST', /^\/api\/v4\/posts$/);
    cleanups.push(async () => held.release());
    await invite(first, setup, 'takeover@example.org');
    await held.reached;
    await first.kill('SIGKILL');
    const second = await startBot(env);
    cleanups.push(() => second.kill('SIGTERM'));
    const requests = await eventually(
      () => (fake.postsIn(w.approvals.id).length ? fake.postsIn(w.approvals.id) : undefined),
      60_000,
    );
    expect(requests).toHaveLength(1);
  }, 120_000);
});
