/** One target of the command benchmark in a process of its own, so that its CPU time (user + system of the
 * process) is its own: the bare express route, the hand-written minimal bot, or Guestlist. Driven over IPC by
 * bench/command.ts: `start` → `{ url }`, `usage` → CPU time and event-loop utilisation so far and the event-loop
 * delay since the last `usage` (p99, max), `received` → when each command (`?i=N`) reached the server, `stop`. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import express from 'express';
import { BOT_TOKEN, type Bot, COMMAND_TOKEN, now, SECRET, sayTo, startBot, traceBot } from './lib.js';
import { applyWhatIf, type Variant } from './whatifVariants.js';

export type TargetKind = 'bare' | 'minimal' | 'guestlist';
export interface StartTarget {
  kind: TargetKind;
  fakeUrl: string;
  approvalChannelId: string;
  whatIf?: Variant;
}

const send = (m: object) => process.send!(m);
const received = new Map<number, number>();
/** How late the event loop ran its timers (ms resolution): a busy loop or a process the machine kept waiting. */
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let server: Server | undefined;
let bot: Bot | undefined;
let trace: ReturnType<typeof traceBot> | undefined;
sayTo('stderr'); // stdout's last line is the benchmark's JSON

/** Notes when each command (`?i=N`) reaches the server, before anything else handles it. */
function noteArrivals(on: Server): void {
  on.prependListener('request', (req) => {
    const i = /[?&]i=(\d+)/.exec(req.url ?? '');
    if (i) received.set(Number(i[1]), now());
  });
}

function listen(app: express.Express): Promise<string> {
  return new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server!.address() as { port: number }).port}`),
    );
    noteArrivals(server);
  });
}

/** What a hand-written bot does for the command: check the token, sign a state, open one dialog with global
 * fetch, answer `{}`. */
function minimalBot(fakeUrl: string): express.Express {
  const app = express();
  const expected = Buffer.from(COMMAND_TOKEN);
  app.post('/mattermost/command', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token = Buffer.from(String(req.body.token ?? ''));
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) return void res.status(401).json({});
    const state = JSON.stringify({ u: req.body.user_id, c: req.body.channel_id, t: Date.now() });
    const signed = `${state}.${createHmac('sha256', SECRET).update(state).digest('base64url')}`;
    const dialog = {
      callback_id: 'invite',
      title: 'Invite people',
      submit_label: 'Next',
      state: signed,
      elements: [
        { type: 'textarea', name: 'emails', display_name: 'Who', placeholder: 'ana@example.org' },
        { type: 'select', name: 'role', display_name: 'Role', options: [{ text: 'Guest', value: 'external' }] },
      ],
    };
    const opened = await fetch(`${fakeUrl}/api/v4/actions/dialogs/open`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${BOT_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ trigger_id: req.body.trigger_id, url: 'http://127.0.0.1:9/dialog', dialog }),
    });
    await opened.arrayBuffer();
    res.json(opened.ok ? {} : { text: 'could not open the dialog' });
  });
  return app;
}

async function start(m: StartTarget): Promise<string> {
  if (m.kind === 'bare') {
    const app = express();
    app.post(
      '/mattermost/command',
      express.urlencoded({ extended: false, limit: '16kb' }),
      (_req, res) => void res.json({}),
    );
    return listen(app);
  }
  if (m.kind === 'minimal') return listen(minimalBot(m.fakeUrl));
  bot = await startBot({ mattermostUrl: m.fakeUrl, approvalChannelId: m.approvalChannelId });
  if (m.whatIf) await applyWhatIf(m.whatIf, bot.app);
  if (process.env.BENCH_TRACE === '1') trace = traceBot(bot.app);
  noteArrivals(bot.app.server!);
  return bot.url;
}

process.on('message', async (m: { type: string } & Partial<StartTarget>) => {
  try {
    if (m.type === 'start') send({ type: 'start', url: await start(m as StartTarget) });
    else if (m.type === 'usage') {
      const delay = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      loopDelay.reset();
      send({ type: 'usage', cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), delay });
    } else if (m.type === 'received') {
      send({ type: 'received', received: [...received] });
      received.clear();
    } else if (m.type === 'stop') {
      trace?.report();
      await bot?.close();
      server?.closeAllConnections();
      server?.close();
      send({ type: 'stop' });
      process.exit(0);
    }
  } catch (err) {
    send({ type: m.type, error: (err as Error).stack ?? String(err) });
  }
});
send({ type: 'ready' });
