/** Arrival latency with two replicas on one PostgreSQL schema: from the invitee's account appearing on Mattermost
 * (the fake publishes `new_user` on every bot's WebSocket) to the announcement post landing in the channel. Both
 * replicas see each arrival; one records it (compare-and-set), and its announcement job is run by whichever replica
 * claims it first (woken by NOTIFY, or by its own enqueue). The outbox polls at its production interval (1 s), so a
 * job that waits for a poll shows. Two app instances in this process, each with its own connections, HTTP server,
 * WebSocket and outbox; the fake runs in a worker thread. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { OutboxJob } from '../src/store/store.js';
import { type BotProcess, startBot as startBotProcess } from '../test/support/botProcess.js';
import { unreachable } from '../test/support/postgres.js';
import { arrivalInvitations } from './arrival.js';
import {
  ask,
  BOT_TOKEN,
  type Bot,
  COMMAND_TOKEN,
  DATABASE_URL,
  fmt,
  round,
  SECRET,
  type Summary,
  say,
  sleep,
  startBot,
  summarize,
  tsWorker,
  waitFor,
} from './lib.js';

export interface ReplicaArrivalFigures {
  replicas_announce_p50_ms?: number;
  replicas_announce_p99_ms?: number;
  replicas_announce_max_ms?: number;
  replicas_recorded_p99_ms?: number;
  replicas_after_recorded_p99_ms?: number;
  /** Announcements run by the other replica than the one that recorded the arrival. */
  replicas_crossed?: number;
  replicas_announced?: number;
  replicas_arrivals?: number;
  replicas_crossed_after_recorded_p99_ms?: number;
  replicas_vs_one_p99_ratio?: number;
  replicas_one_announce_p99_ms?: number;
  replicas_cpu_ms_per_arrival?: number;
  replicas_one_cpu_ms_per_arrival?: number;
  replicas_skipped?: string;
}

const RATE = Number(process.env.BENCH_REPLICA_RATE ?? 20);
const SECONDS = 5;
const BACKGROUND = 2_000;
const WARMUP_ARRIVALS = RATE;

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Phase {
  count: number;
  sentFor: number;
  announced: number;
  load: number;
  elu: number;
  fakeElu: number;
  cpuMsPerArrival: number;
  total: Summary;
  detect: Summary;
  outboxPart: Summary;
  crossedPart: Summary;
  byReplica: number[];
  claims: number[];
}

