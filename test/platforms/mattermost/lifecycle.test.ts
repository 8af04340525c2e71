/** The invitation's life after it was sent, on Mattermost: the bot's own links (shown, mailed, texted), the
 * pending list and its buttons, resend by a chosen method, revoke, retry, and the admin JSON endpoint. */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { eventually } from '../../support/freePort.js';
import { type LinkSinks, startLinkSinks } from '../../support/linkChannels.js';
import { type Harness, startHarness } from './harness.js';
import { dmTo as dmFromBot, invite as inviteAs } from './invite.js';

let h: Harness | undefined;
let sinks: LinkSinks | undefined;
afterEach(async () => {
  await h?.close();
  await sinks?.stop();
  h = sinks = undefined;
});

async function withChannels(): Promise<Record<string, string>> {
  sinks = await startLinkSinks();
  return { ...sinks.env, ADMIN_API_TOKEN: 'admin-api-token-0123456789abcdef' };
}

const lastDialog = () => h!.fake.dialogsOpened.at(-1)!;
const dmTo = (userId: string) => dmFromBot(h!, userId);
const linkIn = (text: string) => /http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]+/.exec(text)?.[0];
const invite = (
  user: Parameters<typeof inviteAs>[1],
  step2: Record<string, unknown>,
  emails?: string,
  o?: { drain: boolean },
) => inviteAs(h!, user, step2, emails, o);

async function click(user: { id: string; username: string }, action: { integration: { context: unknown } }) {
  const res = await fetch(`${h!.url}/mattermost/action`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      user_id: user.id,
      user_name: user.username,
      post_id: '',
      trigger_id: h!.fake.issueTriggerId(user.id),
      context: action.integration.context,
    }),
  });
  return (await res.json()) as Record<string, unknown>;
}

type ListAnswer = {
  attachments: { text: string; actions: { id: string; name: string; integration: { context: unknown } }[] }[];
};
const button = (list: ListAnswer, id: string) => list.attachments[0]!.actions.find((a) => a.id === id)!;

