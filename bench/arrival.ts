/** Arrival latency: from the invitee's account appearing on Mattermost (the fake publishes `new_user` on the
 * WebSocket) to the bot's announcement post landing in the invitation's channel, at a steady rate of arrivals.
 * The outbox runs on its own (started by listen(), short poll), as in production. */
import { performance } from 'node:perf_hooks';
import type { Invitation } from '../src/core/model.js';
import { anInvitation } from '../test/support/invitationFixture.js';
import {
  ask,
  BOT_STORE,
  fmt,
  now,
  round,
  say,
  sleep,
  startBot,
  summarize,
  traceBot,
  tsWorker,
  waitFor,
} from './lib.js';

export interface ArrivalFigures {
  announce_p50_ms: number;
  announce_p90_ms: number;
  announce_p99_ms: number;
  announce_max_ms: number;
  arrivals: number;
  announced: number;
  arrivals_per_s: number;
  arrival_recorded_p99_ms: number;
  announce_after_recorded_p99_ms: number;
}

const RATE = 100;
const SECONDS = 5;
/** Older, finished invitations in the store beside the awaited ones (a store that has been in use). */
const BACKGROUND = 2_000;

interface Status {
  wsConnections: number;
  emailLookups: number;
}

/** `count` invitations awaiting their invitee (delivered, state `sent`) and `background` finished ones beside,
 * in the fake's team. */
export function arrivalInvitations(world: Record<string, string>, count: number, background: number) {
  const at = new Date().toISOString();
  const inv = (i: number, over: Partial<Invitation>) =>
    anInvitation({
      platform: 'mattermost',
      workspaceId: world.teamId!,
      email: `arr${i}@example.org`,
      name: `Arr ${i}`,
      role: 'collaborator',
      channelIds: [world.channelId!],
      delivery: 'platform_email',
      inviter: { id: world.adminId!, username: world.adminName! },
      originChannelId: world.channelId!,
      createdAt: at,
      updatedAt: at,
      ...over,
    });
  return {
    awaited: Array.from({ length: count }, (_, i) => inv(i, { state: 'sent' })),
    background: Array.from({ length: background }, (_, i) =>
      inv(100_000 + i, { state: 'arrived', arrivedUserId: `old${i}`, arrivedAt: at }),
    ),
  };
}

export async function benchArrival(): Promise<ArrivalFigures> {
  const count = RATE * SECONDS;
  say(
    `## arrival: WebSocket new_user → announcement posted, ${RATE} arrivals/s for ${SECONDS} s ` +
      `(${count} invitations awaiting, ${BACKGROUND} finished ones beside; store: ${BOT_STORE})`,
  );
  const fake = tsWorker(new URL('./fakeWorker.ts', import.meta.url), {});
  const { url, world } = await ask<{ url: string; world: Record<string, string> }>(fake, { type: 'start' });

  // Written before the bot starts.
  const { awaited, background } = arrivalInvitations(world, count, BACKGROUND);
  const bot = await startBot({
    mattermostUrl: url,
    approvalChannelId: world.approvalsId,
    app: { outbox: { pollMs: 50 } },
    seed: async (store) => {
      await store.createInvitations([...background, ...awaited], [], []);
    },
  });
  const status = () => ask<Status>(fake, { type: 'status' });
  if (!(await waitFor(async () => bot.app.mattermost!.ready() && (await status()).wsConnections > 0, 10_000, 20))) {
    throw new Error('the bot did not connect to the fake’s WebSocket');
  }
  // On connecting, the bot reconciles: it looks every awaited invitee up by email. Let that finish first.
  await waitFor(async () => (await status()).emailLookups >= count, 30_000, 50);
  await sleep(200);

  // When each arrival is recorded (the store's compare-and-set to `arrived`): splits detection from the outbox's part.
  const indexOf = new Map(awaited.map((a, i) => [a.id, i]));
  const recordedAt = new Map<number, number>();
  const store = bot.app.store;
  const transition = store.transition.bind(store);
  store.transition = async (id, change) => {
    const done = await transition(id, change);
    if (done && change.to === 'arrived' && indexOf.has(id)) recordedAt.set(indexOf.get(id)!, now());
    return done;
  };
  const trace = process.env.BENCH_TRACE === '1' ? traceBot(bot.app) : undefined;
  let elu = performance.eventLoopUtilization();
  const run = await ask<{ arrivedAt: number[]; announcedAt: [number, number][]; sentFor: number }>(fake, {
    type: 'arrivals',
    count,
    rate: RATE,
    timeoutMs: 30_000,
  });
  elu = performance.eventLoopUtilization(elu);
  trace?.report();
  await bot.close();
  await ask(fake, { type: 'stop' });
  await fake.terminate();

  const announced = new Map(run.announcedAt);
  const s = summarize([...announced].map(([i, t]) => t - run.arrivedAt[i]!));
  const detect = summarize([...recordedAt].map(([i, t]) => t - run.arrivedAt[i]!));
  const outboxPart = summarize(
    [...announced].filter(([i]) => recordedAt.has(i)).map(([i, t]) => t - recordedAt.get(i)!),
  );
  const lastAnnounced = Math.max(...announced.values());
  say(
    `  ${count} arrivals in ${fmt(run.sentFor / 1000, 2)} s (${fmt((count * 1000) / run.sentFor, 0)}/s); ` +
      `${announced.size} announced, ` +
      `the last ${fmt((lastAnnounced - run.arrivedAt[0]!) / 1000, 2)} s after the first arrival`,
  );
  say(`  bot event-loop utilisation during the run: ${fmt(elu.utilization, 2)}`);
  say(
    `  arrival → recorded in the store: p50 ${fmt(detect.p50)} ms, p99 ${fmt(detect.p99)} ms; ` +
      `recorded → announced (outbox): p50 ${fmt(outboxPart.p50)} ms, p99 ${fmt(outboxPart.p99)} ms`,
  );
  say(
    `  arrival → announcement: p50 ${fmt(s.p50)} ms, p90 ${fmt(s.p90)} ms, p99 ${fmt(s.p99)} ms, ` +
      `max ${fmt(s.max)} ms   (target p99 ≤ 500 ms)`,
  );
  if (announced.size < count)
    say(`  ${count - announced.size} arrivals were not announced within 30 s after the last one`);
  say();
  return {
    announce_p50_ms: round(s.p50),
    announce_p90_ms: round(s.p90),
    announce_p99_ms: round(s.p99),
    announce_max_ms: round(s.max),
    arrivals: count,
    announced: announced.size,
    arrivals_per_s: round((count * 1000) / run.sentFor, 1),
    arrival_recorded_p99_ms: round(detect.p99),
    announce_after_recorded_p99_ms: round(outboxPart.p99),
  };
}
