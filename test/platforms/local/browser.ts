/** The playground driven over HTTP as a browser without JavaScript does it: GET a page (keeping the CSRF cookie),
 * POST its forms back, follow the redirect. The bot is the real app, built from a config like any deployment. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type App, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { freePort } from '../../support/freePort.js';

export interface Playground {
  app: App;
  url: string;
  dataDir: string;
  /** The page as `as` sees channel `c`. */
  page(as: string, c: string): Promise<string>;
  /** Types a line in a channel; returns the page that follows. */
  say(as: string, c: string, text: string): Promise<string>;
  /** Submits the form open for `as` with these fields (the state is read from the page). */
  submit(as: string, c: string, fields: Record<string, string | string[]>): Promise<string>;
  /** Clicks the button labelled `label` on the last message in `c` that has one. */
  click(as: string, c: string, label: string): Promise<string>;
  /** Until every due job has run. */
  settle(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startPlayground(env: Record<string, string> = {}, dataDir?: string): Promise<Playground> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'guestlist-playground-')));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let cookie = '';
  const build = async () => {
    const config = loadConfig({ PORT: String(port), PUBLIC_URL: url, DATA_DIR: dir, ...env });
    const built = await buildApp(config, {
      schedule: false,
      log: pino({ level: 'silent' }),
      outbox: { baseDelayMs: 1 },
    });
    await built.listen();
    return built;
  };
  let app = await build();

  async function get(pathname: string): Promise<{ status: number; html: string }> {
    const res = await fetch(`${url}${pathname}`, { headers: cookie ? { Cookie: cookie } : {} });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return { status: res.status, html: await res.text() };
  }
  const q = (as: string, c: string) => `as=${encodeURIComponent(as)}&c=${encodeURIComponent(c)}`;
  const page = async (as: string, c: string) => (await get(`/playground/?${q(as, c)}`)).html;
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

  async function post(route: string, as: string, c: string, fields: Record<string, string | string[]>) {
    const html = await page(as, c);
    const body = new URLSearchParams({ as, c, csrf: csrfOf(html) });
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    const res = await fetch(`${url}/playground/${route}`, {
      method: 'POST',
      redirect: 'manual',
      body,
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    if (res.status !== 303) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    await settle();
    return page(as, c);
  }

  /** Until every job that is due has run, also those the app's own outbox pass holds right now. */
  async function settle(): Promise<void> {
    for (let tries = 0; tries < 200; tries++) {
      await app.outbox.drain();
      const now = Date.now();
      const due = (await app.store.jobs({ state: 'pending' })).filter((j) => Date.parse(j.runAt) <= now);
      if (!due.length) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('jobs still due after 5 s');
  }

  const pg: Playground = {
    get app() {
      return app;
    },
    url,
    dataDir: dir,
    page,
    settle,
    say: (as, c, text) => post('say', as, c, { text }),
    async submit(as, c, fields) {
      const state = /name="state" value="([^"]+)"/.exec(await page(as, c))?.[1];
      if (!state) throw new Error('no form is open');
      return post('form', as, c, { state, ...fields });
    },
    async click(as, c, label) {
      const html = await page(as, c);
      const forms = [...html.matchAll(/<form class="buttons"[\s\S]*?<\/form>/g)]
        .map((m) => m[0])
        .filter((f) => f.includes(`>${label}<`));
      const form = forms.at(-1);
      if (!form) throw new Error(`no ${label} button in ${c}`);
      const message = /name="message" value="([^"]+)"/.exec(form)![1]!;
      const buttons = [...form.matchAll(/<button name="button" value="(\d+)"[^>]*>([^<]*)</g)];
      const button = buttons.find((b) => b[2] === label)![1]!;
      return post('click', as, c, { message, button });
    },
    async restart() {
      await app.stop();
      app = await build();
    },
    async close() {
      await app.stop();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
  return pg;
}

/** The text of a page, without its tags (what a reader sees), on one line. */
export function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
