/** Slash command cost, throughput and latency: POST /mattermost/command on three targets, each in a process of its
 * own against the same Mattermost fake (in a worker thread here): a bare express 5 urlencoded route, a hand-written
 * minimal bot (token check, HMAC-signed state, one dialogs/open with global fetch, `{}`), and Guestlist (the bot
 * looks the inviter up, stores a draft and opens the wizard's dialog). Saturated runs give throughput and CPU time
 * per command (user + system time of the target's process / commands answered); a steady run at half the minimal
 * bot's rate gives Guestlist's latency below saturation. */
import { type ChildProcess, fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { ask, COMMAND_TOKEN, fmt, round, type Summary, say, summarize, table, tsWorker } from './lib.js';
import type { StartTarget, TargetKind } from './target.js';
import type { Variant } from './whatifVariants.js';

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
  minimal_rps: number;
  command_rps_ratio: number;
  command_rps_vs_minimal: number;
  command_cpu_ms: number;
  minimal_cpu_ms: number;
  baseline_cpu_ms: number;
  command_cpu_ratio: number;
  command_p50_ms: number;
  command_p99_ms: number;
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  minimal_p50_ms: number;
  minimal_p99_ms: number;
  dialog_open_p50_ms: number;
  dialog_open_p99_ms: number;
  steady_rate: number;
  steady_command_p99_ms: number;
  steady_dialog_open_p99_ms: number;
  steady_minimal_command_p99_ms: number;
  steady_minimal_dialog_open_p99_ms: number;
  steady_command_p99_vs_minimal: number;
  steady_loop_delay_p99_ms: number;
  steady_minimal_loop_delay_p99_ms: number;
  command_errors: number;
  command_not_opened: number;
}

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_COMMAND_SECONDS ?? 10);
const WARMUP_S = 2;
const TRIGGERS = 80_000;

