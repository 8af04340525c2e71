/** The Mattermost fake in a thread of its own (a real server is another process), so that the benchmarks measure
 * the bot's event loop and not the fake's. Driven by messages from the benchmark; every time it reports is
 * performance.timeOrigin + performance.now(), comparable with the main thread's. */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { MattermostFake, type MattermostFakeOptions } from '../test/fakes/mattermostFake.js';
import { seed, type World } from '../test/platforms/mattermost/harness.js';

const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let fake: MattermostFake;
let world: World;
let trim: NodeJS.Timeout | undefined;
let emailLookups = 0;
/** Dialog opening times by trigger id (command benchmark). */
const opened: [trigger: string, at: number][] = [];
/** Announcements in the general channel by the bot, by the number in the arrived username `arrN`. */
const announcedAt = new Map<number, number>();
/** Invitation emails accepted by the fake: how many, and when the last one was. */
let invitesSent = 0;
let lastInviteAt = 0;
/** The last dialog the bot opened, whole (the bulk flow submits against it). */
let lastDialog: { url: string; dialog: Record<string, unknown> } | undefined;
/** Direct messages from the bot to the admin (the bulk inviter). */
const adminDms: { at: number; message: string }[] = [];

function watch(): void {
  // Keep only what the benchmarks need: the fake would otherwise keep every request and dialog in memory.
  fake.dialogsOpened.push = (...items) => {
    for (const d of items) opened.push([d.trigger_id, now()]);
    lastDialog = items.at(-1) ?? lastDialog;
    return 0;
  };
  fake.invitesSent.push = (...items) => {
    for (const i of items) invitesSent += i.emails.length;
    lastInviteAt = now();
    return 0;
  };
  const requestsPush = fake.requests.push.bind(fake.requests);
  fake.requests.push = (...items) => {
    for (const r of items) if (r.path.startsWith('/api/v4/users/email/')) emailLookups++;
    return requestsPush(...items);
  };
  trim = setInterval(() => (fake.requests.length = 0), 250);
  const emit = fake.emit.bind(fake);
  fake.emit = (event, data, broadcast) => {
    if (event === 'posted') {
      const post = JSON.parse(String(data.post)) as { channel_id: string; user_id: string; message: string };
      if (post.user_id === world.bot.id) {
        const who = /@arr(\d+)\b/.exec(post.message);
        if (post.channel_id === world.general.id && who && !announcedAt.has(Number(who[1])))
          announcedAt.set(Number(who[1]), now());
        if (post.channel_id === fake.directChannelId(world.bot.id, world.admin.id))
          adminDms.push({ at: now(), message: post.message });
      }
    }
    emit(event, data, broadcast);
  };
}

const handlers: Record<string, (m: Record<string, any>) => Promise<Record<string, unknown>>> = {
  async start(m) {
    const options = (m.options ?? {}) as MattermostFakeOptions;
    fake = await MattermostFake.start({ version: '11.1.0.1.abc.true', triggerLifetimeMs: 3_600_000, ...options });
    world = seed(fake);
    watch();
    const triggers = Array.from({ length: (m.triggers as number) ?? 0 }, () => fake.issueTriggerId(world.member.id));
    return {
      url: fake.url,
      triggers,
      world: {
        teamId: world.team.id,
        channelId: world.general.id,
        channelName: world.general.name,
        approvalsId: world.approvals.id,
        userId: world.member.id,
        userName: world.member.username,
        adminId: world.admin.id,
        adminName: world.admin.username,
        botId: world.bot.id,
      },
    };
  },
  async dialogs() {
    return { opened: opened.splice(0) };
  },
  async status() {
    return {
      wsConnections: fake.wsConnections,
      emailLookups,
      invitesSent,
      lastInviteAt,
      announced: announcedAt.size,
      adminDms,
    };
  },
  /** `count` invitees `arr0…` register at `rate` a second (open loop); answers when each arrived and was announced. */
  async arrivals(m) {
    const elu = performance.eventLoopUtilization();
    const count = m.count as number;
    const rate = m.rate as number;
    const arrivedAt: number[] = [];
    const start = now() + 20;
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / rate - now();
      if (wait > 1) await sleep(wait);
      arrivedAt.push(now());
      fake.registerUser({
        email: `arr${i}@example.org`,
        username: `arr${i}`,
        first_name: 'Arr',
        last_name: String(i),
        teamId: world.team.id,
      });
    }
    const sentFor = now() - start;
    const until = now() + (m.timeoutMs as number);
    while (announcedAt.size < count && now() < until) await sleep(20);
    // How busy the fake itself was (its own thread): a fake at 1.0 would be what the figures measure.
    const fakeElu = performance.eventLoopUtilization(elu).utilization;
    return { arrivedAt, announcedAt: [...announcedAt], sentFor, fakeElu };
  },
  /** The admin runs the command and submits both wizard steps with `count` emails. Answers the submissions' times. */
  async bulk(m) {
    const form = new URLSearchParams({
      token: m.commandToken,
      team_id: world.team.id,
      team_domain: 'acme',
      channel_id: world.general.id,
      channel_name: world.general.name,
      user_id: world.admin.id,
      user_name: world.admin.username,
      command: '/invite-people',
      text: '',
      trigger_id: fake.issueTriggerId(world.admin.id),
      response_url: m.responseUrl,
    });
    const before = opened.length;
    const res = await fetch(`${m.botUrl}/mattermost/command`, {
      method: 'POST',
      body: form,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (res.status !== 200 || opened.length === before)
      throw new Error(`the command did not open a dialog (${res.status} ${await res.text()})`);
    const dialog = lastDialog;
    if (!dialog) throw new Error('no dialog captured');
    const flow = fake.dialogFlow(dialog, {
      userId: world.admin.id,
      channelId: world.general.id,
      teamId: world.team.id,
    });
    const emails = Array.from({ length: m.count as number }, (_, i) => `bulk${i}@example.org`).join('\n');
    const step1 = await flow.submit({ emails, role: 'collaborator' });
    if ((step1.body as { type?: string })?.type !== 'form')
      throw new Error(`step 1 refused: ${JSON.stringify(step1.body).slice(0, 300)}`);
    const submittedAt = now();
    const step2 = await flow.submit({ channels: [world.general.id], delivery: 'platform_email', expiry: '7' });
    const answeredAt = now();
    if (JSON.stringify(step2.body) !== '{}')
      throw new Error(`step 2 refused: ${JSON.stringify(step2.body).slice(0, 300)}`);
    return { submittedAt, answeredAt };
  },
  async stop() {
    clearInterval(trim);
    await fake.stop();
    return {};
  },
};

port.on('message', async (m: { type: string }) => {
  try {
    port.postMessage({ type: m.type, ...(await handlers[m.type]!(m)) });
  } catch (err) {
    port.postMessage({ type: m.type, error: (err as Error).stack ?? String(err) });
  }
});