describe('delivery by the bot’s own link', () => {
  it('shows the link to the inviter, and the link opens the acceptance page', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'link' });
    const link = linkIn(dmTo(h.admin.id).join('\n'))!;
    expect(link).toBeTruthy();
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ana@example.org');
    expect(h.fake.invitesSent).toHaveLength(0);
    const [inv] = await h.app.store.listInvitations({});
    expect(inv!.state).toBe('sent');
    expect(JSON.stringify(inv)).not.toContain(link.split('/join/')[1]);
  });

  it('mails the link through the operator’s SMTP server, or texts it to a validated number', async () => {
    h = await startHarness({ env: await withChannels() });
    await invite(h.admin, { delivery: 'bot_email' });
    await eventually(() => sinks!.smtp.received.length === 1);
    expect(sinks!.smtp.received[0]!.to).toEqual(['ana@example.org']);
    expect(linkIn(sinks!.smtp.received[0]!.raw.replace(/=\r?\n/g, ''))).toBeTruthy();

    const refused = await invite(h.admin, { delivery: 'sms', phone: '079 123 45 67' }, 'ben@example.org');
    expect(refused.body).toEqual({ errors: { phone: expect.stringMatching(/international form/) } });
    expect(
      (await refused.flow.submit({ channels: [h.general.id], expiry: '7', delivery: 'sms', phone: '+41 79 123 45 67' }))
        .body,
    ).toEqual({});
    await h.app.outbox.drain();
    expect(sinks!.texts).toEqual([{ to: '+41791234567', text: expect.stringMatching(/\/join\//) }]);
  });
});

describe('a refusal that echoes the recipient', () => {
  it('keeps the address out of the logs, the job, the invitation and its audit trail', async () => {
    let logs = '';
    const log = createLogger('debug', new Writable({ write: (chunk, _enc, done) => ((logs += chunk), done()) }));
    h = await startHarness({ env: await withChannels(), app: { log } });
    sinks!.smtp.refuse('ana@example.org', 550, '5.1.1 <ana@example.org>: Recipient address rejected: User unknown');
    await invite(h.admin, { delivery: 'bot_email' });
    const [inv] = await h.app.store.listInvitations({});
    expect(inv!.state).toBe('failed');
    expect(inv!.lastError).toMatch(/^SMTP: 550 .*<\[email\]>: Recipient address rejected/);
    const [job] = await h.app.store.jobs({ invitationId: inv!.id, state: 'dead' });
    expect(job!.lastError).toBe(inv!.lastError);
    const stored = JSON.stringify({ lastError: inv!.lastError, job, audit: await h.app.store.auditTrail(inv!.id) });
    expect(stored).toContain('Recipient address rejected');
    expect(stored).not.toMatch(/ana@example\.org/i);
    expect(logs).toContain('job given up');
    expect(logs).not.toMatch(/ana@example\.org/i);
  });
});

describe('the pending list', () => {
  it('shows each inviter their own invitations with buttons, and administrators everyone’s', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'platform_email' }, 'admins-guest@example.org');
    await invite(h.member, { delivery: 'platform_email' }, 'members-guest@example.org');
    const mine = (await h.command(h.member, 'list')).body as ListAnswer;
    expect(mine.attachments.map((a) => a.text).join()).not.toContain('admins-guest');
    expect(mine.attachments[0]!.text).toMatch(/members-guest@example.org.*waiting for approval/);
    expect(mine.attachments[0]!.actions.map((a) => a.id)).toEqual(['revoke']);
    const all = (await h.command(h.admin, 'list')).body as ListAnswer;
    expect(all.attachments).toHaveLength(2);
    expect(all.attachments[0]!.actions.map((a) => a.id)).toEqual(['approve', 'deny', 'revoke']);
    expect(all.attachments[1]!.actions.map((a) => a.id)).toEqual(['resend', 'showlink', 'revoke']);
  });

  it('approves from the list, leaving the list post alone', async () => {
    h = await startHarness();
    await invite(h.member, { delivery: 'platform_email' });
    const answer = await click(h.admin, button((await h.command(h.admin, 'list')).body, 'approve'));
    expect(answer).toEqual({ ephemeral_text: expect.stringMatching(/^Approved/) });
    await h.app.outbox.drain();
    expect(h.fake.invitesSent).toHaveLength(1);
  });

  it(
    'revokes: the link dies at once, a queued delivery is ' + 'dropped, the approval post and the inviter are told',
    async () => {
      h = await startHarness();
      await invite(h.admin, { delivery: 'link' }, 'dan@example.org');
      const link = linkIn(dmTo(h.admin.id).join('\n'))!;
      await invite(h.member, { delivery: 'platform_email' }, 'eve@example.org');
      await invite(h.admin, { delivery: 'platform_email' }, 'ana@example.org', { drain: false });
      const [request] = h.fake.postsIn(h.approvals.id);
      expect(request!.props.attachments).toHaveLength(1);

      const list = (await h.command(h.admin, 'list')).body as ListAnswer;
      const revokeOf = (email: string) =>
        list.attachments.find((a) => a.text.includes(email))!.actions.find((a) => a.id === 'revoke')!;
      expect(await click(h.member, revokeOf('dan@example.org'))).toEqual({
        ephemeral_text: expect.stringMatching(/Only the inviter or an administrator/),
      });
      for (const email of ['dan@example.org', 'ana@example.org', 'eve@example.org']) {
        expect(await click(h.admin, revokeOf(email))).toEqual({ ephemeral_text: expect.stringMatching(/^Revoked/) });
      }
      expect((await fetch(link)).status).toBe(410);
      await h.app.outbox.drain();

      expect(h.fake.invitesSent).toEqual([]);
      expect(await h.app.store.jobs({ state: 'pending' })).toEqual([]);
      expect((await h.app.store.listInvitations({})).map((i) => i.state)).toEqual(['revoked', 'revoked', 'revoked']);
      const updated = h.fake.postsIn(h.approvals.id)[0]!;
      expect(updated.message).toMatch(/This invitation is now revoked/);
      expect(updated.props.attachments).toEqual([]);
      expect(dmTo(h.member.id).at(-1)).toMatch(/Your invitation for eve \(eve@example\.org\) was revoked by @root/);
      // The admin revoked their own invitations: no notice to themselves, only the link shown before.
      expect(dmTo(h.admin.id)).toHaveLength(1);
      expect(await click(h.admin, revokeOf('dan@example.org'))).toEqual({
        ephemeral_text: expect.stringMatching(/already revoked/),
      });
    },
  );

  it('resends by the method chosen in a dialog, replacing the old link', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'link' });
    const oldLink = linkIn(dmTo(h.admin.id).join('\n'))!;
    const answer = await click(h.admin, button((await h.command(h.admin, 'list')).body, 'resend'));
    expect(answer).toEqual({});
    const dialog = lastDialog();
    expect(dialog.dialog).toMatchObject({ callback_id: 'resend' });
    const forged = await h.fake.submitDialog(dialog, h.member.id, h.general.id, h.team.id, { method: 'link' });
    expect(forged.status).toBe(403);
    expect(
      (await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'carrier-pigeon' })).body,
    ).toEqual({ errors: { method: expect.any(String) } });
    expect((await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'link' })).body).toEqual(
      {},
    );
    await h.app.outbox.drain();
    const newLink = linkIn(dmTo(h.admin.id).at(-1)!)!;
    expect(newLink).not.toBe(oldLink);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await fetch(oldLink)).status).toBe(404);

    expect(
      (await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'platform_email' })).body,
    ).toEqual({});
    await h.app.outbox.drain();
    expect(h.fake.invitesSent).toEqual([expect.objectContaining({ emails: ['ana@example.org'] })]);
  });

  it('lets an administrator retry a failed delivery', async () => {
    h = await startHarness();
    h.fake.failNext('POST', /invite\/email/, [
      { status: 400, body: { id: 'api.team.invite_members.invalid_email.app_error', message: 'refused' } },
    ]);
    await invite(h.admin, { delivery: 'platform_email' });
    const [failed] = await h.app.store.listInvitations({});
    expect(failed).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/refused/) });
    expect(dmTo(h.admin.id).join()).toMatch(/could not be delivered/);
    const list = (await h.command(h.admin, 'list')).body as ListAnswer;
    expect(await click(h.admin, button(list, 'retry'))).toEqual({ ephemeral_text: expect.stringMatching(/^Retrying/) });
    await h.app.outbox.drain();
    expect((await h.app.store.getInvitation(failed!.id))!.state).toBe('sent');
  });
});

