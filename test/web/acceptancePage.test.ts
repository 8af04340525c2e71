import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueLinkToken } from '../../src/actions/issueLinkToken.js';
import { RENEWALS_PER_HOUR } from '../../src/actions/requestRenewal.js';
import type { Invitation } from '../../src/core/model.js';
import { type AccountCreator, AccountRefusedError, type NewAccount } from '../../src/lifecycle/accountCreator.js';
import { createLogger } from '../../src/logger.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import { acceptancePageRouter, JOIN_POST_RATE_LIMIT } from '../../src/web/acceptancePage.js';
import { createWebApp } from '../../src/web/server.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';
import { locales } from '../support/words.js';

const NOW = new Date('2030-01-02T00:00:00.000Z');
const clock = { now: () => NOW };
const LOGIN = 'https://chat.example.com/login';

class RecordingCreator implements AccountCreator {
  calls: { inv: Invitation; account: NewAccount }[] = [];
  failWith: Error | undefined;
  async createAccount(inv: Invitation, account: NewAccount) {
    this.calls.push({ inv, account });
    if (this.failWith) throw this.failWith;
    return { userId: `user${this.calls.length}`, loginUrl: LOGIN };
  }
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('acceptance page', () => {
  let store: LowdbStore;
  let cleanup: () => Promise<void>;
  let creator: RecordingCreator;
  let logs: string[];
  let app: ReturnType<typeof createWebApp>;
  let kicks: number;

  beforeEach(async () => {
    ({ store, cleanup } = await tempStore());
    creator = new RecordingCreator();
    logs = [];
    kicks = 0;
    const log = createLogger('debug', new Writable({ write: (c, _e, cb) => void (logs.push(String(c)), cb()) }));
    const router = acceptancePageRouter({
      store,
      clock,
      log,
      locales,
      org: { name: 'Acme & Co', logoUrl: 'https://cdn.example.net/logo.png' },
      csrfSecret: 'test-secret-test-secret-test-secret',
      accounts: () => creator,
      channelNames: async (inv) =>
        inv.channelIds.map((id) => (id === 'evil' ? '<img src=x onerror=alert(1)>' : `Channel ${id}`)),
      loginUrl: () => LOGIN,
      onJobsQueued: () => void kicks++,
    });
    app = createWebApp({ log, routers: [{ path: '/join', router }], ready: async () => true });
  });
  afterEach(() => cleanup());

  async function invited(over: Partial<Invitation> = {}): Promise<{ inv: Invitation; token: string; path: string }> {
    const inv = anInvitation({ channelIds: ['general', 'evil'], ...over });
    await store.createInvitations([inv], [], []);
    const { token, invitation } = (await issueLinkToken({ store, clock }, inv, 'bob'))!;
    return { inv: invitation, token, path: `/join/${token}` };
  }

  it('shows the organization, the inviter, the required email and what the invitee gets, all escaped', async () => {
    const { path, token } = await invited({
      name: 'Ana <b>Lima</b>',
      inviter: { id: 'u1', username: 'bob"><script>alert(1)</script>' },
      message: '<a href="javascript:alert(1)">hi</a>',
      email: 'ana+test@example.com',
    });
    const res = await request(app).get(path);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    const html = res.text;
    expect(html).toContain('Acme &amp; Co');
    expect(html).toContain('<img src="https://cdn.example.net/logo.png" alt="">');
    expect(html).toContain('ana+test@example.com');
    expect(html).toContain('External guest');
    expect(html).toContain('Channel general');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('bob&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Ana &lt;b&gt;Lima&lt;/b&gt;');
    expect(html).toContain('&lt;a href=&quot;javascript:alert(1)&quot;&gt;hi&lt;/a&gt;');
    expect(html).toContain('8 January 2030');
    expect(html).not.toMatch(/<script|<b>|<a href="javascript|onerror=alert\(1\)>/);
    expect(html).not.toContain(token);
    expect(html).toMatch(/<form method="post">/);
    expect(html).toContain('value="Ana"'); // first name pre-filled from the invitation
  });

  it('counts a view once per visitor, and keeps neither the address nor the browser', async () => {
    const { inv, path } = await invited();
    const firefox = 'Mozilla/5.0 Firefox/140.0';
    for (let i = 0; i < 3; i++) expect((await request(app).get(path).set('User-Agent', firefox)).status).toBe(200);
    await request(app).get(path).set('User-Agent', 'Mozilla/5.0 Safari/18');
    const opens = (await store.auditTrail(inv.id)).filter((e) => e.action === 'link_opened');
    expect(opens).toHaveLength(2);
    expect(opens[0]).toMatchObject({ actor: 'invitee', at: NOW.toISOString() });
    const written = JSON.stringify(opens);
    expect(written).not.toMatch(/127\.0\.0\.1|::1|Firefox|Safari/);
    // A dead link counts no view.
    await store.patchInvitation(inv.id, { expiresAt: '2029-01-01T00:00:00.000Z' });
    await request(app).get(path).set('User-Agent', 'curl/8');
    expect((await store.auditTrail(inv.id)).filter((e) => e.action === 'link_opened')).toHaveLength(2);
  });

  it(
    'sends security headers: CSP without unsafe-inline, no ' + 'framing, no referrer, no caching; a strict CSRF cookie',
    async () => {
      const { path } = await invited();
      const res = await request(app).get(path);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self' https://chat.example.com");
      expect(csp).toContain("img-src 'self' https://cdn.example.net");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toMatch(/script-src/);
      const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)![1]!;
      expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
      expect(cookie).toMatch(/^guestlist_csrf=[A-Za-z0-9_-]{43};/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).toContain('Path=/join');
    },
  );

  it(
    'registers: creates the account with the form, records the ' +
      'arrival once, queues the announcements and redirects to the chat',
    async () => {
      const { inv, path } = await invited();
      const agent = request.agent(app);
      const csrf = csrfOf((await agent.get(path)).text);
      const res = await agent
        .post(path)
        .type('form')
        .send({ csrf, firstName: 'Ana', lastName: 'Lima', username: 'Ana.Lima', password: 'correct horse' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(LOGIN);
      expect(creator.calls).toHaveLength(1);
      expect(creator.calls[0]!.inv.id).toBe(inv.id);
      expect(creator.calls[0]!.account).toEqual({
        firstName: 'Ana',
        lastName: 'Lima',
        username: 'ana.lima',
        password: 'correct horse',
      });
      const stored = (await store.getInvitation(inv.id))!;
      expect(stored.state).toBe('arrived');
      expect(stored.arrivedUserId).toBe('user1');
      const trail = await store.auditTrail(inv.id);
      expect(trail.at(-1)).toMatchObject({ action: 'arrived', detail: { via: 'acceptance-page' } });
      const jobs = (await store.jobs({ invitationId: inv.id })).map((j) => j.dedupeKey).sort();
      expect(jobs).toEqual(
        [
          `announce:${inv.id}:evil`,
          `announce:${inv.id}:general`,
          `notify-inviter:${inv.id}:arrival`,
          `welcome:mattermost:team1:user1`,
        ].sort(),
      );
      expect(kicks).toBe(1);
      expect(logs.join('')).not.toContain('correct horse');
      expect(logs.join('')).not.toContain(path.split('/').pop()!);

      // Single use: the same link now says it was used, and a replayed form creates nothing.
      const again = await agent
        .post(path)
        .type('form')
        .send({ csrf, firstName: 'Ana', username: 'other', password: 'correct horse' });
      expect(again.status).toBe(410);
      expect(again.text).toContain('This invitation was already accepted');
      expect(again.text).toContain(`href="${LOGIN}"`);
      expect(creator.calls).toHaveLength(1);
    },
  );

  it('refuses a form without a valid CSRF token, or with one from another invitation or another browser', async () => {
    const a = await invited({ email: 'a@example.com' });
    const b = await invited({ email: 'b@example.com' });
    const agent = request.agent(app);
    const csrfA = csrfOf((await agent.get(a.path)).text);
    await agent.get(b.path);
    const form = { firstName: 'Ana', username: 'ana', password: 'correct horse' };

    expect((await agent.post(a.path).type('form').send(form)).status).toBe(403);
    expect(
      (
        await agent
          .post(a.path)
          .type('form')
          .send({ ...form, csrf: 'x' })
      ).status,
    ).toBe(403);
    expect(
      (
        await agent
          .post(b.path)
          .type('form')
          .send({ ...form, csrf: csrfA })
      ).status,
    ).toBe(403);
    const otherBrowser = await request(app)
      .post(a.path)
      .type('form')
      .send({ ...form, csrf: csrfA });
    expect(otherBrowser.status).toBe(403);
    expect(otherBrowser.text).toContain('Please try again');
    expect(creator.calls).toHaveLength(0);
  });

  it('shows field errors with the values kept (never the password) and creates nothing', async () => {
    const { path } = await invited();
    const agent = request.agent(app);
    const csrf = csrfOf((await agent.get(path)).text);
    const res = await agent
      .post(path)
      .type('form')
      .send({ csrf, firstName: '<i>Ana</i>', username: '9lives', password: 'short' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Start with a letter.');
    expect(res.text).toContain('Use at least 8 characters.');
    expect(res.text).toContain('value="&lt;i&gt;Ana&lt;/i&gt;"');
    expect(res.text).toContain('value="9lives"');
    expect(res.text).not.toContain('short');
    expect(res.text).toContain('aria-invalid="true"');
    for (const bad of ['ab', 'a'.repeat(23), 'ana lima', 'all', 'ana!']) {
      const r = await agent
        .post(path)
        .type('form')
        .send({ csrf: csrfOf(res.text), firstName: 'Ana', username: bad, password: 'correct horse' });
      expect(r.status, bad).toBe(400);
    }
    // A name that would reorder or hide what the bot posts after it, or end in NUL.
    for (const firstName of ['\u202Eeh', 'Ana\u0000', 'Ana\nJoined as admin']) {
      const r = await agent
        .post(path)
        .type('form')
        .send({ csrf: csrfOf(res.text), firstName, username: 'ana', password: 'correct horse' });
      expect(r.status, JSON.stringify(firstName)).toBe(400);
      expect(r.text).toContain('Remove the invisible control characters from your name.');
    }
    expect(creator.calls).toHaveLength(0);
  });

  it('puts the platform’s refusal on the right field, and a platform failure on a retry page', async () => {
    const { inv, path, token } = await invited();
    const agent = request.agent(app);
    const csrf = csrfOf((await agent.get(path)).text);
    const form = { csrf, firstName: 'Ana', username: 'ana', password: 'correct horse' };
    creator.failWith = new AccountRefusedError('username', () => 'This username is taken; choose another.');
    const taken = await agent.post(path).type('form').send(form);
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('This username is taken; choose another.');

    creator.failWith = new Error('Mattermost 500: boom');
    const failed = await agent.post(path).type('form').send(form);
    expect(failed.status).toBe(502);
    expect(failed.text).toContain('try again in a few minutes');
    expect((await store.getInvitation(inv.id))!.state).toBe('sent');
    expect(logs.some((l) => l.includes('account creation failed'))).toBe(true);
    expect(logs.join('')).not.toContain(token);
  });

  it('shows a clear expired page, and its button asks the inviter for a new invitation once', async () => {
    const { inv, path } = await invited({ expiresAt: '2030-01-01T12:00:00.000Z' });
    const agent = request.agent(app);
    const page = await agent.get(path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This invitation has expired');
    expect(page.text).toContain('1 January 2030');
    expect(page.text).toContain('Ask bob for a new invitation');
    expect(page.text).toContain('name="intent" value="renew"');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const registering = await agent
      .post(path)
      .type('form')
      .send({ csrf: csrfOf(page.text), firstName: 'Ana', username: 'ana', password: 'correct horse' });
    expect(registering.status).toBe(410);
    expect(creator.calls).toHaveLength(0);

    expect(
      (
        await request(app)
          .post(path)
          .type('form')
          .send({ intent: 'renew', csrf: csrfOf(page.text) })
      ).status,
    ).toBe(403);
    for (let i = 0; i < 2; i++) {
      const asked = await agent
        .post(path)
        .type('form')
        .send({ intent: 'renew', csrf: csrfOf(page.text) });
      expect(asked.status).toBe(200);
      expect(asked.text).toContain('We asked bob to send you a new invitation.');
    }
    const jobs = await store.jobs({ invitationId: inv.id });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: 'mattermost.notify-inviter', payload: { about: 'renewal-request' } });
    expect((await store.auditTrail(inv.id)).filter((a) => a.action === 'renewal_requested')).toHaveLength(2);
  });

  it('shows revoked and used links as such, and unknown or malformed links as not valid', async () => {
    const revoked = await invited({ state: 'revoked' });
    const r = await request(app).get(revoked.path);
    expect(r.status).toBe(410);
    expect(r.text).toContain('This invitation was withdrawn');
    expect(r.text).toContain('Ask bob for a new invitation');

    const used = await invited({ state: 'arrived' });
    const u = await request(app).get(used.path);
    expect(u.status).toBe(410);
    expect(u.text).toContain('This invitation was already accepted');

    for (const path of [`/join/${'A'.repeat(43)}`, '/join/not-a-token', `/join/${revoked.token}x`]) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).toContain('This link is not valid');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('answers the 11th POST within ten minutes with 429 and Retry-After, per client address and per link', async () => {
    const a = await invited();
    const b = await invited({ email: 'bo@example.com' });
    const from = (ip: string, path: string) =>
      request(app).post(path).set('X-Forwarded-For', ip).type('form').send({ csrf: 'x' });
    for (let i = 0; i < JOIN_POST_RATE_LIMIT.limit; i++) expect((await from('203.0.113.1', a.path)).status).toBe(403);
    const sameAddress = await from('203.0.113.1', b.path);
    expect(sameAddress.status).toBe(429);
    expect(Number(sameAddress.headers['retry-after'])).toBeGreaterThan(500);
    expect(sameAddress.text).toContain('Too many attempts');
    expect(sameAddress.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await from('203.0.113.2', a.path)).status).toBe(429); // the same link from elsewhere
    expect((await from('203.0.113.3', b.path)).status).toBe(403); // another link from elsewhere: its own budget
    expect(creator.calls).toHaveLength(0);
  });

  it('takes at most three renewal requests an hour for one link', async () => {
    const { inv, path } = await invited({ expiresAt: '2030-01-01T12:00:00.000Z' });
    const agent = request.agent(app);
    const csrf = csrfOf((await agent.get(path)).text);
    const renew = () => agent.post(path).type('form').send({ intent: 'renew', csrf });
    for (let i = 0; i < RENEWALS_PER_HOUR; i++) expect((await renew()).status).toBe(200);
    const refused = await renew();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('3600');
    expect(refused.text).toContain('We already asked bob to send you a new invitation.');
    expect((await store.auditTrail(inv.id)).filter((a) => a.action === 'renewal_requested')).toHaveLength(
      RENEWALS_PER_HOUR,
    );
  });

  it('refuses an oversized form with its own page, without logging the token-bearing path', async () => {
    const { path, token } = await invited();
    const res = await request(app)
      .post(path)
      .type('form')
      .send({ csrf: 'x', firstName: 'a'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.type).toBe('text/html');
    expect(logs.join('')).not.toContain(token);
  });
});