/** Saturation through autocannon; a steady rate (`overallRate`) through bench/pacedWorker.mjs, evenly paced. */
function cannon(data: Record<string, unknown>): Promise<{ result: CannonResult; issued: number }> {
  const file = data.overallRate ? './pacedWorker.mjs' : './autocannonWorker.mjs';
  const worker = new Worker(new URL(file, import.meta.url), { workerData: { data } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { result: CannonResult; issued: number }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

interface Usage {
  cpu: NodeJS.CpuUsage;
  elu: { idle: number; active: number; utilization: number };
  /** Event-loop delay since the previous `usage`, ms. */
  delay: { p99: number; max: number };
}

interface Measured {
  result: CannonResult;
  issued: number;
  cpuMs: number;
  elu: number;
  /** Event-loop delay during the run, ms. */
  delay: { p99: number; max: number };
}

/** A target process (bench/target.ts under tsx) and its IPC requests. */
class Target {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(m: StartTarget): Promise<Target> {
    // Inherits this process's execArgv: tsx's loader, and --cpu-prof when the run is profiled.
    const child = fork(new URL('./target.ts', import.meta.url), [], { stdio: 'inherit' });
    await Target.reply(child, 'ready');
    child.send({ type: 'start', ...m });
    const { url } = await Target.reply<{ url: string }>(child, 'start');
    return new Target(child, url);
  }

  private static reply<T>(child: ChildProcess, type: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string; error?: string }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve(m as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the ${type} target exited (${code})`)));
    });
  }

  ask<T>(type: string): Promise<T> {
    this.child.send({ type });
    return Target.reply<T>(this.child, type);
  }

  /** Runs the load and measures the process's CPU time and event-loop utilisation over exactly that run. */
  async measure(load: Record<string, unknown>): Promise<Measured> {
    const before = await this.ask<Usage>('usage');
    const run = await cannon({ ...load, url: this.url });
    const after = await this.ask<Usage>('usage');
    const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
    const active = after.elu.active - before.elu.active;
    const elu = active / (active + after.elu.idle - before.elu.idle);
    return { ...run, cpuMs, elu, delay: after.delay };
  }

  async stop(): Promise<void> {
    await this.ask('stop').catch(() => undefined);
  }
}

/** Commands answered with `{}` (the bot answers an ephemeral message when it could not open the dialog). */
const answered = (r: CannonResult) => r.total - r.non2xx - r.mismatches;

/**
 * `whatIf` changes the running bot before the load (bench/whatif.ts uses it to estimate fixes
 * without editing src/).
 */
export async function benchCommand(opts: { whatIf?: Variant } = {}): Promise<CommandFigures> {
  say(
    `## command: POST /mattermost/command, ${CONNECTIONS} connections, ${DURATION_S} s each ` +
      `(after ${WARMUP_S} s warm-up), one process per target`,
  );
  const fakeWorker = tsWorker(new URL('./fakeWorker.ts', import.meta.url), {});
  const started = await ask<{ url: string; triggers: string[]; world: Record<string, string> }>(fakeWorker, {
    type: 'start',
    triggers: TRIGGERS,
  });
  const { world, triggers } = started;
  const form = {
    token: COMMAND_TOKEN,
    team_id: world.teamId!,
    team_domain: 'acme',
    channel_id: world.channelId!,
    channel_name: world.channelName!,
    user_id: world.userId!,
    user_name: world.userName!,
    command: '/invite-people',
    text: '',
    trigger_id: triggers[0]!,
    response_url: 'http://127.0.0.1:9/hooks/commands/x',
  };
  const common = { path: '/mattermost/command', connections: CONNECTIONS, form, triggers, expectBody: '{}' };
  let next = 0;
  /** Each run gets trigger ids of its own, so dialog times pair with the right command. */
  const load = (duration: number, extra: Record<string, unknown> = {}) => ({
    ...common,
    duration,
    startIndex: next,
    ...extra,
  });
  const saturate = async (kind: TargetKind) => {
    const target = await Target.start({
      kind,
      fakeUrl: started.url,
      approvalChannelId: world.approvalsId!,
      whatIf: opts.whatIf,
    });
    const warm = await cannon({ ...load(WARMUP_S), url: target.url });
    if (kind !== 'bare') next += warm.issued + 100;
    await ask(fakeWorker, { type: 'dialogs' }); // drop the warm-up's
    await target.ask('received');
    const run = await target.measure(load(DURATION_S));
    if (kind !== 'bare') next += run.issued + 100; // the bare route opens no dialog
    return { target, run, cpuPerCommand: run.cpuMs / Math.max(1, answered(run.result)) };
  };

  const bare = await saturate('bare');
  await bare.target.stop();
  const minimal = await saturate('minimal');
  await ask(fakeWorker, { type: 'dialogs' });
  const bot = await saturate('guestlist');
  const dialog = await dialogTimes(bot.target, fakeWorker, triggers);

  // Below saturation: half the minimal bot's rate, open loop; the minimal bot at the same rate just before, as the
  // baseline of what the machine gives right now.
  const steadyRate = Math.max(1, Math.round(minimal.run.result.rps / 2));
  const minimalSteady = await minimal.target.measure(load(DURATION_S, { overallRate: steadyRate }));
  next += minimalSteady.issued + 100;
  const minimalSteadyDialog = await dialogTimes(minimal.target, fakeWorker, triggers);
  await minimal.target.stop();
  const steady = await bot.target.measure(load(DURATION_S, { overallRate: steadyRate }));
  next += steady.issued + 100;
  const steadyDialog = await dialogTimes(bot.target, fakeWorker, triggers);
  await bot.target.stop();
  await ask(fakeWorker, { type: 'stop' });
  await fakeWorker.terminate();

  const command = bot.run.result;
  const row = (name: string, r: Measured, cpu: number) => [
    name,
    fmt(r.result.rps, 0),
    r.result.latency.p50,
    r.result.latency.p99,
    r.result.total,
    `${r.result.errors}/${r.result.non2xx}/${r.result.mismatches}`,
    fmt(cpu, 3),
    fmt(r.elu, 2),
    `${fmt(r.delay.p99, 1)}/${fmt(r.delay.max, 0)}`,
  ];
  const perCommand = (r: Measured) => r.cpuMs / Math.max(1, answered(r.result));
  table([
    [
      'target (saturated)',
      'req/s',
      'p50 ms',
      'p99 ms',
      'requests',
      'errors/non-2xx/not {}',
      'CPU ms/cmd',
      'ELU',
      'loop delay p99/max ms',
    ],
    row('bare express urlencoded POST', bare.run, bare.cpuPerCommand),
    row('minimal bot (token, HMAC, fetch)', minimal.run, minimal.cpuPerCommand),
    row('Guestlist /mattermost/command', bot.run, bot.cpuPerCommand),
    row(`minimal bot at ${steadyRate}/s (steady)`, minimalSteady, perCommand(minimalSteady)),
    row(`Guestlist at ${steadyRate}/s (steady)`, steady, perCommand(steady)),
  ]);
  const cpuRatio = bot.cpuPerCommand / minimal.cpuPerCommand;
  const rpsVsMinimal = command.rps / minimal.run.result.rps;
  say(`  CPU per command Guestlist/minimal bot: ${fmt(cpuRatio, 2)}   (target ≤ 0.8)`);
  say(
    `  throughput Guestlist/minimal bot: ${fmt(rpsVsMinimal, 2)}   (target ≥ 1); ` +
      `Guestlist/bare express: ${fmt(command.rps / bare.run.result.rps, 3)}`,
  );
  say(
    `  saturated: command received → dialog opened p50 ${fmt(dialog.summary.p50)} ms, ` +
      `p99 ${fmt(dialog.summary.p99)} ms over ${dialog.summary.n}; ${dialog.notOpened} opened none`,
  );
  say(
    `  steady ${steadyRate}/s: command p99 ${steady.result.latency.p99} ms (target ≤ 20 ms), ` +
      `dialog opened p99 ${fmt(steadyDialog.summary.p99)} ms (target ≤ 50 ms)`,
  );
  say(
    `  minimal bot at the same rate, same run: command p99 ${minimalSteady.result.latency.p99} ms, dialog opened ` +
      `p99 ${fmt(minimalSteadyDialog.summary.p99)} ms; Guestlist/minimal p99: command ` +
      `${fmt(steady.result.latency.p99 / minimalSteady.result.latency.p99, 2)}, dialog ` +
      `${fmt(steadyDialog.summary.p99 / minimalSteadyDialog.summary.p99, 2)}`,
  );
  say();
  return {
    command_rps: round(command.rps, 0),
    baseline_rps: round(bare.run.result.rps, 0),
    minimal_rps: round(minimal.run.result.rps, 0),
    command_rps_ratio: round(command.rps / bare.run.result.rps, 3),
    command_rps_vs_minimal: round(rpsVsMinimal, 3),
    command_cpu_ms: round(bot.cpuPerCommand, 3),
    minimal_cpu_ms: round(minimal.cpuPerCommand, 3),
    baseline_cpu_ms: round(bare.cpuPerCommand, 3),
    command_cpu_ratio: round(cpuRatio, 3),
    command_p50_ms: command.latency.p50,
    command_p99_ms: command.latency.p99,
    baseline_p50_ms: bare.run.result.latency.p50,
    baseline_p99_ms: bare.run.result.latency.p99,
    minimal_p50_ms: minimal.run.result.latency.p50,
    minimal_p99_ms: minimal.run.result.latency.p99,
    dialog_open_p50_ms: round(dialog.summary.p50),
    dialog_open_p99_ms: round(dialog.summary.p99),
    steady_rate: steadyRate,
    steady_command_p99_ms: steady.result.latency.p99,
    steady_dialog_open_p99_ms: round(steadyDialog.summary.p99),
    steady_minimal_command_p99_ms: minimalSteady.result.latency.p99,
    steady_minimal_dialog_open_p99_ms: round(minimalSteadyDialog.summary.p99),
    steady_command_p99_vs_minimal: round(steady.result.latency.p99 / minimalSteady.result.latency.p99),
    steady_loop_delay_p99_ms: round(steady.delay.p99),
    steady_minimal_loop_delay_p99_ms: round(minimalSteady.delay.p99),
    command_errors: command.errors + command.non2xx + command.mismatches,
    command_not_opened: dialog.notOpened,
  };
}

/** From each command's arrival at the bot's server (`request` event) to the fake accepting its dialog. */
async function dialogTimes(
  target: Target,
  fakeWorker: Worker,
  triggers: string[],
): Promise<{ summary: Summary; notOpened: number }> {
  await new Promise((r) => setTimeout(r, 1600)); // the bot gives up on a dialog after 1.5 s
  const { received } = await target.ask<{ received: [number, number][] }>('received');
  const { opened } = await ask<{ opened: [string, number][] }>(fakeWorker, { type: 'dialogs' });
  const openedAt = new Map(opened);
  const ms: number[] = [];
  let notOpened = 0;
  for (const [i, at] of received) {
    const done = openedAt.get(triggers[i % triggers.length]!);
    if (done === undefined) notOpened++;
    else ms.push(done - at);
  }
  return { summary: summarize(ms), notOpened };
}
