/** The invitee's side in a real headless Chromium (Debian's, driven by playwright-core): open an invitation link,
 * register, and see the account on the Mattermost fake and the arrival announced there; open an expired link and
 * ask for a new invitation. Screenshots of each page go to test/artifacts/; the acceptance page's is copied to
 * docs/acceptance-page.png when that is missing or UPDATE_SCREENSHOTS=1. */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLinkToken } from '../../src/actions/issueLinkToken.js';
import { systemClock } from '../../src/core/clock.js';
import type { Invitation } from '../../src/core/model.js';
import { acceptanceUrl } from '../../src/lifecycle/inviteTokens.js';
import { MattermostApi } from '../../src/platforms/mattermost/api.js';
import { type Harness, startHarness } from '../platforms/mattermost/harness.js';
import { eventually } from '../support/freePort.js';
import { anInvitation } from '../support/invitationFixture.js';
import { recordSkip, requiredByCi } from '../support/skips.js';

const CHROMIUM = '/usr/bin/chromium';
// Flags this machine needs (root, no network): see shared/docs/stack.md.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve('test/artifacts');
const DOCS_SCREENSHOT = path.resolve('docs/acceptance-page.png');
const DOCS_SCREENSHOT_FR = path.resolve('docs/acceptance-page-fr.png');
const PHONE = { width: 390, height: 844 };

const available = existsSync(CHROMIUM);
const required = requiredByCi('REQUIRE_BROWSER');
if (!available && !required) recordSkip('the browser tests', `${CHROMIUM} is missing (apt-get install -y chromium)`);

const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">' +
  '<rect width="96" height="96" rx="20" fill="#1c58d9"/>' +
  '<text x="48" y="62" font-family="sans-serif" font-size="44" font-weight="700" fill="#fff" text-anchor="middle">' +
  'A</text></svg>';

