/** Slash command throughput and latency: POST /mattermost/command (valid token; the bot looks the inviter up,
 * stores a draft and opens the wizard's dialog through the fake's API) against a bare express 5 urlencoded POST
 * route, same connections and duration, in this same run. Plus the time from the command's arrival at the bot
 * to the dialog's opening at the fake. */
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import express from 'express';
import type { App } from '../src/app.js';
import { BOT_STORE, COMMAND_TOKEN, ask, fmt, now, round, say, startBot, summarize, table, traceBot, tsWorker, type Summary } from './lib.js';

export interface CannonResult {
  rps: number;
  total: number;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface CommandFigures {
  command_rps: number;
  baseline_rps: number;
  command_rps_ratio: number;
  command_p50_ms: number;
  command_p99_ms: number;
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  dialog_open_p50_ms: number;
  dialog_open_p99_ms: number;
  command_errors: number;
  command_not_opened: number;
}

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_COMMAND_SECONDS ?? 10);
const WARMUP_S = 2;
const TRIGGERS = 80_000;

function cannon(data: Record<string, unknown>): Promise<{ result: CannonResult; issued: number }> {
  const worker = new Worker(new URL('./autocannonWorker.mjs', import.meta.url), { workerData: { data } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { result: CannonResult; issued: number }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

/** `whatIf` changes the running bot before the load (bench/whatif.ts uses it to estimate fixes without editing src/). */
export async function benchCommand(whatIf?: (app: App) => Promise<void> | void): Promise<CommandFigures> {
  say(`## command: POST /mattermost/command, ${CONNECTIONS} connections, ${DURATION_S} s each (after ${WARMUP_S} s warm-up); store: ${BOT_STORE}`);
  const fakeWorker = tsWorker(new URL('./fakeWorker.ts', import.meta.url), {});
  const started = await ask<{ url: string; triggers: string[]; world: Record<string, string> }>(fakeWorker, { type: 'start', triggers: TRIGGERS });
  const { world, triggers } = started;
  const form = {
    token: COMMAND_TOKEN, team_id: world.teamId!, team_domain: 'acme', channel_id: world.channelId!, channel_name: world.channelName!,
    user_id: world.userId!, user_name: world.userName!, command: '/invite-people', text: '', trigger_id: triggers[0]!,
    response_url: 'http://127.0.0.1:9/hooks/commands/x',
  };

  // Baseline: a bare express 5 app with one urlencoded POST route, in this process.
  const bare = express();
  bare.post('/mattermost/command', express.urlencoded({ extended: false, limit: '16kb' }), (_req, res) => void res.json({}));
  const bareServer = await new Promise<Server>((resolve) => {
    const s = bare.listen(0, '127.0.0.1', () => resolve(s));
  });
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as { port: number }).port}`;
  const common = { path: '/mattermost/command', connections: CONNECTIONS, form, triggers };
  await cannon({ ...common, url: bareUrl, duration: WARMUP_S });
  let elu = performance.eventLoopUtilization();
  const baseline = (await cannon({ ...common, url: bareUrl, duration: DURATION_S })).result;
  const baselineElu = performance.eventLoopUtilization(elu).utilization;
  bareServer.closeAllConnections();
  await new Promise<void>((r) => bareServer.close(() => r()));

  // The bot, with its default lowdb store, against the fake (in its own thread).
  const bot = await startBot({ mattermostUrl: started.url, approvalChannelId: world.approvalsId });
  await whatIf?.(bot.app);
  const received = new Map<number, number>();
  bot.app.server!.prependListener('request', (req) => {
    const i = /[?&]i=(\d+)/.exec(req.url ?? '');
    if (i) received.set(Number(i[1]), now());
  });
  const trace = process.env.BENCH_TRACE === '1' ? traceBot(bot.app) : undefined;
  const warm = await cannon({ ...common, url: bot.url, duration: WARMUP_S, expectBody: '{}' });
  await ask(fakeWorker, { type: 'dialogs' }); // drop the warm-up's
  received.clear();
  const startIndex = warm.issued + 1000;
  elu = performance.eventLoopUtilization();
  const runStart = performance.now();
  const run = await cannon({ ...common, url: bot.url, duration: DURATION_S, expectBody: '{}', startIndex });
  const commandElu = performance.eventLoopUtilization(elu).utilization;
  if (process.env.BENCH_TRACE === '1') say(`  measured bot run: ${(runStart / 1000).toFixed(1)} s to ${(performance.now() / 1000).toFixed(1)} s after the process started`);
  const command = run.result;
  await new Promise((r) => setTimeout(r, 1600)); // the bot gives up on a dialog after 1.5 s
  const { opened } = await ask<{ opened: [string, number][] }>(fakeWorker, { type: 'dialogs' });
  const openedAt = new Map(opened);
  if (run.issued > TRIGGERS - startIndex % TRIGGERS) say(`  note: ${run.issued} commands for ${TRIGGERS} trigger ids: some were reused, dialog times may pair wrongly`);
  const dialogMs: number[] = [];
  let notOpened = 0;
  for (const [i, at] of received) {
    const done = openedAt.get(triggers[i % triggers.length]!);
    if (done === undefined) notOpened++;
    else dialogMs.push(done - at);
  }
  const dialog: Summary = summarize(dialogMs);
  trace?.report();
  await bot.close();
  await ask(fakeWorker, { type: 'stop' });
  await fakeWorker.terminate();

  const ratio = command.rps / baseline.rps;
  const errors = command.errors + command.non2xx + command.mismatches;
  table([
    ['', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors/non-2xx/not {}'],
    ['bare express urlencoded POST', fmt(baseline.rps, 0), baseline.latency.p50, baseline.latency.p90, baseline.latency.p99, baseline.latency.max, baseline.total, `${baseline.errors}/${baseline.non2xx}/-`],
    ['/mattermost/command (bot)', fmt(command.rps, 0), command.latency.p50, command.latency.p90, command.latency.p99, command.latency.max, command.total, `${command.errors}/${command.non2xx}/${command.mismatches}`],
  ]);
  say(`  main thread (server) event-loop utilisation during the run: baseline ${fmt(baselineElu, 2)}, bot ${fmt(commandElu, 2)}`);
  say(`  throughput ratio command/baseline: ${fmt(ratio, 3)}   (target ≥ 0.5)`);
  say(`  command p99: ${command.latency.p99} ms   (target ≤ 50 ms)`);
  say(`  command received → dialog opened at the fake: p50 ${fmt(dialog.p50)} ms, p90 ${fmt(dialog.p90)} ms, p99 ${fmt(dialog.p99)} ms, max ${fmt(dialog.max)} ms over ${dialog.n} dialogs; ${notOpened} commands opened none   (target p99 ≤ 300 ms)`);
  say();
  return {
    command_rps: round(command.rps, 0), baseline_rps: round(baseline.rps, 0), command_rps_ratio: round(ratio, 3),
    command_p50_ms: command.latency.p50, command_p99_ms: command.latency.p99,
    baseline_p50_ms: baseline.latency.p50, baseline_p99_ms: baseline.latency.p99,
    dialog_open_p50_ms: round(dialog.p50), dialog_open_p99_ms: round(dialog.p99),
    command_errors: errors, command_not_opened: notOpened,
  };
}
