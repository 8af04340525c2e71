/** `npm run bench [-- --json] [-- --only=command,store,arrival,replicas,bulk]`: runs the benchmarks, prints their
 * figures (to stdout, or to stderr with --json) and, with --json, one JSON object as the last line of stdout. */
import os from 'node:os';
import { benchArrival } from './arrival.js';
import { benchArrivalReplicas } from './arrivalReplicas.js';
import { benchBulk } from './bulk.js';
import { benchCommand } from './command.js';
import { BOT_STORE, fmt, round, say, sayTo } from './lib.js';
import { benchStore } from './store.js';

const BENCHES = ['command', 'store', 'arrival', 'replicas', 'bulk'] as const;
type Bench = (typeof BENCHES)[number];

const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyArg =
  args.find((a) => a.startsWith('--only='))?.slice(7) ??
  (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg
  ? onlyArg
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  : [...BENCHES];
const unknown = only.filter((b) => !(BENCHES as readonly string[]).includes(b));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Choose among ${BENCHES.join(', ')}.`);
  process.exit(2);
}
if (json) sayTo('stderr');

const started = Date.now();
const load = os.loadavg()[0]!;
const cores = os.availableParallelism();
say(`# Guestlist benchmarks: ${only.join(', ')}`);
say(`node ${process.version}, ${cores} cores, load average ${fmt(load, 2)} at start; bot store: ${BOT_STORE}`);
if (load > cores * 0.75)
  say(`warning: the machine is already busy (load ${fmt(load, 2)} on ${cores} cores): the figures will be noisy`);
say();

const figures: Record<string, unknown> = {};
const failures: Record<string, string> = {};
const runners: Record<Bench, () => Promise<object>> = {
  command: benchCommand,
  store: benchStore,
  arrival: benchArrival,
  replicas: benchArrivalReplicas,
  bulk: benchBulk,
};
for (const name of BENCHES) {
  if (!only.includes(name)) continue;
  try {
    Object.assign(figures, await runners[name]());
  } catch (err) {
    failures[name] = (err as Error).message;
    say(`## ${name}: FAILED: ${(err as Error).stack ?? String(err)}`);
    say();
  }
}

type Check = { figure: string; target: string; pass: (v: number) => boolean };
const CHECKS: Record<string, Check> = {
  command_cpu_ratio: { figure: 'command_cpu_ratio', target: '≤ 0.8', pass: (v) => v <= 0.8 },
  command_rps_vs_minimal: { figure: 'command_rps_vs_minimal', target: '≥ 1', pass: (v) => v >= 1 },
  steady_command_p99_ms: { figure: 'steady_command_p99_ms', target: '≤ 20 ms', pass: (v) => v <= 20 },
  steady_dialog_open_p99_ms: { figure: 'steady_dialog_open_p99_ms', target: '≤ 50 ms', pass: (v) => v <= 50 },
  pg_write_growth_100k_1k: { figure: 'pg_write_growth_100k_1k', target: '≤ 1.5', pass: (v) => v <= 1.5 },
  lowdb_write_p99_ms_10k: { figure: 'lowdb_write_p99_ms_10k', target: '≤ 10 ms', pass: (v) => v <= 10 },
  lowdb_write_p99_ms_100k: { figure: 'lowdb_write_p99_ms_100k', target: '≤ 20 ms', pass: (v) => v <= 20 },
  lowdb_open_ms_100k: { figure: 'lowdb_open_ms_100k', target: '≤ 2000 ms', pass: (v) => v <= 2000 },
  lowdb_rss_mib_100k: { figure: 'lowdb_rss_mib_100k', target: '≤ 250 MiB', pass: (v) => v <= 250 },
  announce_p99_ms: { figure: 'announce_p99_ms', target: '≤ 500 ms', pass: (v) => v <= 500 },
  replicas_announce_p99_ms: { figure: 'replicas_announce_p99_ms', target: '≤ 300 ms', pass: (v) => v <= 300 },
  bulk_ratio: { figure: 'bulk_ratio', target: '≤ 1.2', pass: (v) => v <= 1.2 },
};
/** true / false, or null when the figure was not measured in this run (not selected, skipped or failed). */
const targets: Record<string, boolean | null> = {};
say('## targets');
for (const [name, check] of Object.entries(CHECKS)) {
  const value = figures[check.figure];
  targets[name] = typeof value === 'number' && Number.isFinite(value) ? check.pass(value) : null;
  const shown = typeof value === 'number' ? String(value) : 'not measured';
  say(
    `  ${targets[name] === null ? '  -   ' : targets[name] ? ' pass ' : ' MISS '} ` +
      `${name.padEnd(24)} ${shown.padStart(10)}   target ${check.target}`,
  );
}
const elapsed = (Date.now() - started) / 1000;
say(`\ndone in ${fmt(elapsed, 0)} s`);

if (json) {
  console.log(
    JSON.stringify({
      ...figures,
      targets,
      only,
      bot_store: BOT_STORE,
      node: process.version,
      cores,
      load_at_start: round(load, 2),
      elapsed_s: round(elapsed, 0),
      ...(Object.keys(failures).length ? { failures } : {}),
    }),
  );
}
// Worker threads and pools are closed by each benchmark; exit anyway so that a stray handle cannot hang the run.
process.exit(Object.keys(failures).length ? 1 : 0);
