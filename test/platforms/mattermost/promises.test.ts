/** README promises about the invitations' bookkeeping on Mattermost: the admin JSON endpoint (off unless
 * ADMIN_API_TOKEN is set, filters, paging), giving up after 12 attempts, and the list's ten a page. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { movableClock } from '../../support/linkChannels.js';
import { type Harness, startHarness } from './harness.js';
import { dmTo, invite } from './invite.js';

const TOKEN = 'admin-api-token-0123456789abcdef';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const admin = async (query: string) => {
  const res = await fetch(`${h!.url}/admin/invitations${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as { invitations: { email: string; state: string }[] } };
};

describe('GET /admin/invitations', () => {
  it('is not served at all without ADMIN_API_TOKEN, and refuses a token under 24 characters', async () => {
    h = await startHarness();
    expect((await fetch(`${h.url}/admin/invitations`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(
      404,
    );
    expect(() => loadConfig({ ...h!.env, ADMIN_API_TOKEN: 'x'.repeat(23) })).toThrow(
      /ADMIN_API_TOKEN.*at least 24 characters/,
    );
    expect(loadConfig({ ...h.env, ADMIN_API_TOKEN: 'x'.repeat(24) }).adminApiToken).toBe('x'.repeat(24));
  });

  it('filters by state, platform and workspace, and pages with limit and offset, newest first', async () => {
    h = await startHarness({ env: { ADMIN_API_TOKEN: TOKEN } });
    await invite(h, h.admin, { delivery: 'link' }, 'one@example.org');
    await invite(h, h.admin, { delivery: 'link' }, 'two@example.org');
    await invite(h, h.member, { delivery: 'link' }, 'three@example.org'); // waits for approval
    const emails = (r: { body: { invitations: { email: string }[] } }) => r.body.invitations.map((i) => i.email);
    expect(emails(await admin(''))).toEqual(['three@example.org', 'two@example.org', 'one@example.org']);
    expect(emails(await admin('?state=sent'))).toEqual(['two@example.org', 'one@example.org']);
    expect(emails(await admin('?state=pending_approval,sent&limit=1&offset=1'))).toEqual(['two@example.org']);
    expect(emails(await admin('?platform=slack'))).toEqual([]);
    expect(emails(await admin(`?workspace=${h.team.id}&state=pending_approval`))).toEqual(['three@example.org']);
    expect(emails(await admin('?workspace=elsewhere'))).toEqual([]);
    expect((await admin('?limit=0')).status).toBe(400);
  });
});

describe('the outbox', () => {
  it('gives up a delivery after 12 attempts, marks it failed and tells the inviter once', async () => {
    const clock = movableClock();
    h = await startHarness({ app: { clock } });
    h.fake.failNext(
      'POST',
      /\/invite\/email$/,
      Array.from({ length: 20 }, () => ({ status: 500, body: { id: 'x', message: 'down', status_code: 500 } })),
    );
    await invite(h, h.admin, { delivery: 'platform_email' });
    for (let i = 0; i < 15; i++) {
      clock.advance(3600_000); // past any backoff
      await h.app.outbox.drain();
    }
    const attempts = h.fake.requests.filter((r) => r.method === 'POST' && /\/invite\/email$/.test(r.path));
    expect(attempts).toHaveLength(12);
    const [inv] = await h.app.store.listInvitations({});
    expect(inv).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/down/) });
    expect(await h.app.store.jobs({ state: 'dead' })).toEqual([
      expect.objectContaining({ kind: 'mattermost.deliver', attempts: 12 }),
    ]);
    expect(dmTo(h, h.admin.id).filter((m) => /could not be delivered/.test(m))).toHaveLength(1);
  });
});

describe('/invite-people list', () => {
  it('shows ten invitations a page and points to the next page', async () => {
    h = await startHarness({ env: { INVITES_PER_HOUR: '100' } });
    const emails = Array.from({ length: 12 }, (_, i) => `guest${String(i).padStart(2, '0')}@example.org`);
    await invite(h, h.admin, { delivery: 'link' }, emails.join('\n'));
    const first = (await h.command(h.admin, 'list')).body as { text: string; attachments: { text: string }[] };
    expect(first.attachments).toHaveLength(10);
    expect(first.text).toMatch(/page 1[\s\S]*More: `\/invite-people list 2`/);
    const second = (await h.command(h.admin, 'list 2')).body as { text: string; attachments: { text: string }[] };
    expect(second.attachments).toHaveLength(2);
    expect(second.text).not.toMatch(/More:/);
    const shown = [...first.attachments, ...second.attachments].map((a) => /guest\d+@example\.org/.exec(a.text)![0]);
    expect(new Set(shown).size).toBe(12);
  });
});
