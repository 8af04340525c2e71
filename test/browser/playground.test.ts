/** The playground's whole story in a real headless Chromium (Debian's, driven by playwright-core), with its script
 * on: a member invites an external guest by link through the wizard, an admin approves from their direct messages
 * while the member's open page follows the invitation's state without reloading, the invitee registers on the
 * acceptance page, and the arrival is announced in the channels. Screenshots of each step go to test/artifacts/;
 * the admin's view is copied to docs/playground.png when that is missing or UPDATE_SCREENSHOTS=1. */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playground, startPlayground } from '../platforms/local/browser.js';
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
const DOCS_SCREENSHOT = path.resolve('docs/playground.png');
const DESKTOP = { width: 1200, height: 900 };

const available = existsSync(CHROMIUM);
const required = requiredByCi('REQUIRE_BROWSER');
if (!available && !required)
  recordSkip('the playground browser test', `${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!available && !required)('the playground in headless Chromium', () => {
  let pg: Playground;
  let browser: Browser;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required (CI=true or REQUIRE_BROWSER=1)`).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    pg = await startPlayground();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pg?.close();
  });

  async function open(as: string, channel: string): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text()));
    await page.goto(`${pg.url}/playground/?as=${as}&c=${channel}`);
    return page;
  }

  /** Does what `act` does (a click, Enter) and waits for the page the form's redirect leads to. */
  async function navigating(page: Page, act: () => Promise<unknown>): Promise<void> {
    await Promise.all([page.waitForEvent('framenavigated'), act()]);
    await page.waitForLoadState('load');
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const submitForm = (page: Page) => page.click('aside form button[type=submit]:not([name=cancel])');

  it('invites by link, approves, registers and announces, and the pages follow along', async () => {
    const maya = await open('maya', 'town-square');
    await expect(maya.locator('nav h1').textContent()).resolves.toBe('Guestlist playground');

    // The member runs the command: the wizard opens beside the channel, in two steps.
    await maya.fill('input[name=text]', '/invite-people');
    await navigating(maya, () => maya.press('input[name=text]', 'Enter'));
    await maya.fill('#f-emails', 'pat@agency.example');
    await maya.fill('#f-name', 'Pat Quinn');
    await maya.selectOption('#f-role', 'external');
    await shot(maya, 'playground-wizard');
    await navigating(maya, () => submitForm(maya));
    await maya.check('input[name=channels][value=launch]');
    expect(await maya.isChecked('input[name=channels][value=town-square]')).toBe(true);
    await maya.selectOption('#f-delivery', 'link');
    await navigating(maya, () => submitForm(maya));
    await expect(maya.locator('.messages').textContent()).resolves.toMatch(/waiting for an administrator/i);
    await maya.locator('aside .state', { hasText: 'waiting for approval' }).waitFor();

    // An admin switches to themselves with the person switch (the page's script submits it) and opens the DMs.
    const ada = await open('maya', 'town-square');
    await navigating(ada, () => ada.selectOption('#as', 'ada'));
    expect(new URL(ada.url()).searchParams.get('as')).toBe('ada');
    // For the picture: the admin opens the wizard too; it stays beside whichever channel they look at.
    await ada.fill('input[name=text]', '/invite-people');
    await navigating(ada, () => ada.press('input[name=text]', 'Enter'));
    await navigating(ada, () => ada.click('nav a:has-text("Guestlist")'));
    const request = ada.locator('.msg', { hasText: 'asks to invite Pat Quinn' });
    await expect(request.textContent()).resolves.toContain('External guest');
    await shot(ada, 'playground-approval-request');
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SCREENSHOT))
      await copyFile(path.join(ARTIFACTS, 'playground-approval-request.png'), DOCS_SCREENSHOT);
    await navigating(ada, () => request.locator('button', { hasText: 'Approve' }).click());
    await expect(ada.locator('.msg', { hasText: 'asks to invite Pat Quinn' }).textContent()).resolves.toMatch(
      /Approved by @?ada/,
    );

    // The member's page, untouched since, shows the new state (a server-sent event, no reload).
    await maya.locator('aside .state', { hasText: 'sent' }).waitFor({ timeout: 10_000 });
    await shot(maya, 'playground-sent');

    // "link": the inviter gets the acceptance link in their direct messages.
    await navigating(maya, () => maya.click('nav a:has-text("Guestlist")'));
    const link = maya.locator('.messages a[href*="/join/"]').last();
    await link.waitFor({ timeout: 10_000 });
    const href = (await link.getAttribute('href'))!;
    expect(href.startsWith(`${pg.url}/join/`)).toBe(true);
    await shot(maya, 'playground-link');

    // The invitee opens it and registers: they land in the playground as themselves.
    const invitee = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    invitee.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && cspViolations.push(m.text()));
    await invitee.goto(href);
    await expect(invitee.locator('#invited-email').textContent()).resolves.toBe('pat@agency.example');
    await invitee.fill('#firstName', 'Pat');
    await invitee.fill('#lastName', 'Quinn');
    await invitee.fill('#username', 'pat');
    await invitee.fill('#password', 'a long enough password');
    await shot(invitee, 'playground-acceptance');
    await Promise.all([invitee.waitForURL(/\/playground\/\?as=/), invitee.click('button[type=submit]')]);
    await expect(invitee.locator('nav select#as option[selected]').textContent()).resolves.toContain('Pat Quinn');

    // The arrival is announced in the channels chosen, and seen on the admin's open page without a reload.
    await navigating(ada, () => ada.click('nav a:has-text("~launch")'));
    await ada.locator('.msg', { hasText: /welcome/i }).waitFor({ timeout: 10_000 });
    await expect(ada.locator('aside').textContent()).resolves.toMatch(/@pat · guest/);
    await shot(ada, 'playground-announced');
    await navigating(ada, () => ada.click('nav a:has-text("~town-square")'));
    await expect(ada.locator('.messages').textContent()).resolves.toMatch(/welcome/i);
    await maya.locator('.messages', { hasText: 'accepted your invitation' }).waitFor({ timeout: 10_000 });
    expect((await pg.app.store.listInvitations({ platform: 'local' }))[0]?.state).toBe('arrived');
  }, 90_000);

  it('raised no Content-Security-Policy violation on any page', () => {
    expect(cspViolations).toEqual([]);
  });
});
