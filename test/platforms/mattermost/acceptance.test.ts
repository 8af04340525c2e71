/** The acceptance page as the running bot serves it on Mattermost: the invitation made in the wizard, the page's
 * channel names, account creation, the login URL and PASSWORD_MIN_LENGTH are all the app's own, against the fake. */
import { afterEach, describe, expect, it } from 'vitest';
import { linksIn } from '../../support/linkChannels.js';
import { type Harness, startHarness } from './harness.js';
import { dmTo, invite } from './invite.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A browser without JavaScript: GET the page, keep its CSRF cookie, POST the form back. */
async function register(
  link: string,
  fields: Record<string, string>,
): Promise<{ status: number; location: string | null; html: string }> {
  const page = await fetch(link);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(link, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ csrf, ...fields }),
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

describe('registering on the acceptance page of the running bot', () => {
  it(
    'applies PASSWORD_MIN_LENGTH and the sign-up rules, ' + 'creates the account and announces the arrival once',
    async () => {
      h = await startHarness({ env: { PASSWORD_MIN_LENGTH: '12' } });
      await invite(
        h,
        h.admin,
        { delivery: 'link', channels: [h.general.id, h.secret.id] },
        'Ana Lima <ana.lima@example.org>',
      );
      const [link] = linksIn(dmTo(h, h.admin.id).join('\n'));
      const page = await (await fetch(link!)).text();
      expect(page).toContain('ana.lima@example.org');
      expect(page).toMatch(/General[\s\S]*Secret/); // channel names read from Mattermost by the app
      expect(page).toContain('minlength="12"');

      const short = await register(link!, {
        firstName: 'Ana',
        lastName: 'Lima',
        username: 'ana.lima',
        password: 'eleven char',
      });
      expect(short.status).toBe(400);
      expect(short.html).toContain('Use at least 12 characters.');
      const reserved = await register(link!, {
        firstName: 'Ana',
        lastName: 'Lima',
        username: 'channel',
        password: 'twelve chars!',
      });
      expect(reserved.status).toBe(400);
      expect(reserved.html).toContain('This name is reserved; choose another.');
      expect(h.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v4/users')).toEqual([]);

      const done = await register(link!, {
        firstName: 'Ana',
        lastName: 'Lima',
        username: 'Ana.Lima',
        password: 'twelve chars!',
      });
      expect(done).toMatchObject({ status: 303, location: `${h.fake.url}/login` });
      expect(h.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v4/users')).toHaveLength(1);
      const [inv] = await h.app.store.listInvitations({});
      expect(inv).toMatchObject({ state: 'arrived', arrivedUserId: expect.any(String) });
      const account = h.fake.getUser(inv!.arrivedUserId!)!;
      expect(account).toMatchObject({
        username: 'ana.lima',
        email: 'ana.lima@example.org',
        first_name: 'Ana',
        last_name: 'Lima',
      });

      await h.app.outbox.drain();
      for (const channel of [h.general, h.secret]) {
        expect(h.fake.channelMember(channel.id, account.id)).toBeTruthy();
        expect(
          h.fake.postsIn(channel.id).filter((p) => /Please welcome Ana Lima @ana\.lima/.test(p.message)),
        ).toHaveLength(1);
      }
      expect(dmTo(h, h.admin.id).filter((m) => /accepted your invitation/.test(m))).toHaveLength(1);
      expect((await fetch(link!)).status).toBe(410);
    },
  );
});