/** One run: `replicas` bots on a fresh schema, against a fresh fake. */
async function phase(replicas: 1 | 2): Promise<Phase> {
  const count = RATE * (SECONDS + 1);
  const fake = tsWorker(new URL('./fakeWorker.ts', import.meta.url), {});
  const { url, world } = await ask<{ url: string; world: Record<string, string> }>(fake, { type: 'start' });
  const schema = `bench_replicas_${process.pid}_${Date.now()}`;
  const bots: Bot[] = [];
  let other: BotProcess | undefined;
  let dataDir: string | undefined;
  try {
    const { awaited, background } = arrivalInvitations(world, count, BACKGROUND);
    bots.push(
      await startBot({
        mattermostUrl: url,
        approvalChannelId: world.approvalsId,
        sharedSchema: schema,
        seed: (store) => store.createInvitations([...background, ...awaited], [], []).then(),
      }),
    );
    // The second replica: a process of its own (`npm start`'s entry point), as replicas run.
    if (replicas === 2) {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-bench-replica-'));
      other = await startBotProcess({
        DATABASE_URL,
        DATABASE_SCHEMA: schema,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
        GUESTLIST_SECRET: SECRET,
        MATTERMOST_URL: url,
        MATTERMOST_BOT_TOKEN: BOT_TOKEN,
        MATTERMOST_COMMAND_TOKEN: COMMAND_TOKEN,
        MATTERMOST_APPROVAL_CHANNEL_ID: world.approvalsId!,
      });
    }
    const status = () => ask<{ wsConnections: number; emailLookups: number }>(fake, { type: 'status' });
    const ready = async () =>
      bots.every((b) => b.app.mattermost!.ready()) && (await status()).wsConnections >= replicas;
    if (!(await waitFor(ready, 10_000, 20))) throw new Error('the replicas did not both connect to the fake');
    // On connecting, each replica reconciles: it looks every awaited invitee up by email. Let that finish first.
    await waitFor(async () => (await status()).emailLookups >= replicas * count, 60_000, 50);
    await sleep(300);

    // Which replica recorded each arrival (and when), and which one claimed its announcement job.
    const indexOf = new Map(awaited.map((a, i) => [a.id, i]));
    const recorded = new Map<number, { at: number; by: number }>();
    const claimedBy = new Map<number, number>();
    // Replica A is instrumented; what it did not record or claim, replica B did.
    const recordedByA = new Set<number>();
    const claimedByA = new Set<number>();
    const store = bots[0]!.app.store;
    const transition = store.transition.bind(store);
    store.transition = async (id, change) => {
      const done = await transition(id, change);
      if (done && change.to === 'arrived' && indexOf.has(id)) recordedByA.add(indexOf.get(id)!);
      return done;
    };
    const claim = store.claimJobs.bind(store);
    store.claimJobs = async (...args) => {
      const jobs: OutboxJob[] = await claim(...args);
      for (const job of jobs) {
        const i = job.invitationId === undefined ? undefined : indexOf.get(job.invitationId);
        if (i !== undefined && job.kind.includes('announce')) claimedByA.add(i);
      }
      return jobs;
    };
    // When each arrival was recorded, from the store (either replica): its audit entry.
    const recordedAt = async () => {
      for (const [id, i] of indexOf) {
        const entry = (await store.auditTrail(id)).find((e) => e.action === 'arrived');
        if (entry) recorded.set(i, { at: Date.parse(entry.at), by: recordedByA.has(i) ? 0 : 1 });
        claimedBy.set(i, claimedByA.has(i) ? 0 : 1);
      }
    };
    const load = os.loadavg()[0]!;
    // BENCH_CPU_PROFILE=prefix: a CPU profile of this window, to prefix-<replicas>.cpuprofile (see bench/profile.ts).
    const profiling = process.env.BENCH_CPU_PROFILE;
    const session = profiling ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    let elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const otherCpu = other && (await processCpuMs(other.child.pid!));
    const run = await ask<{
      arrivedAt: number[];
      announcedAt: [number, number][];
      sentFor: number;
      fakeElu: number;
    }>(fake, {
      type: 'arrivals',
      count,
      rate: RATE,
      timeoutMs: 30_000,
    });
    elu = performance.eventLoopUtilization(elu);
    const used = process.cpuUsage(cpu);
    const otherUsed = other ? (await processCpuMs(other.child.pid!)) - otherCpu! : 0;
    await recordedAt();
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(`${profiling}-${replicas}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    }

    // The first second of arrivals warms the replicas up (a fresh process compiles its modules on first use): not
    // counted. An arrival that was never announced counts as the whole wait.
    const measured = (i: number) => i >= WARMUP_ARRIVALS;
    const announced = new Map(run.announcedAt.filter(([i]) => measured(i)));
    const missed = Array.from({ length: count }, (_, i) => i).filter((i) => measured(i) && !announced.has(i));
    const total = summarize([
      ...[...announced].map(([i, t]) => t - run.arrivedAt[i]!),
      ...missed.map(() => Number.POSITIVE_INFINITY),
    ]);
    const detect = summarize([...recorded].filter(([i]) => measured(i)).map(([i, r]) => r.at - run.arrivedAt[i]!));
    const after = (crossedOnly: boolean) =>
      summarize(
        [...announced]
          .filter(([i]) => recorded.has(i) && (!crossedOnly || claimedBy.get(i) !== recorded.get(i)!.by))
          .filter(([i]) => !crossedOnly || claimedBy.has(i))
          .map(([i, t]) => t - recorded.get(i)!.at),
      );
    const outboxPart = after(false);
    const crossedPart = after(true);
    const counted = [...recorded].filter(([i]) => measured(i));
    const byReplica = [0, 1].slice(0, replicas).map((n) => counted.filter(([, r]) => r.by === n).length);
    const claims = [0, 1]
      .slice(0, replicas)
      .map((n) => [...claimedBy].filter(([i, b]) => measured(i) && b === n).length);
    return {
      count: count - WARMUP_ARRIVALS,
      sentFor: run.sentFor,
      announced: announced.size,
      load,
      elu: elu.utilization,
      fakeElu: run.fakeElu,
      cpuMsPerArrival: ((used.user + used.system) / 1000 + otherUsed) / count,
      total,
      detect,
      outboxPart,
      crossedPart,
      byReplica,
      claims,
    };
  } finally {
    for (const bot of bots.reverse()) await bot.close().catch(() => undefined);
    await other?.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await ask(fake, { type: 'stop' }).catch(() => undefined);
    await fake.terminate();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

export async function benchArrivalReplicas(): Promise<ReplicaArrivalFigures> {
  const count = RATE * SECONDS;
  say(
    `## arrival, two replicas: WebSocket new_user → announcement posted, ${RATE} arrivals/s for ${SECONDS} s ` +
      `after 1 s of warm-up (${count} counted, ${BACKGROUND} finished invitations beside; PostgreSQL, one schema, ` +
      'outbox poll 1 s); baseline: one replica, same run',
  );
  const problem = await unreachable();
  if (problem) {
    say(`  skipped: PostgreSQL not reachable (${problem}). Set DATABASE_URL.`);
    say();
    return { replicas_skipped: problem };
  }
  const one = await phase(1);
  const two = await phase(2);
  for (const [label, p] of [
    ['one replica ', one],
    ['two replicas', two],
  ] as const) {
    say(
      `  ${label}: ${p.announced}/${p.count} announced; load ${fmt(p.load, 2)} at the start; CPU ` +
        `${fmt(p.cpuMsPerArrival, 2)} ms per arrival (both replicas); event-loop utilisation ${fmt(p.elu, 2)} ` +
        `(replica A), ${fmt(p.fakeElu, 2)} (the fake)`,
    );
    say(
      `    arrival → recorded p50/p99 ${fmt(p.detect.p50)}/${fmt(p.detect.p99)} ms; recorded → announced ` +
        `${fmt(p.outboxPart.p50)}/${fmt(p.outboxPart.p99)} ms; arrival → announcement ${fmt(p.total.p50)}/` +
        `${fmt(p.total.p99)} ms (max ${fmt(p.total.max)})`,
    );
  }
  say(
    `  two replicas: recorded by A / B ${two.byReplica.join(' / ')}; announcements claimed by A / B ` +
      `${two.claims.join(' / ')}; ${two.crossedPart.n} run by the other replica, recorded → announced p99 ` +
      `${fmt(two.crossedPart.p99)} ms`,
  );
  const ratio = two.total.p99 / one.total.p99;
  say(
    `  arrival → announcement p99 with two replicas: ${fmt(two.total.p99)} ms (target ≤ 300 ms); ` +
      `${fmt(ratio, 2)}× one replica's; CPU per arrival ${fmt(two.cpuMsPerArrival / one.cpuMsPerArrival, 2)}×`,
  );
  say();
  return {
    replicas_announce_p50_ms: round(two.total.p50),
    replicas_announce_p99_ms: round(two.total.p99),
    replicas_announce_max_ms: round(two.total.max),
    replicas_recorded_p99_ms: round(two.detect.p99),
    replicas_after_recorded_p99_ms: round(two.outboxPart.p99),
    replicas_crossed: two.crossedPart.n,
    replicas_crossed_after_recorded_p99_ms: round(two.crossedPart.p99),
    replicas_announced: two.announced,
    replicas_arrivals: two.count,
    replicas_vs_one_p99_ratio: round(ratio),
    replicas_one_announce_p99_ms: round(one.total.p99),
    replicas_cpu_ms_per_arrival: round(two.cpuMsPerArrival),
    replicas_one_cpu_ms_per_arrival: round(one.cpuMsPerArrival),
  };
}