describe.skipIf(!available && !required)('acceptance page in headless Chromium', () => {
  let h: Harness;
  let logoServer: http.Server;
  let browser: Browser;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required (CI=true or REQUIRE_BROWSER=1)`).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    logoServer = http.createServer(
      (_req, res) => void res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(LOGO_SVG),
    );
    await new Promise<void>((r) => logoServer.listen(0, '127.0.0.1', r));
    // The whole bot (buildApp) against the Mattermost fake: its account creator, channel names, login URL and rules.
    h = await startHarness({
      env: {
        ORG_NAME: 'Acme Cooperative',
        ORG_LOGO_URL: `http://127.0.0.1:${(logoServer.address() as AddressInfo).port}/logo.svg`,
        PASSWORD_MIN_LENGTH: '12',
      },
    });
    h.app.outbox.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise<void>((r) => (logoServer ? logoServer.close(() => r()) : r()));
  });

  async function invite(over: Partial<Invitation>): Promise<{ inv: Invitation; link: string }> {
    const inv = anInvitation({
      workspaceId: h.team.id,
      inviter: { id: h.member.id, username: h.member.username },
      channelIds: [h.general.id],
      ...over,
    });
    await h.app.store.createInvitations([inv], [], []);
    const { token, invitation } = (await issueLinkToken({ store: h.app.store, clock: systemClock }, inv, h.member.id))!;
    return { inv: invitation, link: acceptanceUrl(h.url, token) };
  }

  /** Clicks a submit button and waits for the page the POST answered with (the address may stay the same). */
  async function submit(page: Page, selector: string): Promise<number> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click(selector),
    ]);
    await page.waitForLoadState('load');
    return response.status();
  }

  async function phonePage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text()));
    return page;
  }

  it('opens an invitation link, registers, and the guest arrives and is announced on Mattermost', async () => {
    const { inv, link } = await invite({
      email: 'ana.lima@example.com',
      name: 'Ana Lima',
      role: 'external',
      expiresAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
      message: 'Welcome aboard, see you in #general!',
    });
    const page = await phonePage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('You are invited to join Acme Cooperative');
    await expect(page.locator('#invited-email').textContent()).resolves.toBe('ana.lima@example.com');
    await expect(page.locator('body').textContent()).resolves.toContain('General');
    // The inline style sheet passed the CSP (by its hash) and the logo loaded from its allowed origin.
    expect(await page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      'rgb(28, 88, 217)',
    );
    expect(await page.locator('header img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    // Fits a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(ARTIFACTS, 'acceptance-page.png'), fullPage: true });
    // The README's picture: refreshed on request only, so that a test run does not dirty a committed file.
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SCREENSHOT)) {
      await mkdir(path.dirname(DOCS_SCREENSHOT), { recursive: true });
      await copyFile(path.join(ARTIFACTS, 'acceptance-page.png'), DOCS_SCREENSHOT);
    }

    // PASSWORD_MIN_LENGTH reaches the browser's own check; the server checks it again (test/platforms/mattermost).
    expect(await page.getAttribute('#password', 'minlength')).toBe('12');
    // A username the browser's own checks let through but the platform's rules refuse: answered on the field.
    await page.fill('#lastName', 'Lima');
    await page.fill('#username', 'system');
    await page.fill('#password', 'a long enough password');
    expect(await submit(page, 'button[type=submit]')).toBe(400);
    await expect(page.locator('#username-error').textContent()).resolves.toBe('This name is reserved; choose another.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'acceptance-page-field-error.png'), fullPage: true });

    await page.fill('#username', 'ana.lima');
    await page.fill('#password', 'a long enough password');
    await Promise.all([page.waitForURL(`${h.fake.url}/login`), page.click('button[type=submit]')]);

    const user = (await new MattermostApi(h.fake.url, 'bot-token').userByEmail('ana.lima@example.com'))!;
    expect(user).toMatchObject({ username: 'ana.lima', first_name: 'Ana', last_name: 'Lima', roles: 'system_guest' });
    expect(h.fake.channelMember(h.general.id, user.id)?.scheme_guest).toBe(true);
    expect((await h.app.store.getInvitation(inv.id))?.state).toBe('arrived');

    const announcement = await eventually(
      () => h.fake.postsIn(h.general.id).find((p) => p.user_id === h.bot.id && p.message.includes('Please welcome')),
      10_000,
    );
    expect(announcement.message).toContain('@ana.lima');
    expect(announcement.message).toContain('@alice');
    const dm = await eventually(
      () =>
        h.fake
          .postsIn(h.fake.directChannelId(h.bot.id, h.member.id))
          .find((p) => p.message.includes('accepted your invitation')),
      10_000,
    );
    expect(dm.message).toContain('ana.lima@example.com');
    await eventually(
      async () => (await h.app.store.jobs({ invitationId: inv.id, state: 'pending' })).length === 0,
      10_000,
    );
    expect(h.fake.postsIn(h.general.id).filter((p) => p.message.includes('Please welcome'))).toHaveLength(1);

    // The link is used up: opening it again says so.
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('This invitation was already accepted');
    await page.screenshot({ path: path.join(ARTIFACTS, 'used-link.png'), fullPage: true });
    await page.context().close();
  }, 60_000);

  it('shows an expired link clearly, and its button asks the inviter for a new invitation', async () => {
    const { inv, link } = await invite({
      email: 'late@example.com',
      name: 'Lena Late',
      expiresAt: new Date(Date.now() - 86400_000).toISOString(),
    });
    const page = await phonePage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('This invitation has expired');
    await expect(page.locator('body').textContent()).resolves.toContain('late@example.com');
    await page.screenshot({ path: path.join(ARTIFACTS, 'expired-link.png'), fullPage: true });

    expect(await submit(page, 'button:has-text("Ask alice for a new invitation")')).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Request sent');
    await page.screenshot({ path: path.join(ARTIFACTS, 'renewal-requested.png'), fullPage: true });
    const [job] = await h.app.store.jobs({ invitationId: inv.id });
    expect(job).toMatchObject({ kind: 'mattermost.notify-inviter', payload: { about: 'renewal-request' } });
    expect(
      h.fake.getUser(
        (await new MattermostApi(h.fake.url, 'bot-token').userByEmail('late@example.com').then((u) => u?.id)) ?? '',
      ),
    ).toBeUndefined();
    await page.context().close();
  }, 60_000);

  it('raised no Content-Security-Policy violation on any page', () => {
    expect(cspViolations).toEqual([]);
  });

  it('opens in the invitation’s language, switches language and still registers, honours Accept-Language', async () => {
    const { inv, link } = await invite({
      email: 'zoe.martin@example.com',
      name: 'Zoé Martin',
      role: 'external',
      language: 'fr',
      expiresAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
    });
    const page = await phonePage();
    await page.goto(link);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expect(page.locator('h1').textContent()).resolves.toBe('Invitation à rejoindre Acme Cooperative');
    await page.screenshot({ path: path.join(ARTIFACTS, 'acceptance-page-fr.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SCREENSHOT_FR)) {
      await copyFile(path.join(ARTIFACTS, 'acceptance-page-fr.png'), DOCS_SCREENSHOT_FR);
    }

    await Promise.all([page.waitForLoadState('load'), page.click('nav.languages a[hreflang=it]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Invito a unirsi a Acme Cooperative');
    // The form still posts after the switch, and answers in the language chosen.
    await page.fill('#firstName', 'Zoé');
    await page.fill('#lastName', 'Martin');
    await page.fill('#username', 'system');
    await page.fill('#password', 'a long enough password');
    expect(await submit(page, 'button[type=submit]')).toBe(400);
    await expect(page.locator('#username-error').textContent()).resolves.toBe(
      'Questo nome è riservato; ne scelga un altro.',
    );
    await page.fill('#username', 'zoe.martin');
    await page.fill('#password', 'a long enough password');
    await Promise.all([page.waitForURL(`${h.fake.url}/login`), page.click('button[type=submit]')]);
    expect(await new MattermostApi(h.fake.url, 'bot-token').userByEmail('zoe.martin@example.com')).toMatchObject({
      username: 'zoe.martin',
    });
    expect((await h.app.store.getInvitation(inv.id))?.state).toBe('arrived');

    // No language stored with the invitation: the browser's Accept-Language decides.
    const { link: unset } = await invite({ email: 'urs@example.com', name: 'Urs', role: 'external' });
    const context = await browser.newContext({ locale: 'de-CH', javaScriptEnabled: false });
    const german = await context.newPage();
    await german.goto(unset);
    expect(await german.getAttribute('html', 'lang')).toBe('de');
    await expect(german.locator('h1').textContent()).resolves.toBe('Sie sind eingeladen, Acme Cooperative beizutreten');
    await context.close();
  });
});
