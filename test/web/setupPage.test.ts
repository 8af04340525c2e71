/** The setup page: the Slack manifest filled in for this deployment, the Mattermost slash command's settings, and
 * the checks of a server and its tokens against the Mattermost fake (each missing piece named), the Infomaniak
 * check, who may open the page, and what it never does (echo or log the token, follow a redirect elsewhere). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createLogger } from '../../src/logger.js';
import { readProjectFile } from '../../src/projectFiles.js';
import { infomaniakSetupCheck } from '../../src/setup/infomaniakCheck.js';
import { type CheckId, checkMattermostServer } from '../../src/setup/mattermostServerCheck.js';
import { createAppUrl, fillManifest } from '../../src/setup/slackManifest.js';
import { setupRouter } from '../../src/web/setupPage.js';
import { MattermostFake, type MattermostFakeOptions } from '../fakes/mattermostFake.js';
import { type Playground, startPlayground, textOf } from '../platforms/local/browser.js';
import { seed } from '../platforms/mattermost/harness.js';
import { freePort } from '../support/freePort.js';

const servers: { stop(): Promise<unknown> }[] = [];
let pg: Playground | undefined;
afterEach(async () => {
  await pg?.close();
  pg = undefined;
  for (const s of servers.splice(0)) await s.stop();
});

async function fake(options: MattermostFakeOptions = {}): Promise<MattermostFake> {
  const f = await MattermostFake.start(options);
  seed(f);
  servers.push(f);
  return f;
}

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ stop: () => new Promise((r) => server.close(r)) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A browser on the setup page: GET it (keeping the CSRF cookie), POST a check form back. */
function browser(base: string, auth?: string) {
  let cookie = '';
  const headers = () => ({ ...(cookie ? { Cookie: cookie } : {}), ...(auth ? { Authorization: auth } : {}) });
  return {
    async open(): Promise<{ status: number; html: string }> {
      const res = await fetch(`${base}/setup`, { headers: headers() });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      return { status: res.status, html: await res.text() };
    },
    async check(fields: Record<string, string>): Promise<{ status: number; html: string }> {
      const page = await this.open();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
      const res = await fetch(`${base}/setup/check`, {
        method: 'POST',
        body: new URLSearchParams({ csrf, ...fields }),
        headers: { ...headers(), 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      return { status: res.status, html: await res.text() };
    },
  };
}

const statusOf = (items: { id: CheckId; status: string }[]) => Object.fromEntries(items.map((i) => [i.id, i.status]));

describe('the Slack manifest', () => {
  it('is the repository manifest with this PUBLIC_URL and trigger, and Slack’s link carries it whole', () => {
    const manifest = fillManifest(readProjectFile('manifest.yml')!, 'https://bot.example.org/', 'guests');
    expect(manifest).not.toContain('guestlist.example.com');
    const parsed = parseYaml(manifest);
    expect(parsed.features.slash_commands[0]).toMatchObject({
      command: '/guests',
      url: 'https://bot.example.org/slack/events',
    });
    expect(parsed.settings.event_subscriptions.request_url).toBe('https://bot.example.org/slack/events');
    expect(parsed.settings.interactivity.request_url).toBe('https://bot.example.org/slack/events');
    const link = new URL(createAppUrl(manifest));
    expect(link.origin + link.pathname).toBe('https://api.slack.com/apps');
    expect(link.searchParams.get('new_app')).toBe('1');
    expect(link.searchParams.get('manifest_yaml')).toBe(manifest);
  });
});

describe('the server check, against the Mattermost fake', () => {
  it('passes a good configuration: reachable, valid bot token, System Admin, invitations and guests on', async () => {
    const f = await fake();
    const result = await checkMattermostServer({ url: `${f.url}/`, token: 'bot-token' });
    expect(result.items.filter((i) => i.status !== 'ok')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.items.map((i) => i.id)).toEqual([
      'reachable',
      'token',
      'bot',
      'system_admin',
      'commands',
      'email_invitations',
      'guest_accounts',
    ]);
    // Read-only: only GETs reached the server.
    expect(f.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('names a wrong token, and checks nothing that depends on it', async () => {
    const f = await fake();
    const result = await checkMattermostServer({ url: f.url, token: 'not-the-token' });
    expect(result.ok).toBe(false);
    const token = result.items.find((i) => i.id === 'token')!;
    expect(token).toMatchObject({ status: 'missing' });
    expect(token.text).toMatch(/refused the token \(HTTP 401\): it is wrong, revoked or expired/);
    expect(statusOf(result.items)).toMatchObject({
      reachable: 'ok',
      system_admin: 'unknown',
      guest_accounts: 'unknown',
    });
  });

  it('names a bot without the System Admin role, and a person’s token', async () => {
    const f = await fake();
    const plain = f.addUser({ username: 'plainbot', email: 'plain@acme.test', is_bot: true, roles: 'system_user' });
    f.addToken('plain-token', plain.id);
    const result = await checkMattermostServer({ url: f.url, token: 'plain-token' });
    expect(statusOf(result.items)).toMatchObject({ token: 'ok', bot: 'ok', system_admin: 'missing' });
    expect(result.items.find((i) => i.id === 'system_admin')!.text).toMatch(
      /@plainbot does not have the System Admin role/,
    );

    const person = f.addUser({ username: 'pat', email: 'pat@acme.test', roles: 'system_user system_admin' });
    f.addToken('pat-token', person.id);
    const asPerson = await checkMattermostServer({ url: f.url, token: 'pat-token' });
    expect(asPerson.items.find((i) => i.id === 'bot')).toMatchObject({ status: 'missing' });
    expect(asPerson.items.find((i) => i.id === 'bot')!.text).toMatch(/a person's account, not a bot account/);
  });

  it.each([
    [{ enableEmailInvitations: false }, 'email_invitations', /Email invitations are off/],
    [{ guestAccountsEnabled: false }, 'guest_accounts', /Guest accounts are off/],
    [{ license: { IsLicensed: 'false' } }, 'guest_accounts', /licence does not include guest accounts/],
    [{ enableCommands: false }, 'commands', /Slash commands are off/],
  ] as const)('names what is off on the server: %j', async (options, id, words) => {
    const f = await fake(options);
    const result = await checkMattermostServer({ url: f.url, token: 'bot-token' });
    expect(result.ok).toBe(false);
    const item = result.items.find((i) => i.id === id)!;
    expect(item.status).toBe('missing');
    expect(item.text).toMatch(words);
    expect(result.items.filter((i) => i.status !== 'ok').map((i) => i.id)).toEqual([id]);
  });

  it('names an unreachable server, something that is not Mattermost, and an address it will not call', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await checkMattermostServer({ url: closed, token: 'bot-token' });
    expect(down.items[0]).toMatchObject({ id: 'reachable', status: 'missing' });
    expect(down.items[0]!.text).toMatch(/Could not reach .*: the connection was refused/);
    expect(down.items.slice(1).every((i) => i.status === 'unknown')).toBe(true);

    const web = await listen((_req, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>hi'));
    const notMattermost = await checkMattermostServer({ url: web, token: 'bot-token' });
    expect(notMattermost.items[0]!.text).toMatch(/answered, but not as a Mattermost server \(HTTP 200/);

    for (const url of ['file:///etc/passwd', 'ftp://chat.example.org', 'javascript:alert(1)']) {
      const refused = await checkMattermostServer({ url, token: 'bot-token' });
      expect(refused.items[0]!.text).toBe('Only http:// and https:// addresses can be checked.');
    }
    const withUser = await checkMattermostServer({ url: 'http://u:p@127.0.0.1/', token: 'x' });
    expect(withUser.items[0]!.text).toMatch(/without a user name or password/);
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent = await listen(() => undefined);
    const result = await checkMattermostServer({ url: silent, token: 'bot-token' }, { timeoutMs: 200 });
    expect(result.items[0]!.text).toMatch(/no answer within 0.2 seconds/);
  });

  it('follows a redirect on the same host, never one to another host, and sends the token to neither', async () => {
    const f = await fake();
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(`${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    });
    // 127.0.0.1 and localhost are different hosts to the check, though the same machine.
    const toOther = await listen((req, res) => void res.writeHead(302, { Location: `${other}${req.url}` }).end());
    const away = await checkMattermostServer({ url: toOther, token: 'bot-token' });
    expect(away.items[0]!.text).toMatch(/redirects to another host/);
    const toLocalhost = await listen(
      (req, res) => void res.writeHead(301, { Location: `${f.url.replace('127.0.0.1', 'localhost')}${req.url}` }).end(),
    );
    expect((await checkMattermostServer({ url: toLocalhost, token: 'bot-token' })).items[0]!.text).toMatch(
      /redirects to another host \(localhost:/,
    );
    expect(elsewhere).toEqual([]);

    // A server that moved under /old to its root: followed, and the check goes through (here, to the fake).
    const moved = await listen(async (req, res) => {
      if (req.url!.startsWith('/old/'))
        return void res.writeHead(308, { Location: req.url!.slice('/old'.length) }).end();
      const answer = await fetch(`${f.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
    });
    const followed = await checkMattermostServer({ url: `${moved}/old`, token: 'bot-token' });
    expect(followed.items.filter((i) => i.status !== 'ok')).toEqual([]);
  });
});

describe('the Infomaniak check', () => {
  const budget = { takeRateToken: async () => ({ ok: true as const }) };
  const answering = (status: number, body: unknown) => {
    const seen: { url: string; auth: string | null }[] = [];
    const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), auth: new Headers(init?.headers).get('authorization') });
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    }) as typeof globalThis.fetch;
    return { seen, fetch };
  };

  it('runs the start-up call with the token and account typed in, and says what to fix', async () => {
    const ok = answering(200, { result: 'success', data: [] });
    const check = infomaniakSetupCheck({
      store: budget as never,
      clock: { now: () => new Date() },
      apiUrl: 'https://api.infomaniak.test',
      fetch: ok.fetch,
    });
    expect(await check({ token: 'ik-token', accountId: '42' })).toMatchObject({ ok: true });
    expect(ok.seen).toEqual([
      { url: 'https://api.infomaniak.test/2/accounts/42/users?per_page=1', auth: 'Bearer ik-token' },
    ]);

    const refused = answering(401, { result: 'error', error: { code: 'not_authorized', description: 'no' } });
    const bad = await infomaniakSetupCheck({
      store: budget as never,
      clock: { now: () => new Date() },
      apiUrl: 'https://api.infomaniak.test',
      fetch: refused.fetch,
    })({ token: 'ik-token', accountId: '42' });
    expect(bad.ok).toBe(false);
    expect(bad.text).toMatch(/refused the API token \(401\).*Set INFOMANIAK_API_TOKEN to a valid token\./);
    expect(bad.text).not.toContain('ik-token');
  });
});

describe('the setup page', () => {
  let mm: MattermostFake;
  beforeAll(async () => {
    mm = await MattermostFake.start();
    seed(mm);
    return () => mm.stop();
  });

  it('is open while no platform is configured: manifest, command settings, and a check with words', async () => {
    pg = await startPlayground({ COMMAND_TRIGGER: 'guests' });
    // The playground, where a newcomer lands, links to it.
    expect(await pg.page('maya', 'town-square')).toContain('<a id="setup" href="/setup">Connect a real platform</a>');
    const b = browser(pg.url);
    const page = await b.open();
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('No chat platform is configured yet');
    expect(text).toContain(`Request URL ${pg.url}/mattermost/command`);
    expect(text).toMatch(/Request method POST Command trigger word guests Autocomplete on/);
    expect(text).toContain('Autocomplete hint [email] | list | help');
    const create = /id="slack-create" href="([^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    expect(create).not.toMatch(/['"<>&]#/);
    const manifest = new URL(create).searchParams.get('manifest_yaml')!;
    expect(manifest).toContain(`url: ${pg.url}/slack/events`);
    expect(manifest).toContain('command: /guests');
    expect(text).toContain(`command: /guests`);

    const good = await b.check({ kind: 'mattermost', url: mm.url, token: 'bot-token' });
    expect(good.status).toBe(200);
    expect(textOf(good.html)).toContain('Everything the bot needs is there.');
    expect(textOf(good.html)).toContain('@guestlist has the System Admin role.');
    expect(good.html).toContain(`value="${mm.url}"`);

    const wrong = await b.check({ kind: 'mattermost', url: mm.url, token: 'typed-secret-token' });
    expect(textOf(wrong.html)).toMatch(/Something is missing: .*The server refused the token/);
    // The token typed in is not put back into the page.
    expect(wrong.html).not.toContain('typed-secret-token');

    const partial = await b.check({ kind: 'mattermost', url: mm.url });
    expect(partial.status).toBe(400);
    expect(textOf(partial.html)).toContain('Give both the server address and the bot token.');
  });

  it('answers on a configured deployment only to ADMIN_API_TOKEN, and not at all without one', async () => {
    const env = { MATTERMOST_URL: mm.url, MATTERMOST_BOT_TOKEN: 'bot-token', PLAYGROUND: 'off' };
    pg = await startPlayground(env);
    expect((await fetch(`${pg.url}/setup`)).status).toBe(404);
    await pg.close();

    const admin = 'admin-token-0123456789abcdef';
    pg = await startPlayground({ ...env, ADMIN_API_TOKEN: admin });
    const anonymous = await fetch(`${pg.url}/setup`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Guestlist setup"/);
    const wrongOne = await fetch(`${pg.url}/setup`, {
      headers: { Authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` },
    });
    expect(wrongOne.status).toBe(401);
    const basic = browser(pg.url, `Basic ${Buffer.from(`admin:${admin}`).toString('base64')}`);
    const page = await basic.open();
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('Configured now: Mattermost.');
    expect((await basic.check({ kind: 'mattermost', url: mm.url, token: 'bot-token' })).status).toBe(200);
    expect((await browser(pg.url, `Bearer ${admin}`).open()).status).toBe(200);
    expect(page.html).not.toContain(admin);
    await pg.close();

    // The playground beside a platform links to it only when it is served.
    pg = await startPlayground({ ...env, PLAYGROUND: 'on' });
    expect(await pg.page('maya', 'town-square')).not.toContain('id="setup"');
  });
});

describe('the setup page’s form', () => {
  /** The router alone, with a logger whose every line is kept. */
  async function mounted(checks: Partial<Parameters<typeof setupRouter>[0]> = {}) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = express().use(
      '/setup',
      setupRouter({
        log: createLogger('debug', sink),
        csrfSecret: 'csrf-secret-0123456789-0123456789-abcdef',
        publicUrl: 'http://localhost:3000',
        trigger: 'invite-people',
        configured: [],
        checkMattermost: (input) => checkMattermostServer(input),
        checkInfomaniak: async () => ({ ok: false, text: 'The token may not read account 7.' }),
        ...checks,
      }),
    );
    const base = await listen(app);
    return { base, lines };
  }

  it('refuses a post without its CSRF cookie, and never logs the token typed in', async () => {
    const { base, lines } = await mounted();
    const forged = await fetch(`${base}/setup/check`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'x', kind: 'mattermost', url: 'http://127.0.0.1:9', token: 't' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);

    const b = browser(base);
    const result = await b.check({
      kind: 'mattermost',
      url: `http://127.0.0.1:${await freePort()}`,
      token: 'tok-A1b2',
    });
    expect(textOf(result.html)).toMatch(/Could not reach/);
    const ik = await b.check({ kind: 'infomaniak', accountId: '7', token: 'ik-secret-9' });
    expect(textOf(ik.html)).toContain('The token may not read account 7.');
    expect(ik.html).toContain('value="7"');
    expect(ik.html).not.toContain('ik-secret-9');
    const badAccount = await b.check({ kind: 'infomaniak', accountId: 'acme', token: 'ik-secret-9' });
    expect(badAccount.status).toBe(400);
    expect(lines.join('')).toContain('setup page: server checked');
    expect(lines.join('')).not.toMatch(/tok-A1b2|ik-secret-9/);
  });

  it('takes ten checks a minute from one address, then says when to come back', async () => {
    let calls = 0;
    const { base } = await mounted({
      checkMattermost: async () => {
        calls++;
        return { ok: true, items: [] };
      },
    });
    const b = browser(base);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await b.check({ kind: 'mattermost', url: 'http://chat.test', token: 't' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(calls).toBe(10);
  });
});
