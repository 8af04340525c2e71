/** The playground end to end over HTTP: the real app with no platform configured, the seeded team acting through
 * the page's forms, the outbox's jobs run, the acceptance page registering the invitee. */
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../src/core/userInput.js';
import { linksIn } from '../../support/linkChannels.js';
import { type Playground, startPlayground, textOf } from './browser.js';

let pg: Playground | undefined;
afterEach(async () => {
  await pg?.close();
  pg = undefined;
});

const HOSTILE = '@all <script>alert(1)</script> [x](http://evil.example)';

/** A browser without JavaScript on the acceptance page: GET it, keep its CSRF cookie, POST the form back. */
async function register(
  link: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | null }> {
  const page = await fetch(link);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(link, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ csrf, ...fields }),
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, location: res.headers.get('location') };
}

/** Nothing of the hostile name became markup: no element, no link, no mention. */
function expectInert(html: string): void {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('href="http://evil.example');
  expect(html).not.toMatch(/class="mention">@(all|channel)/);
}

describe('the playground, with no platform configured', () => {
  it('runs invite, approval, link, registration and arrival through the flows, and survives a restart', async () => {
    pg = await startPlayground();
    const root = await fetch(`${pg.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/playground/');

    expect(textOf(await pg.say('maya', 'town-square', '/invite-people help'))).toContain(
      '/invite-people list shows your pending',
    );

    // The member opens the wizard: step one, then step two, as forms.
    let page = await pg.say('maya', 'town-square', '/invite-people');
    expect(page).toContain('Email addresses');
    page = await pg.submit('maya', 'town-square', { emails: 'pat@example.org', name: HOSTILE, role: 'external' });
    expect(page).toContain('Send it by');
    page = await pg.submit('maya', 'town-square', {
      channels: ['town-square', 'launch'],
      delivery: 'link',
      expiry: '7',
      language: 'de',
    });
    expect(textOf(page)).toMatch(/waits? for an administrator/i);
    const [inv] = await pg.app.store.listInvitations({ platform: 'local' });
    expect(inv).toMatchObject({
      state: 'pending_approval',
      email: 'pat@example.org',
      role: 'external',
      delivery: 'link',
      language: 'de',
    });

    // Each admin gets the request by direct message, with Approve / Deny; the name is shown as text.
    const request = await pg.page('ada', 'dm-ada');
    expect(request).toMatch(/>Approve</);
    expect(textOf(request)).toContain(HOSTILE);
    expectInert(request);
    expect(await pg.page('bo', 'dm-bo')).toMatch(/>Deny</);
    // A member cannot see an admin's direct messages, nor click in them.
    expect(await pg.page('maya', 'dm-ada')).not.toContain('Approve');

    page = await pg.click('ada', 'dm-ada', 'Approve');
    expect(textOf(page)).toMatch(/Approved by @?ada/i);
    expect((await pg.app.store.getInvitation(inv!.id))?.state).toBe('sent');

    // "link": the inviter gets the acceptance link by direct message.
    const dm = await pg.page('maya', 'dm-maya');
    expect(textOf(dm)).toMatch(/approved/i);
    const [link] = linksIn(textOf(dm));
    expect(link).toBeTruthy();
    expect(dm).toContain(`<a href="${link}"`);

    // The pending list shows it, with its buttons.
    const list = await pg.say('maya', 'town-square', '/invite-people list');
    expect(textOf(list)).toContain('Pending invitations');
    expect(list).toMatch(/>Show link</);
    expect(list).toMatch(/>Revoke</);

    const done = await register(link!, {
      firstName: '<script>alert(2)</script>',
      lastName: '@channel',
      username: 'pat',
      password: 'long enough 1',
    });
    expect(done.status).toBe(303);
    expect(done.location).toMatch(new RegExp(`^${pg.url}/playground/\\?as=[0-9a-f]{32}$`));
    await pg.settle();
    const pat = new URL(done.location!).searchParams.get('as')!;

    const square = await pg.page('ada', 'town-square');
    expect(textOf(square)).toMatch(/welcome <script>alert\(2\)<\/script> @channel/i);
    expect(textOf(square)).toMatch(/<script>alert\(2\)<\/script> @channel @pat · guest/);
    expectInert(square);
    expect(square).not.toContain('<script>alert(2)');
    expect(textOf(await pg.page('ada', 'launch'))).toMatch(/welcome/i);
    expect(textOf(await pg.page('maya', 'dm-maya'))).toMatch(/accepted your invitation/);
    expect((await pg.app.store.getInvitation(inv!.id))?.state).toBe('arrived');
    // The newcomer is a guest in the channels they were invited to, and nowhere else.
    const own = await pg.page(pat, 'town-square');
    expect(textOf(own)).toMatch(/welcome/i);
    // Their welcome, once, in the language they were invited in (the playground gives no chat locale).
    const welcome = await pg.page(pat, `dm-${pat}`);
    expect(textOf(welcome)).toContain('@maya hat Sie mit der Rolle Extern eingeladen.');
    expect(textOf(welcome)).toContain('~town-square: Everyone, every day');
    expect(textOf(welcome)).toContain('~launch: The launch, step by step');
    expect(textOf(welcome).match(/Willkommen/g)).toHaveLength(1);
    expectInert(welcome);

    await pg.restart();
    expect(textOf(await pg.page('ada', 'town-square'))).toMatch(/@pat · guest/);
    expect((await pg.app.store.getInvitation(inv!.id))?.state).toBe('arrived');
  });

  it('denies with a reason from the form, and tells the inviter', async () => {
    pg = await startPlayground();
    await pg.say('maya', 'launch', '/invite-people lee@example.org');
    await pg.submit('maya', 'launch', { emails: 'lee@example.org', role: 'collaborator' });
    await pg.submit('maya', 'launch', { channels: 'launch', delivery: 'link', expiry: '1' });
    const form = await pg.click('bo', 'dm-bo', 'Deny');
    expect(form).toContain('Deny the invitation');
    const after = await pg.submit('bo', 'dm-bo', { reason: 'not <b>now</b>' });
    expect(textOf(after)).toMatch(/Denied by @?bo/i);
    const [inv] = await pg.app.store.listInvitations({ platform: 'local' });
    expect(inv).toMatchObject({ state: 'denied', decision: { approved: false, reason: 'not <b>now</b>' } });
    const dm = await pg.page('maya', 'dm-maya');
    expect(textOf(dm)).toContain('not <b>now</b>');
    expect(dm).not.toContain('<b>now</b>');
  });

  it('refuses the external guest, field errors stay in the form, and bulk takes many addresses at once', async () => {
    pg = await startPlayground({ INVITES_PER_HOUR: '100' });
    expect(textOf(await pg.say('eli', 'town-square', '/invite-people'))).toMatch(
      /Guests \(external users\) cannot invite/,
    );
    await pg.say('ada', 'town-square', '/invite-people');
    const wrong = await pg.submit('ada', 'town-square', { emails: 'not an address', role: 'collaborator' });
    expect(textOf(wrong)).toContain('Not an email address');

    const page = await pg.say('ada', 'launch', '/invite-people bulk');
    expect(page).toContain(`maxlength="${LIMITS.emails}"`);
    const emails = Array.from({ length: 30 }, (_, i) => `guest${i}@example.org`).join('\n');
    await pg.submit('ada', 'launch', {
      emails,
      role: 'collaborator',
      channels: 'launch',
      delivery: 'link',
      expiry: '7',
    });
    expect(await pg.app.store.listInvitations({ platform: 'local', limit: 100 })).toHaveLength(30);
  });

  it('tells an open page of each change by a server-sent event', async () => {
    pg = await startPlayground();
    const res = await fetch(`${pg.url}/playground/events`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let seen = '';
    const heard = (async () => {
      while (!seen.includes('event: change')) seen += new TextDecoder().decode((await reader.read()).value);
    })();
    await pg.say('maya', 'town-square', 'hello there');
    await heard;
    await reader.cancel();
    expect(textOf(await pg.page('ada', 'town-square'))).toContain('hello there');
  });

  it('sends a CSP that allows only its own script and style, and refuses a post without the CSRF cookie', async () => {
    pg = await startPlayground();
    const res = await fetch(`${pg.url}/playground/`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'sha256-[^' ]+'(;|$)/);
    expect(csp).toContain("default-src 'none'");
    const forged = await fetch(`${pg.url}/playground/say`, {
      method: 'POST',
      body: new URLSearchParams({ as: 'ada', c: 'town-square', text: 'hi', csrf: 'x' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.status).toBe(403);
  });
});

describe('the playground’s Resend form and its state file', () => {
  it('resends by link from the list: a fresh link, the old one dead; a method not offered is refused', async () => {
    pg = await startPlayground();
    await pg.say('ada', 'launch', '/invite-people');
    await pg.submit('ada', 'launch', { emails: 'lee@example.org', role: 'collaborator' });
    await pg.submit('ada', 'launch', { channels: 'launch', delivery: 'link', expiry: '7' });
    const [first] = linksIn(textOf(await pg.page('ada', 'dm-ada')));
    expect(first).toBeTruthy();

    await pg.say('ada', 'launch', '/invite-people list');
    const form = await pg.click('ada', 'launch', 'Resend');
    expect(textOf(form)).toContain('How should lee@example.org get the invitation again?');
    expect(form).toContain('<option value="link" selected>');
    // Only what is configured is offered, and only that is taken: no SMS gateway here.
    const refused = await pg.submit('ada', 'launch', { method: 'sms', phone: '+41791234567' });
    expect(refused).toContain('How should lee@example.org get the invitation again?');
    expect(refused).toMatch(/id="f-method-error"|class="alert"/);

    const after = await pg.submit('ada', 'launch', { method: 'link' });
    expect(after).not.toContain('How should lee@example.org get the invitation again?');
    const links = linksIn(textOf(await pg.page('ada', 'dm-ada')));
    const fresh = links.at(-1)!;
    expect(fresh).not.toBe(first);
    expect((await fetch(fresh)).status).toBe(200);
    expect((await fetch(first!)).status).not.toBe(200);
    const [inv] = await pg.app.store.listInvitations({ platform: 'local' });
    expect(inv?.state).toBe('sent');
  });

  it.each([
    ['not JSON', '{"people": [', /playground\.json is not valid JSON .*left untouched/],
    [
      'JSON of another shape',
      '{"people": "everyone"}',
      /playground\.json is not a playground state file.*left untouched/,
    ],
  ])(
    'refuses to start on a DATA_DIR/playground.json that is %s, names it and leaves it as it was',
    async (_, bad, words) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-playground-bad-'));
      try {
        await writeFile(path.join(dir, 'playground.json'), bad);
        await expect(startPlayground({}, dir)).rejects.toThrow(words);
        expect(await readFile(path.join(dir, 'playground.json'), 'utf8')).toBe(bad);
        // Refused cleanly: the data directory's lock was let go, so the bot starts once the file is moved away.
        await rename(path.join(dir, 'playground.json'), path.join(dir, 'playground.json.bad'));
        pg = await startPlayground({}, dir);
        expect(textOf(await pg.page('maya', 'town-square'))).toContain('Maya Member');
      } finally {
        await pg?.close();
        pg = undefined;
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the playground on a configured deployment', () => {
  const slack = {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_JOIN_URL: 'https://join.example.org',
  };

  it('is off, at / and at /playground, while a platform is configured', async () => {
    pg = await startPlayground({ ...slack, SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect((await fetch(`${pg.url}/playground/`)).status).toBe(404);
    expect((await fetch(`${pg.url}/`, { redirect: 'manual' })).status).toBe(200); // the status page
    expect(pg.app.local).toBeUndefined();
  });

  it('is on beside the platform with PLAYGROUND=on, and off with PLAYGROUND=off', async () => {
    pg = await startPlayground({ ...slack, SLACK_API_URL: 'http://127.0.0.1:9/api/', PLAYGROUND: 'on' });
    expect((await fetch(`${pg.url}/playground/`)).status).toBe(200);
    await pg.close();
    pg = await startPlayground({ PLAYGROUND: 'off' });
    expect((await fetch(`${pg.url}/playground/`)).status).toBe(404);
  });
});