describe('the admin JSON endpoint', () => {
  it('needs its bearer token and never shows link hashes or phone numbers', async () => {
    h = await startHarness({ env: await withChannels() });
    await invite(h.admin, { delivery: 'sms', phone: '+41791234567' });
    expect((await fetch(`${h.url}/admin/invitations`)).status).toBe(401);
    expect((await fetch(`${h.url}/admin/invitations`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const res = await fetch(`${h.url}/admin/invitations?state=sent`, {
      headers: { Authorization: 'Bearer admin-api-token-0123456789abcdef' },
    });
    const body = (await res.json()) as { invitations: Record<string, unknown>[] };
    expect(body.invitations).toEqual([expect.objectContaining({ email: 'ana@example.org', state: 'sent' })]);
    expect(body.invitations[0]).not.toHaveProperty('linkTokenHash');
    expect(JSON.stringify(body)).not.toContain('791234567');
    expect(
      (
        await fetch(`${h.url}/admin/invitations?state=bogus`, {
          headers: { Authorization: 'Bearer admin-api-token-0123456789abcdef' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('bulk invitations', () => {
  it('offers the bulk page, where a CSV is checked and then sent', async () => {
    h = await startHarness({
      env: { INVITES_PER_HOUR: '1000', MATTERMOST_INVITE_EMAILS_PER_HOUR: '1000' },
      fake: { emailInvitesPerHour: 1000 },
    });
    const answer = (await h.command(h.admin, 'bulk')).body as { text: string };
    expect(h.fake.dialogsOpened).toHaveLength(0);
    const page = /(http:\/\/\S+\/mattermost\/bulk\?t=\S+)/.exec(answer.text)![1]!;
    expect(await (await fetch(page)).text()).toMatch(/<textarea id="f-csv" name="csv"/);
    const csv = Array.from({ length: 300 }, (_, i) => `bulk${i}@example.org,Bulk ${i},collaborator,General`).join('\n');
    const post = (intent: string) =>
      fetch(page, { method: 'POST', body: new URLSearchParams({ csv, delivery: 'platform_email', intent }) });
    const preview = await post('preview');
    expect(preview.status).toBe(200);
    const table = await preview.text();
    expect(table.match(/data-outcome="send"/g)).toHaveLength(300);
    expect(table).toContain('Send 300 invitations');
    expect(await h.app.store.listInvitations({})).toEqual([]); // a dry run writes nothing

    const sent = await post('send');
    expect(sent.url).toMatch(/\/mattermost\/bulk\?p=1&t=/);
    const progress = await sent.text();
    expect(progress).toMatch(/<progress max="300" value="0">/);
    expect(progress).toContain('<meta http-equiv="refresh" content="2">');
    expect(await h.app.store.listInvitations({})).toHaveLength(300);
    await h.app.outbox.drain();
    const done = await (await fetch(sent.url)).text();
    // The server paces its invitation emails: the bar shows what the store says is past sending.
    const past = (await h.app.store.listInvitations({})).filter((i) => i.state !== 'sending').length;
    expect(past).toBeGreaterThan(0);
    expect(done).toContain(`<progress max="300" value="${past}">`);
    expect(done).toContain(past === 300 ? 'All invitations are handled' : 'This page refreshes by itself.');
    expect((await fetch(page)).status).toBe(404); // the link dies with its submission
    expect((await h.command(h.guest, 'bulk')).body.text).toMatch(/Guests \(external users\) cannot invite/);
  });
});

describe('the bulk page against hostile input', () => {
  it('refuses huge bodies, 1,001 rows, forged tokens; keeps formulas as text; holds members to limits', async () => {
    const harness = await startHarness({ env: { INVITES_PER_HOUR: '5' } });
    h = harness;
    const link = async (user: typeof harness.member) =>
      /(http:\/\/\S+\/mattermost\/bulk\?t=\S+)/.exec((await harness.command(user, 'bulk')).body.text)![1]!;
    const post = (url: string, fields: Record<string, string>) =>
      fetch(url, { method: 'POST', body: new URLSearchParams({ delivery: 'platform_email', ...fields }) });
    const page = await link(h.admin);
    expect((await post(page, { csv: 'x'.repeat(900_000) })).status).toBe(413);
    const rows = Array.from({ length: 1001 }, (_, i) => `r${i}@example.org`).join('\n');
    const many = await post(page, { csv: rows });
    expect(many.status).toBe(422);
    expect(await many.text()).toContain('more than 1,000 rows');
    const forged = page.replace(/t=([^.]+)\.\S+/, 't=$1.AAAA');
    expect((await post(forged, { csv: 'a@example.org' })).status).toBe(404);
    expect((await fetch(`${page.split('?')[0]}?p=1&t=${encodeURIComponent('e30.AAAA')}`)).status).toBe(404);

    const formula = "=cmd|' /C calc'!A0";
    const csv = `ana@example.org,"${formula}",collaborator,General`;
    const sent = await post(page, { csv, intent: 'send' });
    expect(sent.status).toBe(200);
    expect((await h.app.store.listInvitations({}))[0]!.name).toBe(formula);

    const mine = await link(h.member);
    const ten = Array.from({ length: 10 }, (_, i) => `m${i}@example.org,,collaborator,General`).join('\n');
    const table = await (await post(mine, { csv: ten })).text();
    expect(table.match(/data-outcome="approval"/g)).toHaveLength(5);
    expect(table).toContain('over your limit of 5 invitations an hour');
  });
});
